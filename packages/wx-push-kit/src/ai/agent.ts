// A CloudBase Agent (云开发 AI+ → Agent) over its HTTP API, with the developer's own push handler keeping the
// 客服 channel (authorising the Agent as 小程序客服 would take it away). An API key from 云开发控制台 → 设置 →
// API 密钥. Docs: docs.cloudbase.net/ai/agent-development/integration/curl (AG-UI: messages in,
// TEXT_MESSAGE_CONTENT deltas out) and docs.cloudbase.net/ai/agent-development/acp-protocol (ACP: JSON-RPC
// `session/prompt`, `session/update` agent_message_chunk frames). Both answer with server-sent events.
import { randomUUID } from "node:crypto";
import type { ChatMessage, Model } from "./model";
import { excerptOf, fromEnv, ModelError } from "./model";
import { sseData } from "./sse";

export interface CloudbaseAgentOptions {
  /** The Agent's id (ibot-… / agent-…); default: env CLOUDBASE_AGENT_ID. */
  agentId?: string;
  /** The environment id; default: env CLOUDBASE_ENV_ID (or TCB_ENV, set in the cloud). */
  envId?: string;
  /** Default: env CLOUDBASE_API_KEY (read at each call; never logged). */
  apiKey?: string;
  /** "ag-ui" (default: the Agent gets the whole conversation) or "acp" (the last question only). */
  protocol?: "ag-ui" | "acp";
  /** The gateway's base; default https://{envId}.api.tcloudbasegateway.com (env CLOUDBASE_AGENT_BASE_URL). */
  baseUrl?: string;
}

export function cloudbaseAgent(options: CloudbaseAgentOptions = {}): Model {
  return (messages, { signal }) => stream(messages, signal);

  async function* stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncIterable<string> {
    const agentId = fromEnv("CLOUDBASE_AGENT_ID", options.agentId);
    const base =
      options.baseUrl ??
      process.env["CLOUDBASE_AGENT_BASE_URL"] ??
      `https://${fromEnv("CLOUDBASE_ENV_ID", options.envId ?? process.env["TCB_ENV"])}.api.tcloudbasegateway.com`;
    const response = await fetch(
      `${base.replace(/\/+$/, "")}/v1/aibot/bots/${encodeURIComponent(agentId)}/send-message`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${fromEnv("CLOUDBASE_API_KEY", options.apiKey)}`,
          "content-type": "application/json",
          accept: "text/event-stream",
        },
        body: JSON.stringify(requestOf(options.protocol ?? "ag-ui", messages)),
        signal,
      },
    );
    if (!response.ok)
      throw new ModelError(
        `Agent 接口返回 HTTP ${response.status} (the Agent answered ${response.status}): ${await excerptOf(response)}`,
        response.status,
      );
    if (response.body === null) throw new ModelError("Agent 没有返回内容 (the Agent sent no body)");
    for await (const data of sseData(response.body)) {
      if (data === "[DONE]") return;
      const frame = parseFrame(data);
      if (typeof frame !== "string") return;
      yield frame;
    }
  }
}

function requestOf(protocol: "ag-ui" | "acp", messages: readonly ChatMessage[]): unknown {
  if (protocol === "acp") {
    const question = messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
    return {
      jsonrpc: "2.0",
      id: 1,
      method: "session/prompt",
      params: { prompt: [{ type: "text", text: question }] },
    };
  }
  return {
    runId: randomUUID(),
    messages: messages.map((message, index) => ({ id: `m${index}`, ...message })),
    tools: [],
    context: [],
    state: {},
  };
}

/** One frame's text ("" when it carries none), `{ end }` at the run's end; an error frame throws. */
function parseFrame(data: string): string | { end: true } {
  const frame = JSON.parse(data) as Record<string, unknown>;
  // AG-UI
  if (frame["type"] === "TEXT_MESSAGE_CONTENT")
    return typeof frame["delta"] === "string" ? frame["delta"] : "";
  if (frame["type"] === "RUN_FINISHED") return { end: true };
  if (frame["type"] === "RUN_ERROR")
    throw new ModelError(`Agent 运行出错 (the Agent failed): ${String(frame["message"])}`);
  // ACP (JSON-RPC 2.0): updates, then the result or an error with the request's id.
  const error = frame["error"] as { message?: unknown } | undefined;
  if (error !== undefined)
    throw new ModelError(`Agent 运行出错 (the Agent failed): ${String(error.message)}`);
  if ("result" in frame) return { end: true };
  const update = (frame["params"] as { update?: Record<string, unknown> } | undefined)?.update;
  if (frame["method"] === "session/update" && update?.["sessionUpdate"] === "agent_message_chunk") {
    const text = (update["content"] as { text?: unknown } | undefined)?.text;
    return typeof text === "string" ? text : "";
  }
  return "";
}
