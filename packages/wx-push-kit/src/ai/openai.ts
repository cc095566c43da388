// Any OpenAI-compatible chat-completions endpoint, streamed (混元's OpenAI-compatible API, DeepSeek, a
// gateway of your own…). Node's own fetch and streams: no SDK needed for one POST and an event stream.
// API: platform.openai.com/docs/api-reference/chat/create (stream: true → `chat.completion.chunk` events,
// `choices[0].delta.content`, ending with `data: [DONE]`).
import type { ChatMessage, Model } from "./model";
import { excerptOf, fromEnv, ModelError } from "./model";
import { sseData } from "./sse";

export interface OpenAiCompatibleOptions {
  /** The API's base, e.g. https://api.hunyuan.cloud.tencent.com/v1; default: env AI_BASE_URL. */
  baseUrl?: string;
  /** Default: env AI_API_KEY (read at each call; never logged). */
  apiKey?: string;
  /** The model's name, e.g. hunyuan-turbos-latest; default: env AI_MODEL. */
  model?: string;
  temperature?: number;
  /** Caps the answer's length (tokens): a long answer costs quota parts and time. */
  maxTokens?: number;
}

interface Chunk {
  choices?: { delta?: { content?: unknown }; message?: { content?: unknown } }[];
  error?: { message?: unknown };
}

export function openAiCompatible(options: OpenAiCompatibleOptions = {}): Model {
  return (messages, { signal }) => stream(messages, signal);

  async function* stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncIterable<string> {
    const base = fromEnv("AI_BASE_URL", options.baseUrl).replace(/\/+$/, "");
    const response = await fetch(`${base}/chat/completions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${fromEnv("AI_API_KEY", options.apiKey)}`,
        "content-type": "application/json",
        accept: "text/event-stream",
      },
      body: JSON.stringify({
        model: fromEnv("AI_MODEL", options.model),
        messages,
        stream: true,
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
      }),
      signal,
    });
    if (!response.ok)
      throw new ModelError(
        `模型接口返回 HTTP ${response.status} (the model endpoint answered ${response.status}): ${await excerptOf(response)}`,
        response.status,
      );
    if (response.body === null)
      throw new ModelError("模型接口没有返回内容 (the model endpoint sent no body)");
    // Some gateways ignore `stream` and answer one JSON object.
    if ((response.headers.get("content-type") ?? "").includes("application/json")) {
      yield contentOf(JSON.parse(await response.text()) as Chunk, "message");
      return;
    }
    for await (const data of sseData(response.body)) {
      if (data === "[DONE]") return;
      yield contentOf(JSON.parse(data) as Chunk, "delta");
    }
  }
}

function contentOf(chunk: Chunk, field: "delta" | "message"): string {
  if (chunk.error !== undefined)
    throw new ModelError(`模型生成出错 (the model failed): ${String(chunk.error.message)}`);
  const content = chunk.choices?.[0]?.[field]?.content;
  return typeof content === "string" ? content : "";
}
