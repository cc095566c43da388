// The developer-server door as an attacker and a misconfigured operator meet it (issue: trust under hostile
// input). Real HTTP over loopback; each test names the finding it pins down.
import { connect } from "node:net";
import type { Server } from "node:http";
import type { Log } from "../../src/core/log";
import { createConsoleLog } from "../../src/core/log";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { loadHttpConfig } from "../../src/http/config";
import { createHttpHandler } from "../../src/http/handle";
import { createApp } from "../../src/core/app";
import { signature } from "../../src/http/signature";
import type { BuiltRequest } from "../../src/local/push-request";
import { buildPushRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { close, listen, send } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";

const DEMO_ENV = {
  WECHAT_TOKEN: DEMO_SETTINGS.token,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: DEMO_SETTINGS.appid,
};
const text = (content: string, MsgId = String(Date.now())) => ({
  ToUserName: "gh_x",
  FromUserName: "o-victim",
  CreateTime: Math.floor(Date.now() / 1000),
  MsgType: "text",
  Content: content,
  MsgId,
});

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const add = (message: string, fields?: Record<string, unknown>) =>
    void lines.push(fields === undefined ? message : `${message} ${JSON.stringify(fields)}`);
  return { lines, info: add, warn: add, error: add };
}

async function withServer(
  env: Record<string, string>,
  run: (base: string, sent: SendPayload[], server: Server) => Promise<void>,
  options: { log?: Log; limits?: Parameters<typeof createTestServer>[0]["limits"] } = {},
) {
  const sent: SendPayload[] = [];
  const server = createTestServer({
    router: createRouter().on("text", async ({ reply }) => void (await reply.text("收到"))),
    config: loadHttpConfig(env),
    send: (payload) => Promise.resolve(void sent.push(payload)),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const base = await listen(server);
  try {
    await run(base, sent, server);
  } finally {
    await close(server);
  }
}

/** Raw bytes on a socket: request targets node's client would never send. */
function rawRequest(base: string, head: string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.end(head));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

test("finding 1: request targets that new URL() cannot parse get 400, and the server keeps serving", async () => {
  await withServer(DEMO_ENV, async (base) => {
    for (const target of ["//", "//[", "http://[::1/", "/%zz?signature=%E0%A4%A"]) {
      const answer = await rawRequest(base, `GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 (400|401)/);
    }
    const ok = buildPushRequest({
      message: text("still here"),
      mode: "secure",
      format: "json",
      settings: DEMO_SETTINGS,
    });
    expect(await send(base, ok)).toEqual({ status: 200, body: "success" });
  });
});

describe("finding 2: with an EncodingAESKey set, plaintext pushes are refused", () => {
  /** A secure push's URL signature, replayed with a forged plaintext body: what a log reader could do. */
  const forged = (): BuiltRequest => {
    const genuine = buildPushRequest({
      message: text("genuine"),
      mode: "secure",
      format: "json",
      settings: DEMO_SETTINGS,
    });
    const query = {
      signature: genuine.query["signature"] ?? "",
      timestamp: genuine.query["timestamp"] ?? "",
      nonce: genuine.query["nonce"] ?? "",
    };
    return {
      method: "POST",
      path: `/?${new URLSearchParams(query).toString()}`,
      query,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(text("forged: send this to anyone", "1")),
    };
  };

  test("no WECHAT_PUSH_MODE: refused with 401, nothing sent", async () => {
    await withServer(DEMO_ENV, async (base, sent) => {
      expect(await send(base, forged())).toEqual({ status: 401, body: "unauthorized" });
      expect(sent).toEqual([]);
    });
  });

  test("WECHAT_PUSH_MODE=secure: refused too (the configured mode is enforced)", async () => {
    await withServer({ ...DEMO_ENV, WECHAT_PUSH_MODE: "secure" }, async (base, sent) => {
      expect((await send(base, forged())).status).toBe(400);
      expect(sent).toEqual([]);
    });
  });

  test("WECHAT_PUSH_MODE=plaintext says otherwise: accepted, and encrypted ones refused", async () => {
    await withServer({ ...DEMO_ENV, WECHAT_PUSH_MODE: "plaintext" }, async (base, sent) => {
      expect(await send(base, forged())).toEqual({ status: 200, body: "success" });
      expect(sent).toHaveLength(1);
      const secure = buildPushRequest({
        message: text("x"),
        mode: "secure",
        format: "json",
        settings: DEMO_SETTINGS,
      });
      expect((await send(base, secure)).status).toBe(400);
    });
  });
});

describe("finding 3: msg_signature is checked before anything is parsed", () => {
  const junk = (format: "xml" | "json"): BuiltRequest => {
    const genuine = buildPushRequest({ message: text("x"), mode: "secure", format, settings: DEMO_SETTINGS });
    const sealed = "A".repeat(64);
    const padding = format === "xml" ? "<a/>".repeat(15_000) : `"${"a".repeat(60_000)}"`;
    const body =
      format === "xml"
        ? `<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt>${padding}</xml>`
        : `{"ToUserName":"gh","Encrypt":"${sealed}","junk":${padding}}`;
    return { ...genuine, body, query: { ...genuine.query, msg_signature: "0".repeat(40) } };
  };

  test.each(["xml", "json"] as const)(
    "a 60 KB %s body with a forged msg_signature is refused as unauthenticated",
    async (format) => {
      await withServer(DEMO_ENV, async (base, sent) => {
        const built = junk(format);
        const path = `/?${new URLSearchParams(built.query).toString()}`;
        expect(await send(base, { ...built, path })).toEqual({ status: 401, body: "unauthorized" });
        expect(sent).toEqual([]);
      });
    },
  );

  test("a body that is not even well-formed is refused for its signature, never parsed", async () => {
    await withServer(DEMO_ENV, async (base) => {
      const genuine = buildPushRequest({
        message: text("x"),
        mode: "secure",
        format: "xml",
        settings: DEMO_SETTINGS,
      });
      const sealed = /<Encrypt><!\[CDATA\[([^\]]+)\]\]>/.exec(genuine.body)?.[1] ?? "";
      // Signed correctly over its Encrypt, but the rest would fail any XML parser: accepted, since only
      // the authenticated Encrypt is ever read.
      const broken = `<xml><Encrypt><![CDATA[${sealed}]]></Encrypt><unclosed>`;
      expect(await send(base, { ...genuine, body: broken })).toEqual({ status: 200, body: "success" });
    });
  });
});

test("finding 4: a silent socket is closed within the header timeout", async () => {
  await withServer(
    DEMO_ENV,
    async (base) => {
      const { port } = new URL(base);
      // Two timers race to close it: the socket's own idle timeout (closed without a word) and node's
      // periodic request check (a 408 first). The client reads, so it sees the close whichever wins; a
      // paused client would keep an unread 408 buffered and never see its end.
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1");
        let received = "";
        socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
        socket.on("close", () => resolve(received));
        socket.on("error", () => resolve(received));
      });
      expect(answer).toMatch(/^(|HTTP\/1\.1 408 Request Timeout\r\n[^]*)$/);
    },
    { limits: { headersTimeoutMs: 200, requestTimeoutMs: 300, checkIntervalMs: 100 } },
  );
}, 10_000);

test("finding 4: connections beyond the cap are refused", async () => {
  await withServer(
    DEMO_ENV,
    async (base) => {
      const { port } = new URL(base);
      const first = connect(Number(port), "127.0.0.1");
      await new Promise((resolve) => first.on("connect", resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1", () =>
          socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n"),
        );
        socket.on("data", () => resolve("answered"));
        socket.on("close", () => resolve("closed"));
      });
      expect(second).toBe("closed");
      first.destroy();
    },
    { limits: { maxConnections: 1 } },
  );
});

test("finding 7: a signature of non-ASCII characters gets 401, not 500", async () => {
  await withServer({ ...DEMO_ENV, WECHAT_PUSH_MODE: "plaintext" }, async (base) => {
    const query = { signature: "é".repeat(40), timestamp: "1", nonce: "2" };
    const built = {
      method: "POST" as const,
      path: `/?${new URLSearchParams(query).toString()}`,
      headers: {},
      body: "{}",
    };
    expect(await send(base, built)).toEqual({ status: 401, body: "unauthorized" });
    const exactBytes = { ...query, signature: "é".repeat(20) }; // 40 bytes, 20 characters
    expect(
      (await send(base, { ...built, path: `/?${new URLSearchParams(exactBytes).toString()}` })).status,
    ).toBe(401);
  });
});

test("PUSH_MAX_AGE_S (opt-in) refuses a push signed too long ago; off, the same push is accepted", async () => {
  const old = buildPushRequest({
    message: text("old"),
    mode: "secure",
    format: "json",
    settings: DEMO_SETTINGS,
    timestamp: "1714112445",
  });
  await withServer({ ...DEMO_ENV, PUSH_MAX_AGE_S: "300" }, async (base, sent) => {
    expect(await send(base, old)).toEqual({ status: 401, body: "unauthorized" });
    expect(sent).toEqual([]);
  });
  await withServer(DEMO_ENV, async (base) => {
    expect(await send(base, old)).toEqual({ status: 200, body: "success" });
  });
});

describe("finding 12: logs", () => {
  test("refused requests are counted, one line per reason per window, not one line each", async () => {
    const log = recordingLog();
    await withServer(
      DEMO_ENV,
      async (base) => {
        const forged = buildPushRequest({
          message: text("x"),
          mode: "secure",
          format: "json",
          settings: DEMO_SETTINGS,
        });
        const path = forged.path.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${"0".repeat(40)}`);
        for (let i = 0; i < 50; i += 1) await send(base, { ...forged, path });
      },
      { log },
    );
    expect(log.lines.filter((line) => line.includes("bad signature"))).toHaveLength(1);
  });

  test("configured secrets and access tokens are redacted from every line", () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    try {
      const log = createConsoleLog({ secrets: ["MyToken123", "x".repeat(43), "app-secret-value"] });
      log.error(
        "call failed: https://api.weixin.qq.com/cgi-bin/x?access_token=ACCESS.TOKEN-1&y=1 token MyToken123",
        {
          key: "x".repeat(43),
          error: "secret=app-secret-value",
          encoded: encodeURIComponent("app-secret-value"),
        },
      );
    } finally {
      spy.mockRestore();
    }
    const line = lines.join("\n");
    for (const secret of ["MyToken123", "x".repeat(43), "app-secret-value", "ACCESS.TOKEN-1"])
      expect(line).not.toContain(secret);
    expect(line).toContain("[redacted]");
  });
});

test("finding 6: a send that fails transiently after the deadline is logged as unanswered", async () => {
  const log = recordingLog();
  const app = createApp({
    router: createRouter().on("text", async ({ reply }) => {
      await new Promise((resolve) => setTimeout(resolve, 80)); // past the 50 ms budget below
      await reply.text("收到");
    }),
    log,
    retry: { attempts: 2, backoffMs: [10] },
  });
  const handle = createHttpHandler({
    app,
    config: { ...loadHttpConfig(DEMO_ENV), budgetMs: 50 },
    log,
    send: () => Promise.reject(Object.assign(new Error("system busy"), { errcode: -1 })),
  });
  const built = buildPushRequest({
    message: text("late"),
    mode: "secure",
    format: "json",
    settings: DEMO_SETTINGS,
  });
  expect(
    await handle({ method: "POST", query: built.query, headers: built.headers, body: built.body }),
  ).toMatchObject({
    status: 200,
    body: "success",
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(log.lines.join("\n")).toContain("push stays unanswered");
});

test("the signature helper agrees with the documented vector (sanity for the cases above)", () => {
  expect(signature("AAAAA", "1714036504", "1514711492")).toBe("f464b24fc39322e44b38aa78f5edd27bd1441696");
});

test("the HTTP door answers by the function's own deadline when it comes before WeChat's budget", async () => {
  const handle = createHttpHandler({
    app: createApp({
      router: createRouter().on("text", async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }),
    }),
    config: loadHttpConfig(DEMO_ENV), // budget 4 s
    log: recordingLog(),
    send: () => Promise.resolve(),
  });
  const built = buildPushRequest({
    message: text("slow"),
    mode: "secure",
    format: "json",
    settings: DEMO_SETTINGS,
  });
  // A deadline 50 ms away: the answer must come before it, not at the 4 s budget (this test's 1.5 s
  // timeout is the tripwire).
  const answer = await handle({
    method: "POST",
    query: built.query,
    headers: built.headers,
    body: built.body,
    deadline: Date.now() + 50,
  });
  expect(answer).toMatchObject({ status: 200, body: "success" });
}, 1500);

describe("hostile-test findings (second round)", () => {
  test("a client trickling headers forever is cut off: 408, and the socket is destroyed, not left half-open", async () => {
    await withServer(
      DEMO_ENV,
      async (base) => {
        const { port } = new URL(base);
        const { answer, closed } = await new Promise<{ answer: string; closed: boolean }>((resolve) => {
          const socket = connect(Number(port), "127.0.0.1", () =>
            socket.write("POST / HTTP/1.1\r\nhost: x\r\n"),
          );
          let answer = "";
          // One header line every 50 ms, forever: each byte would reset an idle timer.
          const trickle = setInterval(() => socket.writable && socket.write("x-a: b\r\n"), 50);
          socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
          socket.on("close", () => {
            clearInterval(trickle);
            resolve({ answer, closed: true });
          });
        });
        expect(closed).toBe(true);
        expect(answer).toMatch(/^HTTP\/1\.1 408/);
      },
      { limits: { headersTimeoutMs: 300, requestTimeoutMs: 400, checkIntervalMs: 100 } },
    );
  }, 5000);

  test.each<["json" | "xml", string]>([
    ["json", "Encrypt"],
    ["xml", "<Encrypt>"],
    ["xml", "看<Encrypt>AAAA</Encrypt>"],
    ["xml", '"Encrypt":"AAAA"'],
  ])("compatible %s: a user's text %j does not hide the real Encrypt field", async (format, content) => {
    await withServer(DEMO_ENV, async (base, sent) => {
      const built = buildPushRequest({
        message: text(content),
        mode: "compatible",
        format,
        settings: DEMO_SETTINGS,
      });
      expect(await send(base, built)).toEqual({ status: 200, body: "success" });
      expect(sent).toHaveLength(1);
    });
  });

  test("an encrypted push to a server without a key is a counted 4xx refusal, not a 500 per request", async () => {
    const log = recordingLog();
    await withServer(
      { WECHAT_TOKEN: DEMO_SETTINGS.token },
      async (base) => {
        for (let i = 0; i < 20; i += 1) {
          const answer = await send(base, {
            method: "POST",
            path: "/?encrypt_type=aes",
            headers: {},
            body: "{}",
          });
          expect(answer.status).toBe(400);
        }
      },
      { log },
    );
    expect(log.lines.filter((line) => line.includes("no key configured"))).toHaveLength(1);
  });

  test("an absurdly long MsgId or openid is malformed: dedupe keys stay small", async () => {
    await withServer(DEMO_ENV, async (base, sent) => {
      for (const message of [text("x", "9".repeat(5000)), { ...text("x"), FromUserName: "o".repeat(5000) }]) {
        const built = buildPushRequest({ message, mode: "secure", format: "json", settings: DEMO_SETTINGS });
        // Refused as a bad body (400) or acknowledged as malformed (200): never handled.
        expect([200, 400]).toContain((await send(base, built)).status);
      }
      expect(sent).toEqual([]);
    });
  });

  test("plaintext XML entities and character references are decoded (「&#x4eba;&#x5de5;」 is 「人工」)", async () => {
    const seen: string[] = [];
    const server = createTestServer({
      router: createRouter().on("text", ({ message }) => void seen.push(message.Content)),
      config: loadHttpConfig({ ...DEMO_ENV, WECHAT_PUSH_MODE: "plaintext" }),
      send: () => Promise.resolve(),
    });
    const base = await listen(server);
    try {
      const built = buildPushRequest({
        message: text("placeholder"),
        mode: "plaintext",
        format: "xml",
        settings: DEMO_SETTINGS,
      });
      const body = built.body.replace("<![CDATA[placeholder]]>", "a&lt;b &#x4eba;&#x5de5;");
      expect((await send(base, { ...built, body })).status).toBe(200);
      expect(seen).toEqual(["a<b 人工"]);
    } finally {
      await close(server);
    }
  });
});
