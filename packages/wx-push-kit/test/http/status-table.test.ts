// The HTTP door (createHttpHandler) in process, against a scripted app: every answer of its status table,
// the mode × key matrix, freshness, the answer-by-the-budget race and the lines operators read. Written from
// a mutation run's survivors; each table row names what it pins down.
import { createCipheriv } from "node:crypto";
import type { App, DoorPorts, PushResult } from "../../src/core/app";
import type { TransferToAgent } from "../../src/core/passive";
import { parsePush, PushParseError } from "../../src/core/parse";
import type { SetTyping } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { MAX_BODY_BYTES } from "../../src/http/body";
import type { HttpConfig } from "../../src/http/config";
import { loadHttpConfig } from "../../src/http/config";
import type { HttpRequest, HttpResponse } from "../../src/http/handle";
import { createHttpHandler } from "../../src/http/handle";
import { signature } from "../../src/http/signature";
import { decodeAesKey, decrypt, encrypt } from "../../src/http/wx-crypto";
import type { BuiltRequest } from "../../src/local/push-request";
import { buildPushRequest, buildVerifyRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import type { LogEntry } from "../helpers/recording-log";
import { createRecordingLog } from "../helpers/recording-log";

const TOKEN = DEMO_SETTINGS.token;
const KEY = decodeAesKey(DEMO_SETTINGS.encodingAESKey);
const APPID = DEMO_SETTINGS.appid;
const ENV = {
  WECHAT_TOKEN: TOKEN,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: APPID,
};
/** No EncodingAESKey: plaintext pushes only. */
const PLAIN: HttpConfig = loadHttpConfig({ WECHAT_TOKEN: TOKEN });
/** A key and no WECHAT_PUSH_MODE: encrypted pushes only. */
const KEYED: HttpConfig = loadHttpConfig(ENV);
const TEXT_HEADERS = { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" };
const SUCCESS: HttpResponse = { status: 200, headers: TEXT_HEADERS, body: "success" };
const RETRY: HttpResponse = { status: 503, headers: TEXT_HEADERS, body: "retry" };

const MESSAGE = {
  ToUserName: "gh_97417a04a28d",
  FromUserName: "o-user",
  CreateTime: 1714112445,
  MsgType: "text",
  Content: "hi",
  MsgId: "6054768590064713728",
};
const INBOUND = parsePush(MESSAGE);
const TRANSFER: TransferToAgent = {
  MsgType: "transfer_customer_service",
  ToUserName: "o-user",
  FromUserName: "gh_97417a04a28d",
  CreateTime: 1714112446,
};
const RESULTS = {
  handled: { status: "handled", inbound: INBOUND, outcome: { route: "text", sent: 1 }, retry: false },
  retry: { status: "handled", inbound: INBOUND, outcome: { route: "text", sent: 0 }, retry: true },
  transfer: {
    status: "handled",
    inbound: INBOUND,
    outcome: { route: "text", sent: 0, reply: TRANSFER },
    retry: false,
    reply: TRANSFER,
  },
  duplicate: { status: "duplicate", inbound: INBOUND, state: "done", retry: false },
  busy: { status: "duplicate", inbound: INBOUND, state: "busy", retry: false },
  busyClosed: { status: "duplicate", inbound: INBOUND, state: "busy", retry: true },
  duplicateTransfer: { status: "duplicate", inbound: INBOUND, state: "done", reply: TRANSFER, retry: false },
  malformed: { status: "malformed", error: new PushParseError("MsgType", "a string") },
  storeDown: { status: "store-unavailable", inbound: INBOUND, error: new Error("down") },
} satisfies Record<string, PushResult>;

type Line = Omit<LogEntry, "fields"> & { fields?: LogEntry["fields"] };

interface DoorOptions {
  config?: HttpConfig;
  /** What the app answers; called once per push. Default: handled, one reply sent. */
  respond?: (raw: Record<string, unknown>) => Promise<PushResult>;
  typing?: SetTyping;
  now?: () => number;
}
/** The door over a scripted app that records what it was handed. */
function door(options: DoorOptions = {}) {
  const log = createRecordingLog();
  const calls: { raw: Record<string, unknown>; ports: DoorPorts }[] = [];
  const respond = options.respond ?? (() => Promise.resolve(RESULTS.handled));
  const app: App = {
    router: createRouter(),
    handle: (raw, ports) => {
      calls.push({ raw: raw as Record<string, unknown>, ports });
      return respond(raw as Record<string, unknown>);
    },
  };
  const send = () => Promise.resolve();
  const handle = createHttpHandler({
    app,
    config: options.config ?? KEYED,
    log,
    send,
    ...(options.typing === undefined ? {} : { typing: options.typing }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { handle, log, calls, send };
}

const asRequest = (built: Pick<BuiltRequest, "method" | "query" | "headers" | "body">): HttpRequest => ({
  method: built.method,
  query: built.query,
  headers: built.headers,
  body: built.body,
});
const push = (
  mode: "plaintext" | "compatible" | "secure",
  format: "json" | "xml" = "json",
  timestamp?: string,
) =>
  asRequest(
    buildPushRequest({
      message: MESSAGE,
      mode,
      format,
      settings: DEMO_SETTINGS,
      ...(timestamp === undefined ? {} : { timestamp }),
    }),
  );
/** A plaintext POST signed over exactly these query values (missing ones are absent from the query). */
const plainPost = (body: string, query: { timestamp?: string; nonce?: string }, contentType?: string) => ({
  method: "POST",
  query: { ...query, signature: signature(TOKEN, query.timestamp ?? "", query.nonce ?? "") },
  headers: contentType === undefined ? {} : { "content-type": contentType },
  body,
});
/** An encrypted POST whose Encrypt is `sealed`, correctly msg_signed. */
const sealedPost = (sealed: string, format: "json" | "xml" = "json", timestamp = "1714112445") => ({
  method: "POST",
  query: {
    timestamp,
    nonce: "42",
    encrypt_type: "aes",
    msg_signature: signature(TOKEN, timestamp, "42", sealed),
  },
  headers: { "content-type": format === "json" ? "application/json" : "text/xml" },
  body:
    format === "json"
      ? JSON.stringify({ ToUserName: "gh_x", Encrypt: sealed })
      : `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt></xml>`,
});
/** WeChat's envelope around raw bytes (which `encrypt` cannot produce: it takes a string). */
function sealBytes(message: Buffer, appid = APPID): string {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length);
  const plain = Buffer.concat([Buffer.alloc(16, 7), length, message, Buffer.from(appid)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv("aes-256-cbc", KEY, KEY.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString("base64");
}
const englishOf = (lines: Line[]) => lines.map((line) => line.message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the status table: plain-text answers, nosniff, 405 naming the methods", () => {
  test("URL verification echoes echostr as nosniff plain text", async () => {
    const { handle } = door();
    expect(await handle(asRequest(buildVerifyRequest(DEMO_SETTINGS, "echo-1")))).toEqual({
      status: 200,
      headers: TEXT_HEADERS,
      body: "echo-1",
    });
  });

  test.each(["PUT", "DELETE", "get", ""])(
    "%j → 405 with Allow: GET, POST, and the app is not called",
    async (method) => {
      const { handle, calls } = door();
      expect(await handle({ ...push("secure"), method })).toEqual({
        status: 405,
        headers: { ...TEXT_HEADERS, allow: "GET, POST" },
        body: "method not allowed",
      });
      expect(calls).toEqual([]);
    },
  );

  test("a refusal is terse plain text too", async () => {
    const { handle } = door();
    expect(
      await handle({ ...push("secure"), query: { ...push("secure").query, msg_signature: "0".repeat(40) } }),
    ).toEqual({
      status: 401,
      headers: TEXT_HEADERS,
      body: "unauthorized",
    });
  });

  test("an app that throws is a 500 and one error line with the cause", async () => {
    const { handle, log } = door({
      respond: () => {
        throw new Error("handler exploded");
      },
    });
    expect(await handle(push("secure"))).toEqual({
      status: 500,
      headers: TEXT_HEADERS,
      body: "internal error",
    });
    expect(log.entries).toContainEqual({
      level: "error",
      message: expect.stringContaining("http door failed") as string,
      fields: { error: "handler exploded" },
    });
  });

  test("a key of the wrong size (a broken config, not a bad push) is a 500, never a 4xx refusal", async () => {
    const { handle, log } = door({ config: { ...KEYED, aesKey: Buffer.alloc(16, 1) } });
    const sealed = encrypt(KEY, APPID, "<xml><MsgType>text</MsgType></xml>");
    expect(await handle(sealedPost(sealed))).toMatchObject({ status: 500, body: "internal error" });
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: expect.stringContaining("http door failed") as string,
      }),
    );
  });
});

describe("URL verification (GET)", () => {
  test.each<[string, HttpRequest["query"], HttpResponse["status"], string | undefined]>([
    [
      "no timestamp or nonce: signed over empty strings",
      { signature: signature(TOKEN, "", ""), echostr: "e" },
      200,
      undefined,
    ],
    [
      "echostr missing",
      { signature: signature(TOKEN, "1", "2"), timestamp: "1", nonce: "2" },
      400,
      "URL verification without echostr",
    ],
    [
      "echostr empty",
      { signature: signature(TOKEN, "1", "2"), timestamp: "1", nonce: "2", echostr: "" },
      400,
      "URL verification without echostr",
    ],
    [
      "bad signature",
      { signature: "0".repeat(40), timestamp: "1", nonce: "2", echostr: "e" },
      401,
      "refused: bad signature",
    ],
  ])("%s → %i", async (_label, query, status, line) => {
    const { handle, log } = door();
    const answer = await handle({ method: "GET", query, headers: {}, body: "" });
    expect(answer.status).toBe(status);
    if (line === undefined) expect(answer.body).toBe("e");
    else expect(log.entries).toEqual([{ level: "warn", message: expect.stringContaining(line) as string }]);
  });
});

describe("which pushes each configuration accepts", () => {
  const noAppid: HttpConfig = { token: TOKEN, aesKey: KEY, budgetMs: 4000 };
  const withMode = (mode: string) => loadHttpConfig({ ...ENV, WECHAT_PUSH_MODE: mode });
  const noEncrypt = (): HttpRequest => {
    const built = push("secure");
    return { ...built, body: JSON.stringify({ ToUserName: "gh_x" }) };
  };
  test.each<[string, HttpConfig, () => HttpRequest, number, string | undefined]>([
    ["no key: plaintext accepted", PLAIN, () => push("plaintext"), 200, undefined],
    [
      "no key: plaintext with no timestamp/nonce, signed over empty strings",
      PLAIN,
      () => plainPost(JSON.stringify(MESSAGE), {}, "application/json"),
      200,
      undefined,
    ],
    [
      "no key: encrypted refused for the missing key",
      PLAIN,
      () => push("secure"),
      400,
      "encrypted push, no key configured",
    ],
    [
      "appid, key missing: encrypted refused for the missing key",
      loadHttpConfig({ WECHAT_TOKEN: TOKEN, WECHAT_APPID: APPID }),
      () => push("secure"),
      400,
      "encrypted push, no key configured",
    ],
    [
      "key, appid missing: encrypted refused for the missing key",
      noAppid,
      () => push("secure"),
      400,
      "encrypted push, no key configured",
    ],
    [
      "key, no mode: plaintext refused",
      KEYED,
      () => push("plaintext"),
      401,
      "plaintext push while an EncodingAESKey is set",
    ],
    ["key, no mode: secure accepted", KEYED, () => push("secure"), 200, undefined],
    ["key, no mode: compatible accepted", KEYED, () => push("compatible", "xml"), 200, undefined],
    ["mode plaintext: plaintext accepted", withMode("plaintext"), () => push("plaintext"), 200, undefined],
    [
      "mode plaintext: encrypted refused",
      withMode("plaintext"),
      () => push("secure"),
      400,
      "refused: not in the configured mode",
    ],
    [
      "mode secure: plaintext refused",
      withMode("secure"),
      () => push("plaintext"),
      400,
      "refused: not in the configured mode",
    ],
    [
      "mode secure: compatible refused",
      withMode("secure"),
      () => push("compatible"),
      400,
      "refused: not in the configured mode",
    ],
    [
      "mode compatible: secure refused",
      withMode("compatible"),
      () => push("secure", "xml"),
      400,
      "refused: not in the configured mode",
    ],
    ["mode secure: secure accepted", withMode("secure"), () => push("secure", "xml"), 200, undefined],
    [
      "mode compatible: compatible accepted",
      withMode("compatible"),
      () => push("compatible"),
      200,
      undefined,
    ],
    ["encrypted without an Encrypt field", KEYED, noEncrypt, 400, "refused: no readable Encrypt field"],
    [
      "plaintext, bad signature",
      PLAIN,
      () => ({ ...push("plaintext"), query: { ...push("plaintext").query, signature: "0".repeat(40) } }),
      401,
      "refused: bad signature",
    ],
    [
      "secure, bad msg_signature",
      KEYED,
      () => ({ ...push("secure"), query: { ...push("secure").query, msg_signature: "0".repeat(40) } }),
      401,
      "refused: bad signature",
    ],
  ])("%s", async (_label, config, request, status, line) => {
    const { handle, log, calls } = door({ config });
    const answer = await handle(request());
    expect(answer.status).toBe(status);
    if (line === undefined) {
      expect(answer).toEqual(SUCCESS);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.raw).toMatchObject({ MsgType: "text", Content: "hi", FromUserName: "o-user" });
    } else {
      expect(calls).toEqual([]);
      expect(log.entries).toEqual([{ level: "warn", message: expect.stringContaining(line) as string }]);
    }
  });
});

describe("bodies: the size cap, the declared format, the decrypt checks", () => {
  const signed = { timestamp: "1714037059", nonce: "486452656" };
  test.each<[string, HttpConfig, () => HttpRequest, number, Line["fields"], string]>([
    // Before the signature: an oversized body is never even authenticated.
    [
      "one byte over the cap, unsigned",
      PLAIN,
      () => ({ ...plainPost("x".repeat(MAX_BODY_BYTES + 1), signed), query: {} }),
      413,
      undefined,
      "refused: body over the size cap",
    ],
    [
      "exactly the cap, unsigned: read, then refused for its signature",
      PLAIN,
      () => ({ ...plainPost("x".repeat(MAX_BODY_BYTES), signed), query: {} }),
      401,
      undefined,
      "refused: bad signature",
    ],
    [
      "a JSON array",
      PLAIN,
      () => plainPost("[1]", signed),
      400,
      { code: "not-json-or-xml" },
      "refused: bad body",
    ],
    [
      "sealed for another appid",
      KEYED,
      () => sealedPost(encrypt(KEY, "wx0000000000000000", "{}")),
      400,
      undefined,
      "refused: appid mismatch",
    ],
    [
      "sealed with another key",
      KEYED,
      () => sealedPost(encrypt(decodeAesKey("B".repeat(43)), APPID, "{}")),
      400,
      { code: "bad-padding" },
      "refused: cannot decrypt",
    ],
    [
      "not whole AES blocks",
      KEYED,
      () => sealedPost("AAAA"),
      400,
      { code: "bad-block-size" },
      "refused: cannot decrypt",
    ],
    // Authenticated, yet its invalid UTF-8 decodes to three bytes a byte: over the cap once decrypted.
    [
      "a decrypted body over the cap",
      KEYED,
      () => sealedPost(sealBytes(Buffer.concat([Buffer.from("{"), Buffer.alloc(30_000, 0xff)]))),
      400,
      { code: "body-too-large" },
      "refused: cannot decrypt",
    ],
  ])("%s", async (_label, config, request, status, fields, line) => {
    const { handle, log, calls } = door({ config });
    expect((await handle(request())).status).toBe(status);
    expect(calls).toEqual([]);
    expect(log.entries).toEqual([
      fields === undefined
        ? { level: "warn", message: expect.stringContaining(line) as string }
        : { level: "warn", message: expect.stringContaining(line) as string, fields },
    ]);
  });

  test("the decrypted XML is WeChat's own (msg_signature matched): it is parsed without the strict check", async () => {
    const { handle, calls } = door();
    const inner =
      "<xml><FromUserName>o-amp</FromUserName><MsgType>text</MsgType><Content>a & b</Content></xml>";
    expect(await handle(sealedPost(encrypt(KEY, APPID, inner), "xml"))).toEqual(SUCCESS);
    expect(calls[0]?.raw).toEqual({ FromUserName: "o-amp", MsgType: "text", Content: "a & b" });
  });
});

describe("PUSH_MAX_AGE_S: freshness by the injected clock", () => {
  const NOW = 1_700_000_000_000;
  const now = () => NOW;
  const aged: HttpConfig = { ...PLAIN, maxAgeS: 300 };
  test.each<[string, boolean]>([
    ["1700000000", true],
    ["1699999700", true], // exactly PUSH_MAX_AGE_S old
    ["1700000300", true], // exactly PUSH_MAX_AGE_S ahead
    ["1699999699", false],
    ["1700000301", false],
    [" 1700000000", false], // Number() would accept these; the signed text must be digits only
    ["1700000000 ", false],
    ["1.7e9", false],
    ["0001700000000", false], // 13 digits
    ["", false],
  ])("plaintext signed at %j: accepted %s", async (timestamp, accepted) => {
    const { handle, log } = door({ config: aged, now });
    const answer = await handle(plainPost(JSON.stringify(MESSAGE), { timestamp, nonce: "1" }));
    if (accepted) expect(answer).toEqual(SUCCESS);
    else {
      expect(answer.status).toBe(401);
      expect(englishOf(log.entries)).toEqual([expect.stringContaining("refused: stale timestamp")]);
    }
  });

  test.each<[string, boolean]>([
    ["1700000000", true],
    ["1699999000", false],
  ])("secure signed at %s: accepted %s", async (timestamp, accepted) => {
    const { handle, log } = door({ config: { ...KEYED, maxAgeS: 300 }, now });
    const answer = await handle(push("secure", "json", timestamp));
    if (accepted) expect(answer).toEqual(SUCCESS);
    else {
      expect(answer.status).toBe(401);
      expect(englishOf(log.entries)).toEqual([expect.stringContaining("refused: stale timestamp")]);
    }
  });

  test("unset, any signed time is accepted", async () => {
    const { handle } = door({ config: PLAIN, now });
    expect(await handle(plainPost(JSON.stringify(MESSAGE), { timestamp: "1", nonce: "1" }))).toEqual(SUCCESS);
  });
});

describe("what the app is handed", () => {
  test("the sender as recipient, the door's send, typing and the deadline when there are some", async () => {
    const typing: SetTyping = () => Promise.resolve();
    const { handle, calls, send } = door({ typing });
    const deadline = Date.now() + 60_000;
    await handle({ ...push("secure"), deadline });
    const ports = calls[0]?.ports;
    expect(Object.keys(ports ?? {}).sort()).toEqual(["deadline", "recipientOf", "send", "typing"]);
    expect(ports?.send).toBe(send);
    expect(ports?.typing).toBe(typing);
    expect(ports?.deadline).toBe(deadline);
    expect(ports?.recipientOf(INBOUND.message)).toBe("o-user");
  });

  test("no typing and no deadline: the keys are absent, not undefined", async () => {
    const { handle, calls } = door();
    await handle(push("secure"));
    expect(Object.keys(calls[0]?.ports ?? {}).sort()).toEqual(["recipientOf", "send"]);
  });
});

describe("answers by the app's result", () => {
  test.each<[string, PushResult, HttpResponse]>([
    ["handled", RESULTS.handled, SUCCESS],
    ["handled, claim released for a retry", RESULTS.retry, RETRY],
    ["duplicate", RESULTS.duplicate, SUCCESS],
    ["busy (another delivery holds it)", RESULTS.busy, SUCCESS],
    ["busy under the closed policy: WeChat is asked to deliver again", RESULTS.busyClosed, RETRY],
    ["malformed (authentic, nothing to do)", RESULTS.malformed, SUCCESS],
    ["store unavailable", RESULTS.storeDown, RETRY],
  ])("%s", async (_label, result, answer) => {
    const { handle } = door({ respond: () => Promise.resolve(result) });
    expect(await handle(push("secure"))).toEqual(answer);
  });

  test.each<[string, PushResult]>([
    ["handled", RESULTS.transfer],
    ["duplicate", RESULTS.duplicateTransfer],
  ])("a passive reply (%s) is the answer, in the push's format", async (_label, result) => {
    const { handle } = door({ config: PLAIN, respond: () => Promise.resolve(result) });
    expect(await handle(push("plaintext", "json"))).toEqual({
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(TRANSFER),
    });
  });

  test("an encrypted push's passive reply is sealed with its nonce and the door's own clock", async () => {
    const NOW = 1_714_112_445_678;
    const { handle } = door({ respond: () => Promise.resolve(RESULTS.transfer), now: () => NOW });
    const request = sealedPost(encrypt(KEY, APPID, JSON.stringify(MESSAGE)), "json", "1714112440");
    const answer = await handle(request);
    expect(answer.headers).toEqual({ "content-type": "application/json; charset=utf-8" });
    const envelope = JSON.parse(answer.body) as {
      Encrypt: string;
      MsgSignature: string;
      TimeStamp: number;
      Nonce: string;
    };
    expect(envelope.TimeStamp).toBe(1714112445);
    expect(envelope.Nonce).toBe("42");
    expect(envelope.MsgSignature).toBe(signature(TOKEN, "1714112445", "42", envelope.Encrypt));
    expect(JSON.parse(decrypt(KEY, APPID, envelope.Encrypt))).toEqual(TRANSFER);
  });

  test.each<[string, HttpConfig, () => HttpRequest, string]>([
    ["plaintext", PLAIN, () => push("plaintext"), "plaintext"],
    ["secure", KEYED, () => push("secure"), "secure"],
    ["compatible", KEYED, () => push("compatible", "xml"), "compatible"],
  ])("a handled %s push is logged with its mode, route and sends", async (_label, config, request, mode) => {
    const { handle, log } = door({ config });
    await handle(request());
    expect(log.entries).toEqual([
      {
        level: "info",
        message: expect.stringContaining("push handled") as string,
        fields: { mode, route: "text", sent: 1 },
      },
    ]);
  });
});

describe("answering by the budget", () => {
  /** An app whose result comes when the test says so. */
  function slowApp() {
    let settle: (result: PushResult | Error) => void = () => {};
    const respond = () =>
      new Promise<PushResult>((resolve, reject) => {
        settle = (result) => (result instanceof Error ? reject(result) : resolve(result));
      });
    return { respond, settle: (result: PushResult | Error) => settle(result) };
  }

  test("a result inside the budget is the answer: the timer does not fire early", async () => {
    const { handle } = door({
      config: { ...KEYED, budgetMs: 1000 },
      respond: () => sleep(40).then(() => RESULTS.retry),
    });
    expect(await handle(push("secure"))).toEqual(RETRY);
  });

  test("a result inside the budget and before a far deadline is the answer too", async () => {
    const { handle } = door({
      config: { ...KEYED, budgetMs: 1000 },
      respond: () => sleep(40).then(() => RESULTS.retry),
    });
    expect(await handle({ ...push("secure"), deadline: Date.now() + 5000 })).toEqual(RETRY);
  });

  test("past the budget: success at the budget, a warning with the budget and mode", async () => {
    const slow = slowApp();
    const { handle, log } = door({ config: { ...KEYED, budgetMs: 80 }, respond: slow.respond });
    const started = Date.now();
    expect(await handle(push("compatible"))).toEqual(SUCCESS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(log.entries).toEqual([
      {
        level: "warn",
        message: expect.stringContaining("handler still running at the deadline; answered success") as string,
        fields: { budgetMs: 80, mode: "compatible" },
      },
    ]);
    slow.settle(RESULTS.handled);
  });

  test("a deadline before the budget answers by the deadline", async () => {
    const slow = slowApp();
    const { handle } = door({ config: { ...KEYED, budgetMs: 4000 }, respond: slow.respond });
    // The 4 s budget would outlast this test's 3 s timeout: answering at all means the deadline decided.
    expect(await handle({ ...push("secure"), deadline: Date.now() + 60 })).toEqual(SUCCESS);
    slow.settle(RESULTS.handled);
  }, 3000);

  test.each<[string, PushResult | Error, Line]>([
    [
      "sends kept failing: the push stays unanswered",
      RESULTS.retry,
      {
        level: "error",
        message: "push stays unanswered: sends failed after the deadline",
        fields: { route: "text" },
      },
    ],
    [
      "a passive reply came too late",
      RESULTS.transfer,
      {
        level: "error",
        message: "passive reply missed the deadline",
        fields: { MsgType: "transfer_customer_service" },
      },
    ],
    [
      "a duplicate's passive reply came too late",
      RESULTS.duplicateTransfer,
      {
        level: "error",
        message: "passive reply missed the deadline",
        fields: { MsgType: "transfer_customer_service" },
      },
    ],
    [
      "handled",
      RESULTS.handled,
      { level: "info", message: "late push finished", fields: { status: "handled" } },
    ],
    [
      "duplicate",
      RESULTS.duplicate,
      { level: "info", message: "late push finished", fields: { status: "duplicate" } },
    ],
    [
      "malformed",
      RESULTS.malformed,
      { level: "info", message: "late push finished", fields: { status: "malformed" } },
    ],
    [
      "the app failed",
      new Error("boom"),
      { level: "error", message: "late push failed", fields: { error: "Error: boom" } },
    ],
  ])("the late result is logged: %s", async (_label, result, line) => {
    const slow = slowApp();
    const { handle, log } = door({ config: { ...KEYED, budgetMs: 20 }, respond: slow.respond });
    expect(await handle(push("secure"))).toEqual(SUCCESS);
    slow.settle(result);
    await sleep(5);
    expect(log.entries.slice(1)).toEqual([
      { level: line.level, message: expect.stringContaining(line.message) as string, fields: line.fields },
    ]);
  });
});
