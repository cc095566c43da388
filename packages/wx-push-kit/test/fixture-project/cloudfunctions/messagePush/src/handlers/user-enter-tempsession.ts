import type { Handler } from "wx-push-kit";

/** The fixture bot's greeting: the kit tests' own words. */
export const GREETING = "测试机器人：您好，请说。";

export const greet: Handler<"event.user_enter_tempsession"> = ({ reply }) => reply.text(GREETING);
