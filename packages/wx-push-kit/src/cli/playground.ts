// Usage: npm run playground
// A local page to chat as a WeChat user and see exactly what WeChat would send (signed, encrypted), what the
// server decrypted and routed, what it answered and what it logged — through the developer-server door or
// the cloud function. Demo settings (or WECHAT_TOKEN/…), 127.0.0.1 only, no account, no network.
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { BodyFormat, PushMode, SendPayload } from "../server/index";
import {
  createServerFromEnv,
  decodeAesKey,
  decodeBody,
  decrypt,
  isPassiveReply,
  parsePush,
  settingsOf,
} from "../server/index";
import { buildFunction } from "./build";
import { loadBot } from "./lib/bot";
import { staleBuild } from "./lib/freshness";
import type { CloudRun } from "../local/cloud-replay";
import { CLOUD_CONTEXT, startCloudReplay } from "../local/cloud-replay";
import type { ModelRequest } from "../local/fake-model";
import type { BuiltRequest, PushSettings } from "../local/push-request";
import { buildPushRequest, DEMO_SETTINGS } from "../local/push-request";
import { messageOf } from "./push";
import type { Clock } from "../core/clock";
import { systemClock } from "../core/clock";
import { describeUser, isStateful, userKey } from "../core/conversation";
import { createMemoryStateStore } from "../core/state";

const PAGE = path.join(__dirname, "playground", "page.html");
/** The one user the page chats as. */
const PLAYGROUND_USER = "o-playground-user";
/** The furthest the page may move the clock in one step: past the 48-hour window, with room. */
const MAX_ADVANCE_MS = 7 * 24 * 60 * 60 * 1000;
/** An ask is a few hundred bytes; a chat message far below this. */
const MAX_ASK_BYTES = 16 * 1024;
/** Log streams open at once (a tab each). */
const MAX_EVENT_STREAMS = 8;

/** What the page asks for. */
interface Ask {
  kind: "text" | "image" | "miniprogrampage" | "enter";
  content: string;
  mode: PushMode;
  format: BodyFormat;
  door: "http" | "cloud";
  scenario: "normal" | "retry3" | "wrong-token" | "wrong-key" | "tampered";
}

/** One delivery as the page shows it. */
interface Delivery {
  request?: { method: string; path: string; query: Record<string, string>; body: string };
  status?: number;
  answer: string;
  /** The passive reply inside the answer, decrypted where it was sealed. */
  passive?: unknown;
  /** The cloud door's event. */
  event?: unknown;
  /** What the server decrypted and parsed, and the route it chose (or why it could not). */
  parsed: { route?: string; message?: unknown; problem?: string };
  /** The customer-service messages sent, as WeChat receives them. */
  sends: object[];
  logs: string[];
  /** The model calls this delivery made (none on a redelivery: the answer is kept with the push). */
  model: { request: ModelRequest; streamed: string[] }[];
}

export async function startPlayground(
  port = 0,
): Promise<{ url: string; address: AddressInfo; close(): Promise<void> }> {
  const events = new Set<ServerResponse>();
  const broadcast = (line: string) => {
    for (const res of events) res.write(`data: ${JSON.stringify(line)}\n\n`);
  };
  // Everything the push server logs and sends, collected per delivery and streamed to the page.
  let logs: string[] = [];
  let sends: SendPayload[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const line = `${level} ${message}${fields === undefined ? "" : ` ${JSON.stringify(fields)}`}`;
    logs.push(line);
    broadcast(line);
  };
  // The HTTP door's clock can be moved on from the page, so the 1-minute, 30-minute and 48-hour rules of
  // the quota and the hand-over can be seen to happen; its per-user state is shown beside the chat.
  let offsetMs = 0;
  const clock: Clock = { now: () => Date.now() + offsetMs, sleep: (ms) => systemClock.sleep(ms) };
  const state = createMemoryStateStore(() => clock.now());
  const router = loadBot()();
  const userState = async () => {
    const found = await state.read(userKey(PLAYGROUND_USER));
    return {
      offsetMs,
      now: clock.now(),
      keepsState: isStateful(router.conversation),
      user: describeUser(found?.value, router.conversation ?? {}, clock.now()),
    };
  };
  const push = createServerFromEnv(demoEnv(), {
    router,
    clock,
    state,
    log: { info: record("info"), warn: record("warn"), error: record("error") },
    send: (payload) => {
      sends.push(payload);
      broadcast(`send customerServiceMessage ${JSON.stringify(payload)}`);
      return Promise.resolve();
    },
  });
  await new Promise<void>((resolve) => push.server.listen(0, "127.0.0.1", resolve));
  const pushUrl = `http://127.0.0.1:${(push.server.address() as AddressInfo).port}`;

  if (staleBuild() !== undefined) await buildFunction();
  // The cloud door: the built function with the real wx-server-sdk, its calls sent to a loopback stand-in.
  // Its stand-in also plays the model, for both doors: the cloud replay points AI_BASE_URL (and the other
  // adapters' settings) at it, and the bot in this process reads them at each call.
  const cloud = await startCloudReplay();
  /** The model calls made while `work` ran. */
  const withModelCalls = async <T>(work: () => Promise<T>) => {
    const from = cloud.model.requests.length;
    const result = await work();
    const model = cloud.model.requests
      .slice(from)
      .map((request, index) => ({ request, streamed: cloud.model.streamed[from + index] ?? [] }));
    return { result, model };
  };
  let cloudInstance = cloud.instance();
  let cloudTurn = 0;

  async function overHttp(ask: Ask): Promise<Delivery[]> {
    const settings: PushSettings = {
      ...DEMO_SETTINGS,
      ...(ask.scenario === "wrong-token" ? { token: "WrongToken" } : {}),
      ...(ask.scenario === "wrong-key" ? { encodingAESKey: "B".repeat(43) } : {}),
    };
    const message = messageOf(ask.kind, ask.content || undefined, PLAYGROUND_USER, undefined);
    if (message === undefined) throw new Error(`unknown kind ${ask.kind}`);
    let built = buildPushRequest({ message, mode: ask.mode, format: ask.format, settings });
    if (ask.scenario === "tampered") built = tamper(built);
    const deliveries: Delivery[] = [];
    for (let i = 0; i < (ask.scenario === "retry3" ? 3 : 1); i += 1) {
      logs = [];
      sends = [];
      const { result: response, model } = await withModelCalls(async () => {
        const answered = await fetch(new URL(built.path, pushUrl), {
          method: built.method,
          headers: built.headers,
          body: built.body,
        });
        await new Promise((resolve) => setTimeout(resolve, 20)); // lines logged right after the answer
        return { status: answered.status, text: await answered.text() };
      });
      const answer = response.text;
      deliveries.push({
        request: { method: built.method, path: built.path, query: built.query, body: built.body },
        status: response.status,
        answer,
        ...passiveOf(answer, ask.format),
        parsed: parsedOf(built, ask.format),
        sends,
        logs,
        model,
      });
    }
    return deliveries;
  }

  async function overCloud(ask: Ask): Promise<Delivery[]> {
    const message = messageOf(ask.kind, ask.content || undefined, PLAYGROUND_USER, undefined);
    if (message === undefined) throw new Error(`unknown kind ${ask.kind}`);
    // Each message a cold instance of its own would be too slow for a chat: one instance, fresh every 50.
    if ((cloudTurn += 1) % 50 === 0) cloudInstance = cloud.instance();
    const deliveries: Delivery[] = [];
    for (let i = 0; i < (ask.scenario === "retry3" ? 3 : 1); i += 1) {
      const lines: string[] = [];
      const restore = { log: console.log, warn: console.warn, error: console.error };
      const capture =
        (level: string) =>
        (...args: unknown[]) => {
          const line = `${level} ${args.map(String).join(" ")}`;
          lines.push(line);
          broadcast(line);
        };
      Object.assign(console, { log: capture("info"), warn: capture("warn"), error: capture("error") });
      let run: CloudRun;
      let model: Delivery["model"];
      try {
        ({ result: run, model } = await withModelCalls(() =>
          cloudInstance(message, PLAYGROUND_USER, CLOUD_CONTEXT),
        ));
      } finally {
        Object.assign(console, restore);
      }
      const returned = run.returned;
      const calls = run.calls.filter((call) => call.apiName === "customerServiceMessage.send");
      for (const call of calls) broadcast(`send customerServiceMessage ${JSON.stringify(call.payload)}`);
      deliveries.push({
        event: message,
        parsed: parse(message),
        answer: typeof returned === "string" ? returned : JSON.stringify(returned),
        ...(isPassiveReply(returned) ? { passive: returned } : {}),
        sends: calls.map((call) => call.payload),
        logs: lines,
        model,
      });
    }
    return deliveries;
  }

  // One delivery at a time: each collects its own logs and sends (and, on the cloud door, swaps console),
  // so two asks at once would swap each other's records.
  let turn: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work, work);
    turn = run.catch(() => undefined);
    return run;
  };
  let origins: readonly string[] = [];

  const page = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  const refuse = (res: ServerResponse, status: number, why: string) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
    res.end(why);
  };
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The page shows requests sealed with the demo secrets and streams the server's log: only to this
    // machine's own pages. A foreign Host is DNS rebinding; a foreign Origin is another site posting here.
    if (!origins.includes(`http://${req.headers.host ?? ""}`)) return refuse(res, 403, "forbidden host");
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.includes(origin)) return refuse(res, 403, "forbidden origin");
    if (req.method === "GET" && req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(fs.readFileSync(PAGE, "utf8"));
      return;
    }
    if (req.method === "GET" && req.url === "/events") {
      if (events.size >= MAX_EVENT_STREAMS) return refuse(res, 503, "too many log streams");
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write(": connected\n\n");
      events.add(res);
      req.on("close", () => events.delete(res));
      return;
    }
    if (req.method === "POST" && (req.url === "/api/message" || req.url === "/api/clock")) {
      // application/json only: a cross-site form or text/plain POST (no preflight) is refused.
      if (!/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
        return refuse(res, 415, "application/json only");
      const text = await readAll(req, MAX_ASK_BYTES);
      if (text === undefined) return refuse(res, 413, "too large");
      return req.url === "/api/message" ? message(text, res) : moveClock(text, res);
    }
    if (req.method === "GET" && req.url === "/api/state") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(JSON.stringify(await userState()));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("not found");
  }
  /** A chat message through the chosen door, and the user's state after it. */
  async function message(text: string, res: ServerResponse): Promise<void> {
    const ask = askOf(text);
    if (ask === undefined) return refuse(res, 400, "bad ask");
    const deliveries = await oneAtATime(() => (ask.door === "cloud" ? overCloud(ask) : overHttp(ask)));
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ ask, deliveries, state: await userState() }));
  }
  /** The HTTP door's clock moved on, and the user's state as it reads now. */
  async function moveClock(text: string, res: ServerResponse): Promise<void> {
    const advance = advanceOf(text);
    if (advance === undefined) return refuse(res, 400, "advanceMs: 0 to 7 days");
    offsetMs += advance;
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(await userState()));
  }
  // 127.0.0.1 only: the page shows requests built with the demo secrets.
  await new Promise<void>((resolve) => page.listen(port, "127.0.0.1", resolve));
  const { port: bound } = page.address() as AddressInfo;
  origins = [`http://127.0.0.1:${bound}`, `http://localhost:${bound}`];
  const url = `http://127.0.0.1:${bound}/`;
  return {
    url,
    address: page.address() as AddressInfo,
    async close() {
      for (const res of events) res.end();
      page.closeAllConnections();
      await new Promise<void>((resolve) => page.close(() => resolve()));
      push.server.closeAllConnections();
      await push.close();
      await cloud.close();
    },
  };
}

function demoEnv(): Record<string, string | undefined> {
  return {
    WECHAT_TOKEN: DEMO_SETTINGS.token,
    WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
    WECHAT_APPID: DEMO_SETTINGS.appid,
    // The playground shows every mode, plaintext included; a real server with a key refuses plaintext.
    WECHAT_PUSH_MODE: undefined,
  };
}

/**
 * Changes one character of the Encrypt value after signing, as a proxy on the way could: msg_signature no
 * longer matches. (In plaintext mode the body is not signed at all, so a change there would go unnoticed.)
 */
function tamper(built: BuiltRequest): BuiltRequest {
  const sealed = /"Encrypt":"([^"]+)"|<Encrypt><!\[CDATA\[([^\]]+)\]\]>/.exec(built.body);
  const value = sealed?.[1] ?? sealed?.[2];
  if (sealed === null || value === undefined)
    return { ...built, body: built.body.replace(/你好|[A-Za-z]/, "X") };
  const middle = Math.floor(value.length / 2);
  const flipped = value.slice(0, middle) + (value[middle] === "A" ? "B" : "A") + value.slice(middle + 1);
  return { ...built, body: built.body.replace(value, flipped) };
}

/** The passive reply in an answer: a plain one as it is, a sealed one decrypted with the demo key. */
function passiveOf(answer: string, format: BodyFormat): { passive?: unknown } {
  if (answer === "success" || answer === "" || !/transfer_customer_service|Encrypt/.test(answer)) return {};
  const sealed =
    format === "json"
      ? (JSON.parse(answer) as { Encrypt?: string }).Encrypt
      : /<Encrypt><!\[CDATA\[([^\]]*)\]\]><\/Encrypt>/.exec(answer)?.[1];
  if (sealed === undefined) return { passive: answer };
  return { passive: decrypt(decodeAesKey(DEMO_SETTINGS.encodingAESKey), DEMO_SETTINGS.appid, sealed) };
}

/** What the server opened and parsed, redone here with the demo settings for the page to show. */
function parsedOf(built: BuiltRequest, format: BodyFormat): Delivery["parsed"] {
  const sealed = /"Encrypt":"([^"]+)"|<Encrypt><!\[CDATA\[([^\]]+)\]\]>/.exec(built.body);
  const value = sealed?.[1] ?? sealed?.[2];
  try {
    const plain =
      value === undefined
        ? built.body
        : decrypt(decodeAesKey(DEMO_SETTINGS.encodingAESKey), DEMO_SETTINGS.appid, value);
    return parse(decodeBody(plain, format));
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

function parse(raw: unknown): Delivery["parsed"] {
  try {
    const { route, message } = parsePush(raw);
    return { route, message };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/** At most `limit` bytes; undefined (and the rest dropped) when the body is larger. */
function readAll(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** How far to move the clock on: a whole number of ms, up to a week. */
function advanceOf(text: string): number | undefined {
  try {
    const { advanceMs } = JSON.parse(text) as { advanceMs?: unknown };
    return Number.isSafeInteger(advanceMs) &&
      (advanceMs as number) >= 0 &&
      (advanceMs as number) <= MAX_ADVANCE_MS
      ? (advanceMs as number)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The page's ask, checked: anything else is refused before it reaches a door. */
function askOf(text: string): Ask | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const ask = value as Record<string, unknown>;
  const one = <T extends string>(field: string, allowed: readonly T[]): T | undefined =>
    allowed.find((option) => option === ask[field]);
  const kind = one("kind", ["text", "image", "miniprogrampage", "enter"] as const);
  const mode = one("mode", ["plaintext", "compatible", "secure"] as const);
  const format = one("format", ["json", "xml"] as const);
  const door = one("door", ["http", "cloud"] as const);
  const scenario = one("scenario", ["normal", "retry3", "wrong-token", "wrong-key", "tampered"] as const);
  const content = ask["content"] ?? "";
  if ([kind, mode, format, door, scenario].includes(undefined) || typeof content !== "string")
    return undefined;
  return { kind, mode, format, door, scenario, content } as Ask;
}

/** Runs until stopped (Ctrl+C). */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    console.log(
      "用法 Usage: wx-push playground   (PORT, default 8090)\n\n本地演练场：只监听 127.0.0.1，演示配置，无需账号、不联网。",
    );
    return 0;
  }
  try {
    const { url } = await startPlayground(Number(settingsOf(process.env)["PORT"] ?? 8090));
    console.log(`消息推送演练场已启动 playground on ${url}（只监听 127.0.0.1，Ctrl+C 退出）`);
    console.log("  演示配置 demo settings: Token AAAAA, EncodingAESKey 43×A, AppID wxba5fad812f8e6fb9");
    console.log(
      "  改了 bot.ts 或 handlers/ 后请重启演练场 (restart it after editing your bot: it loads the bot once)",
    );
  } catch (error) {
    console.error(`启动失败 (playground failed): ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  return new Promise<number>(() => {}); // runs until stopped
}
