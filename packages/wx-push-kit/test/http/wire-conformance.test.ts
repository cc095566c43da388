// What any XML or JSON reader accepts, the door accepts: whitespace around a CDATA section in a name or a
// number (formatting, not value), JSON escapes inside Encrypt. And an appid typed in upper case still
// matches the lower-case one WeChat seals.
import { loadHttpConfig } from "../../src/http/config";
import type { SendPayload } from "../../src/core/reply";
import { DEMO_SETTINGS } from "../../src/local/push-request";
import { send } from "../helpers/http-client";
import type { TextPush } from "../helpers/pushes";
import { replyingBot, textPush } from "../helpers/pushes";
import { withTestServer } from "../helpers/push-server";

const ENV = {
  WECHAT_TOKEN: DEMO_SETTINGS.token,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: DEMO_SETTINGS.appid,
};
const wirePush = (push: Omit<TextPush, "from" | "createTime" | "settings">) =>
  textPush({ ...push, from: "o-wire", createTime: 1714112445, settings: DEMO_SETTINGS });

function withServer(env: Record<string, string>, run: (base: string, sent: SendPayload[]) => Promise<void>) {
  return withTestServer({ router: replyingBot(), config: loadHttpConfig(env) }, run);
}

test("XML: whitespace around the CDATA of MsgType and CreateTime is formatting: the push routes as text", async () => {
  await withServer({ ...ENV, WECHAT_PUSH_MODE: "plaintext" }, async (base, sent) => {
    const request = wirePush({
      msgId: "9600000000000000001",
      content: "hand over",
      mode: "plaintext",
      format: "xml",
    });
    const padded = request.body
      .replace("<MsgType><![CDATA[text]]></MsgType>", "<MsgType>\n  <![CDATA[text]]>\n</MsgType>")
      .replace("<CreateTime>1714112445</CreateTime>", "<CreateTime> 1714112445 </CreateTime>");
    expect(padded).not.toBe(request.body);
    const answer = await send(base, { ...request, body: padded });
    expect(answer.body).toContain("transfer_customer_service");
    expect(sent).toEqual([]);
  });
});

test("XML: whitespace around the CDATA of Encrypt is formatting: the push is opened", async () => {
  await withServer(ENV, async (base, sent) => {
    const request = wirePush({ msgId: "9600000000000000002", mode: "secure", format: "xml" });
    const padded = request.body
      .replace("<Encrypt><![CDATA[", "<Encrypt>\n  <![CDATA[")
      .replace("]]></Encrypt>", "]]>\n</Encrypt>");
    expect(padded).not.toBe(request.body);
    expect(await send(base, { ...request, body: padded })).toEqual({ status: 200, body: "success" });
    expect(sent).toHaveLength(1);
  });
});

test("JSON: an Encrypt written with escapes (\\u002b, \\u0041, \\/) is read as any JSON parser reads it", async () => {
  await withServer(ENV, async (base, sent) => {
    const request = wirePush({
      msgId: "9600000000000000003",
      mode: "secure",
      format: "json",
      // A fixed prefix: the same ciphertext each run, with characters worth escaping in it.
      random: Buffer.alloc(16, 1),
    });
    const sealed = /"Encrypt":"([^"]+)"/.exec(request.body)?.[1] ?? "";
    const escaped = sealed
      .replace(/\+/g, "\\u002b")
      .replace(/\//g, "\\/")
      .replace(/A/g, "\\u0041")
      .replace(/=/g, "\\u003d");
    expect(escaped).not.toBe(sealed);
    const body = request.body.replace(sealed, escaped);
    expect(JSON.parse(body)).toEqual(JSON.parse(request.body));
    expect(await send(base, { ...request, body })).toEqual({ status: 200, body: "success" });
    expect(sent).toHaveLength(1);
  });
});

test("WECHAT_APPID typed in upper case still matches the appid WeChat seals pushes with", async () => {
  await withServer({ ...ENV, WECHAT_APPID: DEMO_SETTINGS.appid.toUpperCase() }, async (base, sent) => {
    const request = wirePush({ msgId: "9600000000000000099", mode: "secure", format: "json" });
    expect(await send(base, request)).toEqual({ status: 200, body: "success" });
    expect(sent).toHaveLength(1);
  });
});

test.each([
  ["compatible", "plaintext"],
  ["compatible", "secure"],
  ["secure", "compatible"],
  ["secure", "plaintext"],
] as const)("WECHAT_PUSH_MODE=%s refuses a %s push, as the README says", async (configured, pushed) => {
  await withServer({ ...ENV, WECHAT_PUSH_MODE: configured }, async (base, sent) => {
    const request = wirePush({ msgId: "9600000000000000100", mode: pushed, format: "xml" });
    expect(await send(base, request)).toEqual({ status: 400, body: "bad request" });
    expect(sent).toEqual([]);
  });
});
