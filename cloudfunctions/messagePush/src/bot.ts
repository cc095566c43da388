import type { Router } from "./core/router";
import { createRouter } from "./core/router";
import { acknowledge } from "./handlers/acknowledge";
import { transferToAgent, WANTS_AGENT } from "./handlers/transfer";
import { logUnknown } from "./handlers/unknown";
import { greet } from "./handlers/user-enter-tempsession";

/**
 * Your code goes here: one handler per route, narrowed to its message type. The default: text asking for
 * 「人工」 is handed to human agents, other messages get 「收到」, entering the chat gets the greeting.
 */
export function createBot(): Router {
  return createRouter()
    .hears(WANTS_AGENT, transferToAgent)
    .on(["text", "image", "miniprogrampage"], acknowledge)
    .on("event.user_enter_tempsession", greet)
    .otherwise(logUnknown);
}
