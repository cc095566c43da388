// The developer-server door over real HTTP on 127.0.0.1, with requests built by the push simulator.
import type { Server } from "node:http";
import type { AnyMessage } from "../../src/core/message";
import { parsePush } from "../../src/core/parse";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import type { HttpConfig } from "../../src/http/config";
import { loadHttpConfig } from "../../src/http/config";
import { signature } from "../../src/http/signature";
import { messageOf } from "../../src/cli/push";
import type { BuiltRequest } from "../../src/local/push-request";
import { buildPushRequest, buildVerifyRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { close, listen, send } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";

const DEMO_ENV = {
  WECHAT_TOKEN: DEMO_SETTINGS.token,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: DEMO_SETTINGS.appid,
};

function startServer(config: HttpConfig = loadHttpConfig(DEMO_ENV), failSend?: Error) {
  const seen: AnyMessage[] = [];
  const sent: SendPayload[] = [];
  const app = createRouter()
    .on(["text", "image", "miniprogrampage", "event.user_enter_tempsession"], async ({ message, reply }) => {
      seen.push(message);
      await reply.text("收到");
    })
    .otherwise(({ message }) => void seen.push(message));
  const server = createTestServer({
    router: app,
    config,
    send: (payload) => (failSend ? Promise.reject(failSend) : Promise.resolve(void sent.push(payload))),
  });
  return { server, seen, sent };
}

/** One server per describe block, started before its tests and closed after them. */
function useServer(env: Record<string, string> = DEMO_ENV): {
  base: string;
  seen: AnyMessage[];
  sent: SendPayload[];
} {
  const live = {
    base: "",
    seen: [] as AnyMessage[],
    sent: [] as SendPayload[],
    server: undefined as Server | undefined,
  };
  beforeAll(async () => {
    const started = startServer(loadHttpConfig(env));
    Object.assign(live, started);
    live.base = await listen(started.server);
  });
  afterAll(() => (live.server === undefined ? undefined : close(live.server)));
  return live;
}

/** Plaintext mode must be chosen explicitly once a key is set: its signature does not cover the body. */
const PLAINTEXT_ENV = { ...DEMO_ENV, WECHAT_PUSH_MODE: "plaintext" };

describe("documented examples over HTTP", () => {
  const live = useServer();
  const plaintext = useServer(PLAINTEXT_ENV);

  test("URL verification echoes echostr", async () => {
    const path =
      "/revice?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&echostr=4375120948345356249&timestamp=1714036504&nonce=1514711492";
    expect(await send(live.base, { method: "GET", path, headers: {}, body: "" })).toEqual({
      status: 200,
      body: "4375120948345356249",
    });
  });

  test("plaintext JSON push is answered success and routed", async () => {
    const body =
      '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714037059,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}';
    const path =
      "/recive?signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059&nonce=486452656";
    const answer = await send(plaintext.base, {
      method: "POST",
      path,
      headers: { "content-type": "application/json" },
      body,
    });
    expect(answer).toEqual({ status: 200, body: "success" });
    expect(plaintext.seen.at(-1)).toMatchObject({
      MsgType: "event",
      Event: "debug_demo",
      CreateTime: 1714037059,
    });
  });

  test("secure-mode JSON push from the docs is decrypted and routed", async () => {
    const path =
      "/recive?signature=6c5c811b55cc85e0e1b54100749188c20beb3f5d&timestamp=1714112445&nonce=415670741&openid=o9AgO5Kd5ggOC-bXrbNODIiE3bGY&encrypt_type=aes&msg_signature=046e02f8204d34f8ba5fa3b1db94908f3df2e9b3";
    const body = JSON.stringify({
      ToUserName: "gh_97417a04a28d",
      Encrypt:
        "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=",
    });
    const answer = await send(live.base, {
      method: "POST",
      path,
      headers: { "content-type": "application/json" },
      body,
    });
    expect(answer).toEqual({ status: 200, body: "success" });
    expect(live.seen.at(-1)).toMatchObject({
      Event: "debug_demo",
      CreateTime: 1714112445,
    });
  });
});

describe("every mode × format round-trips to the same typed message as the cloud path", () => {
  const encrypted = useServer();
  const plaintext = useServer(PLAINTEXT_ENV);

  const cases = (["plaintext", "compatible", "secure"] as const).flatMap((mode) =>
    (["json", "xml"] as const).flatMap((format) =>
      ["text", "image", "miniprogrampage", "enter"].map((kind) => [mode, format, kind] as const),
    ),
  );
  let n = 0;
  test.each(cases)("%s · %s · %s", async (mode, format, kind) => {
    n += 1;
    // A 64-bit MsgId: exact only if the door never lets it become a JS number.
    const message = messageOf(
      kind,
      `内容 <&> ]]> ${n}`,
      `o-user-${n}`,
      `60547685900647${String(n).padStart(5, "0")}`,
    );
    if (message === undefined) throw new Error(kind);
    const built = buildPushRequest({
      message,
      mode,
      format,
      settings: DEMO_SETTINGS,
    });
    const live = mode === "plaintext" ? plaintext : encrypted;
    expect(await send(live.base, built)).toEqual({ status: 200, body: "success" });
    expect(live.seen.at(-1)).toEqual(parsePush(message).message);
    expect(live.sent.at(-1)).toEqual({
      touser: `o-user-${n}`,
      msgtype: "text",
      text: { content: "收到" },
    });
  });
});

describe("bad input", () => {
  const live = useServer(PLAINTEXT_ENV);
  const encrypted = useServer();

  const text = () => messageOf("text", "hi", "o-bad", undefined) as Record<string, unknown>;
  const secure = () =>
    buildPushRequest({
      message: text(),
      mode: "secure",
      format: "json",
      settings: DEMO_SETTINGS,
    });
  const plain = (body: string, contentType = "application/json"): BuiltRequest => {
    const query = {
      signature: signature("AAAAA", "1714037059", "486452656"),
      timestamp: "1714037059",
      nonce: "486452656",
    };
    return {
      method: "POST",
      path: `/?${new URLSearchParams(query).toString()}`,
      query,
      headers: { "content-type": contentType },
      body,
    };
  };
  /** Re-signs a secure request whose Encrypt was altered, so only the decrypt checks can catch it. */
  const resealed = (encrypt: string): BuiltRequest => {
    const built = secure();
    const query = {
      ...built.query,
      msg_signature: signature("AAAAA", built.query["timestamp"] ?? "", built.query["nonce"] ?? "", encrypt),
    };
    return {
      ...built,
      path: `/?${new URLSearchParams(query).toString()}`,
      body: JSON.stringify({ ToUserName: "gh_x", Encrypt: encrypt }),
    };
  };
  const tampered = (built: BuiltRequest, name: string): BuiltRequest => {
    const query = { ...built.query, [name]: "0".repeat(40) };
    return { ...built, path: `/?${new URLSearchParams(query).toString()}` };
  };
  const sealedOf = (built: BuiltRequest) => (JSON.parse(built.body) as { Encrypt: string }).Encrypt;

  test.each<[string, () => BuiltRequest, number]>([
    [
      "a tampered signature (plaintext)",
      () =>
        tampered(
          buildPushRequest({
            message: text(),
            mode: "plaintext",
            format: "json",
            settings: DEMO_SETTINGS,
          }),
          "signature",
        ),
      401,
    ],
    ["a tampered msg_signature (secure)", () => tampered(secure(), "msg_signature"), 401],
    ["a missing signature", () => ({ ...plain("{}"), path: "/?timestamp=1&nonce=2" }), 401],
    [
      "a body for another appid",
      () =>
        buildPushRequest({
          message: text(),
          mode: "secure",
          format: "json",
          settings: { ...DEMO_SETTINGS, appid: "wx0000000000000000" },
        }),
      400,
    ],
    [
      "bad padding (another key)",
      () =>
        resealed(
          sealedOf(
            buildPushRequest({
              message: text(),
              mode: "secure",
              format: "json",
              settings: { ...DEMO_SETTINGS, encodingAESKey: "B".repeat(43) },
            }),
          ),
        ),
      400,
    ],
    ["truncated base64", () => resealed(sealedOf(secure()).slice(0, -7)), 400],
    [
      "XML with a DOCTYPE and an entity",
      () =>
        plain(
          '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><xml><MsgType>&e;</MsgType></xml>',
          "text/xml",
        ),
      400,
    ],
    ["broken XML", () => plain("<xml><MsgType>text</xml>", "text/xml"), 400],
    ["broken JSON", () => plain('{"MsgType": "text",'), 400],
    ["a JSON array", () => plain("[1,2]"), 400],
    ["a __proto__ key", () => plain('{"__proto__":{"x":1}}'), 400],
    ["a 10 MB body", () => plain("x".repeat(10 * 1024 * 1024)), 413],
    [
      "a GET without echostr",
      () => ({
        ...buildVerifyRequest(DEMO_SETTINGS, "x"),
        path: buildVerifyRequest(DEMO_SETTINGS, "x").path.replace(/echostr=x&?/, ""),
      }),
      400,
    ],
    ["a GET with a bad signature", () => tampered(buildVerifyRequest(DEMO_SETTINGS, "x"), "signature"), 401],
    ["PUT", () => ({ ...secure(), method: "PUT" as unknown as "POST" }), 405],
  ])("%s → %i, no handler call", async (_label, build, status) => {
    const built = build();
    const target = built.path.includes("encrypt_type=aes") ? encrypted : live;
    const before = target.seen.length;
    expect((await send(target.base, built)).status).toBe(status);
    expect(target.seen.length).toBe(before);
  });

  test("the server keeps serving after all of that", async () => {
    expect(await send(encrypted.base, secure())).toEqual({
      status: 200,
      body: "success",
    });
  });
});

describe("answers in time and asks for retries", () => {
  test("a slow handler still gets success within the budget; its work completes after", async () => {
    let finished = false;
    let release: () => void = () => {};
    const app = createRouter().on("text", async () => {
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    });
    const server = createTestServer({
      router: app,
      config: { ...loadHttpConfig(DEMO_ENV), budgetMs: 100 },
      send: () => Promise.resolve(),
    });
    const base = await listen(server);
    try {
      const built = buildPushRequest({
        message: messageOf("text", "slow", "o-slow", undefined) as Record<string, unknown>,
        mode: "secure",
        format: "xml",
        settings: DEMO_SETTINGS,
      });
      expect(await send(base, built)).toEqual({ status: 200, body: "success" });
      expect(finished).toBe(false);
      release();
      await new Promise((resolve) => setImmediate(resolve));
      expect(finished).toBe(true);
    } finally {
      await close(server);
    }
  });

  test.each([
    ["a transient send failure (-1) answers 503 so WeChat retries", -1, { status: 503, body: "retry" }],
    [
      "a permanent failure (45015) is acknowledged: a retry would fail the same way",
      45015,
      { status: 200, body: "success" },
    ],
  ])("%s", async (_label, errcode, answer) => {
    const { server } = startServer(
      loadHttpConfig(PLAINTEXT_ENV),
      Object.assign(new Error("send failed"), { errcode }),
    );
    const base = await listen(server);
    try {
      const message = messageOf("text", "x", "o-failing", String(1000 + errcode)) as Record<string, unknown>;
      const built = buildPushRequest({ message, mode: "plaintext", format: "json", settings: DEMO_SETTINGS });
      expect(await send(base, built)).toEqual(answer);
    } finally {
      await close(server);
    }
  });
});
