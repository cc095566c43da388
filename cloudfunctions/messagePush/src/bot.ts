import type { Router } from "./core/router";
import { createRouter } from "./core/router";
import { acknowledge } from "./handlers/acknowledge";
import { logUnknown } from "./handlers/unknown";
import { greet } from "./handlers/user-enter-tempsession";

/** Your code goes here: one handler per route, narrowed to its message type. */
export function createBot(): Router {
  return createRouter()
    .on(["text", "image", "miniprogrampage"], acknowledge)
    .on("event.user_enter_tempsession", greet)
    .otherwise(logUnknown);
}
