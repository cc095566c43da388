import type { Handler, Matcher } from "wx-push-kit";
import type { Session } from "../session";

/** Text that starts the order lookup, as in 「查订单」「我想查一下订单」. */
export const ASKS_FOR_ORDER = /查.*订单/;

export const ASK_ORDER_NUMBER = "请输入订单号";

/** Step one: ask for the number, and remember that the next text is it. */
export const askOrderNumber: Handler<"text", Session> = async ({ reply, session }) => {
  session.awaiting = "order-number";
  await reply.text(ASK_ORDER_NUMBER);
};

/** The text that follows the question is taken as the order number. */
export const isOrderNumber: Matcher<"text", Session> = (_message, { session }) =>
  session.awaiting === "order-number";

/** Step two: answer with the number (connect your order system here). */
export const answerOrder: Handler<"text", Session> = async ({ message, reply, session }) => {
  delete session.awaiting;
  await reply.text(`订单 ${message.Content.trim()} 已收到，正在为您查询，请稍候。`);
};
