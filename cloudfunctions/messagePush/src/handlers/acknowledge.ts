import type { Handler } from "wx-push-kit";

/** The classic answer: every text, image and mini-program card gets "收到" (received). */
export const ACKNOWLEDGEMENT = "收到";

export const acknowledge: Handler<"text" | "image" | "miniprogrampage"> = async ({ reply }) => {
  await reply.text(ACKNOWLEDGEMENT);
};
