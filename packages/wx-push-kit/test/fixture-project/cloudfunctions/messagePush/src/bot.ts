import type { Router } from "wx-push-kit";
import { createRouter } from "wx-push-kit";
import { acknowledge } from "./handlers/acknowledge";
import { greet } from "./handlers/user-enter-tempsession";

/**
 * The kit's fixture bot: a person on request, one answer for every other message, a greeting on entering,
 * notifications and unmodelled pushes only logged. Its words are the kit tests' own.
 */
export function createBot(): Router {
  return createRouter()
    .hears(/人工/, ({ reply }) => reply.transfer())
    .on(["text", "image", "miniprogrampage"], acknowledge)
    .on("event.user_enter_tempsession", greet)
    .on("event.wxa_media_check", ({ message, log }) =>
      log.info("fixture: media check", { suggest: message.result.suggest }),
    )
    .on(
      [
        "event.subscribe_msg_popup_event",
        "event.subscribe_msg_change_event",
        "event.subscribe_msg_sent_event",
      ],
      ({ message, log }) => log.info("fixture: subscription", { templates: message.List.length }),
    )
    .otherwise(({ message, log }) => log.info("fixture: push not handled", { MsgType: message.MsgType }));
}
