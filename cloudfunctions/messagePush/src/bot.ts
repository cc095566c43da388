import type { Router } from "wx-push-kit";
import { createRouter } from "wx-push-kit";
import { acknowledge } from "./handlers/acknowledge";
import { ASKS_AI, askAi } from "./handlers/ask-ai";
import { answerOrder, askOrderNumber, ASKS_FOR_ORDER, isOrderNumber } from "./handlers/order-lookup";
import { transferToAgent, WANTS_AGENT } from "./handlers/transfer";
import { logMediaCheck, logSubscription } from "./handlers/notifications";
import { logUnknown } from "./handlers/unknown";
import { greet } from "./handlers/user-enter-tempsession";
import type { Session } from "./session";
import { newSession } from "./session";

/** Text that brings a user who asked for a person back to the bot. */
const BACK_TO_BOT = /返回机器人|结束人工/;

/**
 * Your code goes here: one handler per route, narrowed to its message type. The default: text asking for
 * 「人工」 is handed to human agents (the bot then stays quiet for that user for 30 minutes), 「查订单」 asks
 * for the order number and the next text is taken as it, 「问：…」 is answered by the model, other messages
 * get 「收到」, entering the chat gets the greeting; media-check results and subscription events are logged
 * (notifications: nothing is sent).
 */
export function createBot(): Router<Session> {
  return createRouter<Session>({
    session: { initial: newSession },
    // Agents' hours, if they keep any: { open: "09:00", close: "21:00", closedReply: "人工客服 9:00–21:00 在线" }
    handover: { resume: BACK_TO_BOT },
  })
    .hears(WANTS_AGENT, transferToAgent)
    .hears(ASKS_FOR_ORDER, askOrderNumber)
    .hears(ASKS_AI, askAi)
    .on("text", isOrderNumber, answerOrder)
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
