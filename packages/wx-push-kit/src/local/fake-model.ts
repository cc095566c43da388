// A loopback stand-in for the model endpoints, answering from recorded answers: OpenAI-compatible
// chat completions (`POST …/chat/completions`, streamed as `chat.completion.chunk` events) and the CloudBase
// Agent API (`POST /v1/aibot/bots/{id}/send-message`, AG-UI or ACP frames). Deterministic and offline: the
// local runs (npm start, replay, the playground) and the tests talk to it instead of a real model.
import fs from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { z } from "zod";
import { ROOT } from "../cli/lib/function";

/** One recorded answer: a user question containing `question` gets `answer` (Markdown, as models write). */
const RecordedAnswer = z.object({
  question: z.string().min(1),
  answer: z.string(),
  /** Wait this long before answering (a slow model). */
  delayMs: z.number().int().nonnegative().optional(),
});
export const RecordedAnswers = z.object({ answers: z.array(RecordedAnswer) });
export type RecordedAnswer = z.infer<typeof RecordedAnswer>;

/** How the stand-in behaves beyond its recordings: slow, failing, or never answering. */
export interface ModelBehaviour {
  delayMs?: number;
  /** Answer with this HTTP status and an error body instead. */
  failWith?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
}

export interface ModelRequest {
  /** cloud-ai: wx-server-sdk's cloud.ai (OpenAI-style, under /v1/ai/{provider}/ on the CloudBase gateway). */
  protocol: "openai" | "cloud-ai" | "agent-ag-ui" | "agent-acp";
  /** The question the stand-in answered: the last user message. */
  question: string;
  /** The conversation sent, as the endpoint received it (roles and contents). */
  messages: { role: string; content: string }[];
  /** Whether the request carried a bearer key (its value is never kept). */
  authorized: boolean;
}

export interface FakeModel extends Omit<ModelStandIn, "serve" | "stop"> {
  /** The OpenAI-compatible base (AI_BASE_URL) and the Agent gateway base (CLOUDBASE_AGENT_BASE_URL). */
  url: string;
  close(): Promise<void>;
}

/** The environment that points the kit's adapters at the stand-in. */
export function modelEnvironment(url: string): Record<string, string> {
  return {
    AI_BASE_URL: `${url}/v1`,
    AI_API_KEY: "local-stand-in",
    AI_MODEL: "local-recorded",
    CLOUDBASE_AGENT_BASE_URL: url,
    CLOUDBASE_AGENT_ID: "ibot-local-recorded",
    CLOUDBASE_API_KEY: "local-stand-in",
  };
}

/** Where a project keeps its recorded model answers. */
export const ANSWERS_FILE = path.join(ROOT, "test", "fixtures", "ai", "answers.json");

/** Reads recorded answers (none without the file), or says clearly what is wrong with the file. */
export function readRecordedAnswers(file = ANSWERS_FILE): RecordedAnswer[] {
  if (!fs.existsSync(file)) return [];
  const parsed = RecordedAnswers.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new Error(
      `录制的模型回答格式不对 recorded answers are malformed (${file}): ${parsed.error.issues
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("; ")}`,
    );
  return parsed.data.answers;
}

/** The model endpoints as a request handler: on a server of their own, or beside the CloudBase stand-in. */
export interface ModelStandIn {
  /** Every request, in order: one per model call. */
  requests: ModelRequest[];
  /** The pieces streamed for each request, in order. */
  streamed: string[][];
  behave(behaviour: ModelBehaviour): void;
  /** Answers `req` if it is for a model endpoint (a path under /v1/); false otherwise. */
  serve(req: IncomingMessage, res: ServerResponse, text: string): boolean;
  /** Ends what is still waiting (a slow or hanging answer). */
  stop(): void;
}

/**
 * Whether a path is a model endpoint's (so the CloudBase stand-in hands it over): the models under /v1/, and
 * the gateway's token endpoint, which cloud.ai asks before each call.
 */
export const isModelPath = (path: string) => path.startsWith("/v1/") || path === TOKEN_PATH;
const TOKEN_PATH = "/auth/v1/token/clientCredential";

export function createModelStandIn(answers: readonly RecordedAnswer[]): ModelStandIn {
  const requests: ModelRequest[] = [];
  const streamed: string[][] = [];
  let behaviour: ModelBehaviour = {};
  const timers = new Set<NodeJS.Timeout>();
  const open = new Set<ServerResponse>();
  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function respond(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    text: string,
  ): Promise<void> {
    if (path === TOKEN_PATH)
      return end(res, 200, { access_token: "local-stand-in-token", token_type: "Bearer", expires_in: 7200 });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return end(res, 400, { error: { message: "the body is not JSON" } });
    }
    const protocol =
      req.method !== "POST"
        ? undefined
        : path.endsWith("/chat/completions")
          ? path.startsWith("/v1/ai/")
            ? "cloud-ai"
            : "openai"
          : /^\/v1\/aibot\/bots\/[^/]+\/(send-message|acp)$/.test(path)
            ? body["method"] === "session/prompt"
              ? "agent-acp"
              : "agent-ag-ui"
            : undefined;
    if (protocol === undefined) return end(res, 404, { error: { message: `no such endpoint: ${path}` } });
    const messages = messagesOf(protocol, body);
    const question = messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
    requests.push({
      protocol,
      question,
      messages,
      authorized: /^Bearer \S+/.test(req.headers.authorization ?? ""),
    });
    const pieces: string[] = [];
    streamed.push(pieces);
    const { delayMs = 0, failWith, hang } = behaviour;
    open.add(res);
    res.once("close", () => open.delete(res));
    if (hang === true) return;
    const recorded = answers.find((answer) => question.includes(answer.question));
    const slow = delayMs + (recorded?.delayMs ?? 0);
    // A refusal comes as a status (after the delay: a gateway giving up); an answer streams as real endpoints
    // stream it: headers at once, the first words when the model has them.
    if (failWith !== undefined || recorded === undefined) {
      await later(slow);
      return failWith !== undefined
        ? end(res, failWith, { error: { message: "the stand-in was told to fail" } })
        : end(res, 404, {
            error: { message: `录制的回答里没有这个问题 no recorded answer for: ${question.slice(0, 60)}` },
          });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    await later(slow);
    for (const piece of piecesOf(recorded.answer)) {
      pieces.push(piece);
      res.write(`data: ${JSON.stringify(frameOf(protocol, piece))}\n\n`);
    }
    res.end(
      protocol === "openai" || protocol === "cloud-ai"
        ? "data: [DONE]\n\n"
        : `data: ${JSON.stringify(lastFrameOf(protocol))}\n\n`,
    );
  }

  return {
    requests,
    streamed,
    behave: (next) => void (behaviour = next),
    serve(req, res, text) {
      const path = new URL(req.url ?? "/", "http://stand-in").pathname;
      if (!isModelPath(path)) return false;
      void respond(req, res, path, text);
      return true;
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const res of open) res.destroy();
    },
  };
}

/** The model stand-in on a loopback server of its own (a developer server's tests, the playground). */
export async function startFakeModel(answers: readonly RecordedAnswer[]): Promise<FakeModel> {
  const standIn = createModelStandIn(answers);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (!standIn.serve(req, res, Buffer.concat(chunks).toString("utf8")))
        end(res, 404, { error: { message: "not a model endpoint" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: standIn.requests,
    streamed: standIn.streamed,
    behave: (behaviour) => standIn.behave(behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        standIn.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function end(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function messagesOf(protocol: ModelRequest["protocol"], body: Record<string, unknown>) {
  if (protocol === "agent-acp") {
    const prompt = (body["params"] as { prompt?: { text?: unknown }[] } | undefined)?.prompt ?? [];
    return [
      {
        role: "user",
        content: prompt.map((block) => (typeof block.text === "string" ? block.text : "")).join(""),
      },
    ];
  }
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as Record<string, unknown>[]) : [];
  return messages.map((message) => ({ role: String(message["role"]), content: String(message["content"]) }));
}

/** The answer in small pieces, as a model streams it (whole code points, never split). */
function piecesOf(answer: string): string[] {
  const points = [...answer];
  const pieces: string[] = [];
  for (let at = 0; at < points.length; at += 12) pieces.push(points.slice(at, at + 12).join(""));
  return pieces;
}

function frameOf(protocol: ModelRequest["protocol"], piece: string): unknown {
  if (protocol === "openai" || protocol === "cloud-ai")
    return { object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: piece } }] };
  if (protocol === "agent-ag-ui") return { type: "TEXT_MESSAGE_CONTENT", messageId: "m1", delta: piece };
  return {
    jsonrpc: "2.0",
    method: "session/update",
    params: { update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: piece } } },
  };
}

function lastFrameOf(protocol: ModelRequest["protocol"]): unknown {
  return protocol === "agent-ag-ui"
    ? { type: "RUN_FINISHED" }
    : { jsonrpc: "2.0", id: 1, result: { stopReason: "end_turn" } };
}
