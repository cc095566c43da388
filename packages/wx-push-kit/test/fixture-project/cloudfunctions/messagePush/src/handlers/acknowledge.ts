import type { Handler } from "wx-push-kit";

/** The fixture bot's one answer to every message: the kit tests' own words, not the template's. */
export const ACKNOWLEDGEMENT = "测试机器人：已收到";

export const acknowledge: Handler<"text" | "image" | "miniprogrampage"> = ({ reply }) =>
  reply.text(ACKNOWLEDGEMENT);
