// The model port: messages in, text out (whole, or streamed in pieces), stoppable. Every adapter (cloud.ai,
// a CloudBase Agent, any OpenAI-compatible endpoint) and every test stand-in is one of these.
import type { WxCloud } from "../cloud/sdk";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ModelCall {
  /** Aborted when the push's time is up: stop generating, nothing of it will be sent. */
  signal: AbortSignal;
  /** wx-server-sdk, in the cloud function (the cloud.ai adapter needs it); throws elsewhere. */
  cloud: () => WxCloud;
}

export type Model = (
  messages: readonly ChatMessage[],
  call: ModelCall,
) => Promise<string> | AsyncIterable<string>;

/** A model endpoint refused or broke off: what it said, never the key it was called with. */
export class ModelError extends Error {
  override readonly name = "ModelError";
  constructor(
    message: string,
    /** The HTTP status, when the endpoint answered with one. */
    readonly status?: number,
  ) {
    super(`[message-push] ${message}`);
  }
}

/** The whole answer: a promise's text, or a stream's pieces joined; `onPiece` sees each piece as it comes. */
export async function answerOf(
  answer: Promise<string> | AsyncIterable<string>,
  onPiece: (piece: string) => void = () => undefined,
): Promise<string> {
  if (!(Symbol.asyncIterator in answer)) return answer;
  let text = "";
  for await (const piece of answer) {
    text += piece;
    onPiece(piece);
  }
  return text;
}

/** A setting from the environment, read when the model is called (never at load), or a clear error. */
export function fromEnv(name: string, given: string | undefined): string {
  const value = given ?? process.env[name];
  if (value === undefined || value === "")
    throw new ModelError(`未设置 ${name}，无法调用模型 (${name} is not set: the model cannot be called)`);
  return value;
}

/** At most the first 300 characters of an error body: enough to tell why, never a flood in the log. */
export async function excerptOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
