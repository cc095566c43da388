import type { Handler } from "wx-push-kit";
import { aiReply, openAiCompatible } from "wx-push-kit/ai";
import type { Session } from "../session";

/** Text that asks the model, as in 「问：怎么退货？」; the question is what follows. */
export const ASKS_AI = /^问[:：]/;

/** Sent when the model fails or cannot answer in time (yours: not labelled AI). */
export const AI_FALLBACK = "抱歉，智能助手暂时无法回答，请稍后再试，或回复「人工」联系客服。";

/**
 * The model answers, labelled AI, in plain text, once per message however often WeChat retries it. The model
 * is any OpenAI-compatible endpoint (混元, DeepSeek…), set in the function's environment: AI_BASE_URL,
 * AI_API_KEY, AI_MODEL (see the README, 「AI 回复」). Locally, recorded answers stand in for it
 * (test/fixtures/ai/answers.json). Give the function time: a model takes seconds (cloudbaserc.json timeout).
 */
export const askAi: Handler<"text", Session> = aiReply<Session>({
  model: openAiCompatible(),
  instructions: "你是小程序的客服助手。回答简短、礼貌；不知道的就说不知道，并建议回复「人工」联系客服。",
  fallback: AI_FALLBACK,
  question: (message) => message.Content.replace(ASKS_AI, ""),
});
