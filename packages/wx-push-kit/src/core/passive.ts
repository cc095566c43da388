// Passive replies: the answer carried in the response to the push itself, instead of an API call.
// A mini program has one kind, the hand-over to human agents (网页版客服工具 / 客服小助手):
// developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/trans.html
// Each kind is a flat record of WeChat's field names, so every door can render any kind (JSON object, XML
// elements, the encrypted envelope) without knowing which one it is.

/** Hands the conversation to the human agents; the agent, not the bot, answers. */
export interface TransferToAgent {
  MsgType: "transfer_customer_service";
  /** The sender's openid (the push's FromUserName). */
  ToUserName: string;
  /** The push's ToUserName (the appid in a cloud push, the gh_ id in a URL push). */
  FromUserName: string;
  /** Unix time in seconds. */
  CreateTime: number;
}

/** Every passive reply; add a kind here and each door renders it as it is. */
export type PassiveReply = TransferToAgent;

export function isPassiveReply(value: unknown): value is PassiveReply {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record["MsgType"] === "transfer_customer_service" &&
    typeof record["ToUserName"] === "string" &&
    typeof record["FromUserName"] === "string" &&
    typeof record["CreateTime"] === "number"
  );
}
