// One test per mutant that a hand-made mutation run found surviving the suite (issue: tests that catch
// the bugs that matter). Each fails on its mutant and passes on the real code.
import { request } from "node:http";
import fc from "fast-check";
import { createApp } from "../../src/core/app";
import { dedupeKey } from "../../src/core/dedupe";
import type { AnyMessage } from "../../src/core/message";
import { parsePush } from "../../src/core/parse";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { classifyFailure } from "../../src/core/send-errors";
import { DeadlineError } from "../../src/core/send-retry";
import { MAX_BODY_BYTES } from "../../src/http/body";
import { loadHttpConfig } from "../../src/http/config";
import { createHttpHandler } from "../../src/http/handle";
import type { DecryptError } from "../../src/http/wx-crypto";
import { decodeAesKey, decrypt } from "../../src/http/wx-crypto";
import { createCipheriv } from "node:crypto";
import { buildPushRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { close, listen, send } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";
import { runKit } from "../helpers/kit-cli";

const ENV = {
  WECHAT_TOKEN: DEMO_SETTINGS.token,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: DEMO_SETTINGS.appid,
};
const text = (Content: string, MsgId: string) => ({
  ToUserName: "gh_x",
  FromUserName: "o-user",
  CreateTime: 1714112445,
  MsgType: "text",
  Content,
  MsgId,
});

function seeing() {
  const seen: AnyMessage[] = [];
  const sent: SendPayload[] = [];
  const router = createRouter()
    .on("text", async ({ message, reply }) => {
      seen.push(message);
      await reply.text("收到");
    })
    .otherwise(({ message }) => void seen.push(message));
  return { seen, sent, router, send: (p: SendPayload) => Promise.resolve(void sent.push(p)) };
}

test("compatible mode hands the handler the decrypted copy, never the unauthenticated plaintext one", async () => {
  const { seen, router, send: record } = seeing();
  const handle = createHttpHandler({
    app: createApp({ router }),
    config: loadHttpConfig(ENV),
    log: silent,
    send: record,
  });
  const built = buildPushRequest({
    message: text("真的", "9001"),
    mode: "compatible",
    format: "json",
    settings: DEMO_SETTINGS,
  });
  // msg_signature covers Encrypt only: an attacker on the path can rewrite the plaintext copy freely.
  const body = built.body.replace('"Content":"真的"', '"Content":"伪造的"');
  expect(body).toContain("伪造的");
  await handle({ method: "POST", query: built.query, headers: built.headers, body });
  expect(seen.map((m) => (m as { Content?: string }).Content)).toEqual(["真的"]);
});

describe("the body cap", () => {
  let base = "";
  let stop = () => Promise.resolve();
  beforeAll(async () => {
    const { router, send: record } = seeing();
    const server = createTestServer({
      router,
      config: loadHttpConfig({ ...ENV, WECHAT_PUSH_MODE: "plaintext" }),
      send: record,
    });
    base = await listen(server);
    stop = () => close(server);
  });
  afterAll(() => stop());

  /**
   * A chunked request (no Content-Length) that is never finished: only a cap applied while the body streams
   * in can answer it; a server that buffers to the end would wait forever (this test's timeout trips).
   */
  const chunked = (bytes: number) =>
    new Promise<number>((resolve) => {
      const { port } = new URL(base);
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/?signature=x&timestamp=1&nonce=2",
          headers: { "transfer-encoding": "chunked" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", () => resolve(-1));
      for (let sent = 0; sent < bytes; sent += 16 * 1024)
        req.write("x".repeat(Math.min(16 * 1024, bytes - sent)));
      // No req.end(): the body never finishes.
    });

  test("a chunked body with no Content-Length is cut at the cap (413), not buffered before authentication", async () => {
    expect(await chunked(MAX_BODY_BYTES + 1)).toBe(413);
  }, 4000);

  test("exactly 64 KiB is within the cap; one byte more is not", async () => {
    const at = (size: number) =>
      send(base, {
        method: "POST",
        path: "/?signature=x&timestamp=1&nonce=2",
        headers: {},
        body: "x".repeat(size),
      });
    expect((await at(MAX_BODY_BYTES)).status).toBe(401); // read whole, then refused for its signature
    expect((await at(MAX_BODY_BYTES + 1)).status).toBe(413);
  });
});

test("PUSH_DEDUPE_FAIL=closed: a store outage answers 503 on the HTTP door, so WeChat retries", async () => {
  const { router, send: record, sent } = seeing();
  const down = {
    claim: () => Promise.reject(new Error("down")),
    complete: () => Promise.reject(new Error("down")),
    release: () => Promise.reject(new Error("down")),
  };
  const handle = createHttpHandler({
    app: createApp({ router, store: down, dedupeFailure: "closed" }),
    config: loadHttpConfig(ENV),
    log: silent,
    send: record,
  });
  const built = buildPushRequest({
    message: text("x", "9002"),
    mode: "secure",
    format: "json",
    settings: DEMO_SETTINGS,
  });
  expect(
    await handle({ method: "POST", query: built.query, headers: built.headers, body: built.body }),
  ).toMatchObject({
    status: 503,
  });
  expect(sent).toEqual([]);
});

test("callback-config upload --dry-run never prints the AppSecret", () => {
  const secret = "this-is-the-app-secret-42";
  const run = runKit(["callback-config", "upload", "--dry-run"], {
    env: {
      ...process.env,
      WECHAT_APPID: "wx1234567890abcdef",
      WECHAT_APPSECRET: secret,
      CLOUDBASE_ENV_ID: "prod-1a2b3c",
    },
  });
  expect(run.status).toBe(0);
  expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
});

test.each<[string, unknown]>([
  ["a node timeout code", Object.assign(new Error("socket hang"), { code: "ETIMEDOUT" })],
  ["a timeout in the message, no errcode", new Error("request timed out after 3000 ms")],
  ["the push's own deadline", new DeadlineError(100)],
  ["a reset connection", Object.assign(new Error("reset"), { code: "ECONNRESET" })],
])("a failure without errcode is transient when it is %s", (_label, error) => {
  expect(classifyFailure(error)).toBe("transient");
});

test("a handler bug without errcode is permanent (retrying only spends quota)", () => {
  expect(classifyFailure(new TypeError("cannot read properties of undefined"))).toBe("permanent");
});

test("two different events of one user in one second have different dedupe keys", () => {
  const event = (Event: string) =>
    parsePush({
      ToUserName: "wx",
      FromUserName: "o",
      CreateTime: 1,
      MsgType: "event",
      Event,
      SessionFrom: "x",
    }).message;
  expect(dedupeKey(event("user_enter_tempsession"))).not.toBe(dedupeKey(event("debug_demo")));
});

test("a modelled route with no handler falls back to otherwise", async () => {
  const seen: string[] = [];
  const router = createRouter().otherwise(({ message }) => void seen.push(message.MsgType));
  await router.dispatch(parsePush(text("x", "1")), {
    openid: "o",
    log: silent,
    send: () => Promise.resolve(),
  });
  expect(seen).toEqual(["text"]);
});

test("a pad byte of 0 is refused, never read as 'no padding'", () => {
  const key = decodeAesKey(DEMO_SETTINGS.encodingAESKey);
  // random(16) ‖ len ‖ "hi" ‖ appid, then filled to a whole block with zeros: pad byte 0.
  const body = Buffer.from("hi");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([Buffer.alloc(16, 1), length, body, Buffer.from(DEMO_SETTINGS.appid)]);
  const padded = Buffer.concat([plain, Buffer.alloc(32 - (plain.length % 32), 0)]);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  const sealed = Buffer.concat([cipher.update(padded), cipher.final()]).toString("base64");
  expect(() => decrypt(key, DEMO_SETTINGS.appid, sealed)).toThrow(
    expect.objectContaining({ code: "bad-padding" }) as DecryptError,
  );
});

test("property: a push without a valid msg_signature is never handled, whatever its body", async () => {
  const { seen, router, send: record } = seeing();
  const handle = createHttpHandler({
    app: createApp({ router }),
    config: loadHttpConfig(ENV),
    log: silent,
    send: record,
  });
  const genuine = buildPushRequest({
    message: text("x", "9003"),
    mode: "secure",
    format: "json",
    settings: DEMO_SETTINGS,
  });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), fc.string()),
      fc.oneof(
        fc.constant(genuine.body),
        fc.string(),
        fc.base64String().map((b) => `{"Encrypt":"${b}"}`),
      ),
      async (msgSignature, body) => {
        fc.pre(msgSignature !== genuine.query["msg_signature"]);
        const answer = await handle({
          method: "POST",
          query: { ...genuine.query, msg_signature: msgSignature },
          headers: {},
          body,
        });
        expect(answer.status).toBeGreaterThanOrEqual(400);
      },
    ),
    { numRuns: 300 },
  );
  expect(seen).toEqual([]);
});

const silent = { info() {}, warn() {}, error() {} };
