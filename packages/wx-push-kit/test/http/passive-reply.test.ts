// The hand-over to human agents as the HTTP answer, over loopback, in every mode × format; the encrypted
// answers are opened and their MsgSignature checked with an independent implementation (node-webot's
// wechat-crypto), not with our own code.
import { XMLParser } from "fast-xml-parser";
import type { SendPayload } from "../../src/core/reply";
import { createBot } from "../fixture-project/cloudfunctions/messagePush/src/bot";
import { createApp } from "../../src/core/app";
import { createRouter } from "../../src/core/router";
import { createHttpHandler } from "../../src/http/handle";
import { loadHttpConfig } from "../../src/http/config";
import { renderPassiveReply } from "../../src/http/passive-reply";
import { decodeAesKey } from "../../src/http/wx-crypto";
import { buildPushRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { close, listen, send } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";

const WXBizMsgCrypt = require("wechat-crypto") as new (
  token: string,
  key: string,
  appid: string,
) => {
  getSignature(ts: string, nonce: string, encrypt: string): string;
  decrypt(text: string): { message: string; id: string };
};

const DEMO_ENV = {
  WECHAT_TOKEN: DEMO_SETTINGS.token,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: DEMO_SETTINGS.appid,
};
const independent = new WXBizMsgCrypt(DEMO_SETTINGS.token, DEMO_SETTINGS.encodingAESKey, DEMO_SETTINGS.appid);
const xml = new XMLParser({ parseTagValue: false });

function useServer(env: Record<string, string>) {
  const live = { base: "", sent: [] as SendPayload[], close: () => Promise.resolve() };
  beforeAll(async () => {
    const server = createTestServer({
      router: createBot(),
      config: loadHttpConfig(env),
      send: (payload) => Promise.resolve(void live.sent.push(payload)),
    });
    live.base = await listen(server);
    live.close = () => close(server);
  });
  afterAll(() => live.close());
  return live;
}

/** The answer as a flat record, whatever its format. */
function fieldsOf(body: string, format: "json" | "xml"): Record<string, unknown> {
  if (format === "json") return JSON.parse(body) as Record<string, unknown>;
  return (xml.parse(body) as { xml: Record<string, unknown> }).xml;
}

describe("a transfer push in every mode × format is answered with the transfer message", () => {
  const encrypted = useServer(DEMO_ENV);
  const plaintext = useServer({ ...DEMO_ENV, WECHAT_PUSH_MODE: "plaintext" });
  let n = 0;

  test.each(
    (["plaintext", "compatible", "secure"] as const).flatMap((mode) =>
      (["json", "xml"] as const).map((format) => [mode, format] as const),
    ),
  )("%s · %s", async (mode, format) => {
    n += 1;
    const live = mode === "plaintext" ? plaintext : encrypted;
    const before = live.sent.length;
    const message = {
      ToUserName: "gh_97417a04a28d",
      FromUserName: `o-agent-${n}`,
      CreateTime: 1714112445,
      MsgType: "text",
      Content: "我要转人工",
      MsgId: `6054768590064713${700 + n}`,
    };
    const built = buildPushRequest({ message, mode, format, settings: DEMO_SETTINGS });
    const answer = await send(live.base, built);
    expect(answer.status).toBe(200);
    let inner = fieldsOf(answer.body, format);
    if (mode !== "plaintext") {
      const envelope = inner;
      expect(Object.keys(envelope).sort()).toEqual(["Encrypt", "MsgSignature", "Nonce", "TimeStamp"]);
      expect(String(envelope["Nonce"])).toBe(built.query["nonce"]);
      if (format === "json") expect(typeof envelope["TimeStamp"]).toBe("number");
      const sealed = String(envelope["Encrypt"]);
      expect(envelope["MsgSignature"]).toBe(
        independent.getSignature(String(envelope["TimeStamp"]), String(envelope["Nonce"]), sealed),
      );
      const opened = independent.decrypt(sealed);
      expect(opened.id).toBe(DEMO_SETTINGS.appid);
      inner = fieldsOf(opened.message, format);
    }
    expect(inner).toEqual({
      MsgType: "transfer_customer_service",
      ToUserName: `o-agent-${n}`,
      FromUserName: "gh_97417a04a28d",
      CreateTime: (format === "json" ? expect.any(Number) : expect.stringMatching(/^\d+$/)) as unknown,
    });
    expect(live.sent.length).toBe(before); // the agent answers, not the API

    // WeChat redelivers only when it did not get the answer: the same passive reply again, still nothing sent.
    const again = await send(live.base, built);
    expect(again.status).toBe(200);
    const againInner =
      mode === "plaintext"
        ? fieldsOf(again.body, format)
        : fieldsOf(independent.decrypt(String(fieldsOf(again.body, format)["Encrypt"])).message, format);
    expect(againInner).toEqual(inner);
    expect(live.sent.length).toBe(before);
  });

  test("a plain 「你好」 still gets success, and the acknowledgement through the API", async () => {
    const message = {
      ToUserName: "gh_x",
      FromUserName: "o-hello",
      CreateTime: 1714112445,
      MsgType: "text",
      Content: "你好",
      MsgId: "6054768590064719999",
    };
    const built = buildPushRequest({ message, mode: "secure", format: "json", settings: DEMO_SETTINGS });
    expect(await send(encrypted.base, built)).toEqual({ status: 200, body: "success" });
    expect(encrypted.sent.at(-1)).toEqual({
      touser: "o-hello",
      msgtype: "text",
      text: { content: ACKNOWLEDGEMENT },
    });
  });
});

test("the encrypted reply reproduces the documented JSON example (Encrypt ELGduP…, MsgSignature 1b9339…)", () => {
  // Official example: random 707722b803182950, msg {"demo_resp":"good luck"}, TimeStamp 1713424427, Nonce 415670741.
  const rendered = renderPassiveReply(
    { demo_resp: "good luck" } as unknown as Parameters<typeof renderPassiveReply>[0],
    "json",
    {
      token: "AAAAA",
      key: decodeAesKey("A".repeat(43)),
      appid: "wxba5fad812f8e6fb9",
      nonce: "415670741",
      timestamp: 1713424427,
      random: Buffer.from("707722b803182950", "utf8"),
    },
  );
  expect(JSON.parse(rendered.body)).toEqual({
    Encrypt: "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==",
    MsgSignature: "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
    TimeStamp: 1713424427,
    Nonce: "415670741",
  });
});

test("a transfer decided after the deadline cannot be the answer: success, and a log line says so", async () => {
  const lines: string[] = [];
  const log = {
    info: (m: string) => void lines.push(m),
    warn: (m: string) => void lines.push(m),
    error: (m: string) => void lines.push(m),
  };
  const handle = createHttpHandler({
    app: createApp({
      router: createRouter().hears(/人工/, async ({ reply }) => {
        await new Promise((resolve) => setTimeout(resolve, 80));
        return reply.transfer();
      }),
      log,
    }),
    config: { ...loadHttpConfig(DEMO_ENV), budgetMs: 30 },
    log,
    send: () => Promise.resolve(),
  });
  const message = {
    ToUserName: "gh_x",
    FromUserName: "o-late",
    CreateTime: 1714112445,
    MsgType: "text",
    Content: "人工",
    MsgId: "6054768590064718888",
  };
  const built = buildPushRequest({ message, mode: "secure", format: "json", settings: DEMO_SETTINGS });
  const answer = await handle({
    method: "POST",
    query: built.query,
    headers: built.headers,
    body: built.body,
  });
  expect(answer).toMatchObject({ status: 200, body: "success" });
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(lines.join("\n")).toContain("passive reply missed the deadline");
});
