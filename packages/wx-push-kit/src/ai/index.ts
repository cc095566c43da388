// wx-push-kit/ai: answers from a language model, exactly once per push. Its own entry, so a bot that does
// not use a model loads none of it on the push path.
export type { AiReplyOptions, AiSession } from "./ai-reply";
export { aiReply, SEND_RESERVE_MS, TYPING_REFRESH_MS } from "./ai-reply";
export type { ChatMessage, Model, ModelCall } from "./model";
export { answerOf, ModelError } from "./model";
export type { OpenAiCompatibleOptions } from "./openai";
export { openAiCompatible } from "./openai";
export type { CloudbaseAgentOptions } from "./agent";
export { cloudbaseAgent } from "./agent";
export type { CloudAiOptions } from "./cloud-ai";
export { cloudAi } from "./cloud-ai";
export { toPlainText } from "./markdown";
