import type { Handler } from "wx-push-kit";

/** The fixture bot's answer to every text, image and mini-program card: words of the kit's tests, not the template's. */
export const ACKNOWLEDGEMENT = "测试机器人：已收到";

export const acknowledge: Handler<"text" | "image" | "miniprogrampage"> = async ({ reply }) => {
  await reply.text(ACKNOWLEDGEMENT);
};
