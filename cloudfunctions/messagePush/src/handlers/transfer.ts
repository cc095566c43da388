import type { Handler } from "wx-push-kit";

/** Text that asks for a person, as in 「转人工」「我要人工客服」. */
export const WANTS_AGENT = /人工/;

/**
 * Hands the conversation to the human agents (网页版客服工具 / 客服小助手). A passive reply: nothing is sent
 * through the API, the agent answers. An agent must be online in the tool, or the user waits.
 */
export const transferToAgent: Handler<"text"> = ({ reply }) => reply.transfer();
