import type { Router } from "wx-push-kit";
import { createRouter } from "wx-push-kit";
import { acknowledge } from "./handlers/acknowledge";
import { transferToAgent, WANTS_AGENT } from "./handlers/transfer";
import { logMediaCheck, logSubscription } from "./handlers/notifications";
import { logUnknown } from "./handlers/unknown";
import { greet } from "./handlers/user-enter-tempsession";

/**
 * Your code goes here: one handler per route, narrowed to its message type. The default: text asking for
 * 「人工」 is handed to human agents, other messages get 「收到」, entering the chat gets the greeting;
 * media-check results and subscription events are logged (notifications: nothing is sent).
 */
export function createBot(): Router {
  return createRouter()
    .hears(WANTS_AGENT, transferToAgent)
    .on(["text", "image", "miniprogrampage"], acknowledge)
    .on("event.user_enter_tempsession", greet)
    .on("event.wxa_media_check", logMediaCheck)
    .on(
      [
        "event.subscribe_msg_popup_event",
        "event.subscribe_msg_change_event",
        "event.subscribe_msg_sent_event",
      ],
      logSubscription,
    )
    .otherwise(logUnknown);
}
