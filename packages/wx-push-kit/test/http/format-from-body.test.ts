// The body decides JSON or XML, never the Content-Type header: WeChat has been reported to send JSON pushes
// labelled text/xml (tencentyun/wafer2-startup#101, #104). Every mode, both mislabellings, over loopback; the
// passive reply follows the body's format, sealed in the encrypted modes.
import { XMLParser } from "fast-xml-parser";
import type { PushMode } from "../../src/http/config";
import { loadHttpConfig } from "../../src/http/config";
import type { SendPayload } from "../../src/core/reply";
import { decodeAesKey, decrypt } from "../../src/http/wx-crypto";
import { buildPushRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { send } from "../helpers/http-client";
import { replyingBot } from "../helpers/pushes";
import { withTestServer } from "../helpers/push-server";

const ENV = {
  WECHAT_TOKEN: DEMO_SETTINGS.token,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: DEMO_SETTINGS.appid,
};

const MISLABELLED = [
  ["json", "text/xml"],
  ["xml", "application/json"],
] as const;
const MODES: PushMode[] = ["plaintext", "compatible", "secure"];
let n = 0;
const message = (content: string) => ({
  ToUserName: "gh_97417a04a28d",
  FromUserName: "o-format",
  CreateTime: Math.floor(Date.now() / 1000),
  MsgType: "text",
  Content: content,
  MsgId: String(9_100_000_000_000_000_000n + BigInt((n += 1))),
});

function withServer(mode: PushMode, run: (base: string, sent: SendPayload[]) => Promise<void>) {
  return withTestServer(
    { router: replyingBot(), config: loadHttpConfig({ ...ENV, WECHAT_PUSH_MODE: mode }) },
    run,
  );
}

describe.each(MODES)("%s mode", (mode) => {
  test.each(MISLABELLED)("a %s body labelled %s is read and answered once", async (format, label) => {
    await withServer(mode, async (base, sent) => {
      const request = buildPushRequest({ message: message("hi"), mode, format, settings: DEMO_SETTINGS });
      const mislabelled = { ...request, headers: { "content-type": label } };
      expect(await send(base, mislabelled)).toEqual({ status: 200, body: "success" });
      expect(sent).toEqual([{ touser: "o-format", msgtype: "text", text: { content: "reply" } }]);
    });
  });

  test.each(MISLABELLED)(
    "the passive reply to a %s body labelled %s is in the body's format",
    async (format, label) => {
      await withServer(mode, async (base) => {
        const request = buildPushRequest({
          message: message("hand over"),
          mode,
          format,
          settings: DEMO_SETTINGS,
        });
        const { status, body } = await send(base, { ...request, headers: { "content-type": label } });
        expect(status).toBe(200);
        const fields =
          format === "json"
            ? (JSON.parse(body) as Record<string, unknown>)
            : (new XMLParser({ parseTagValue: false }).parse(body) as { xml: Record<string, unknown> }).xml;
        const inner =
          mode === "plaintext"
            ? fields
            : (() => {
                const opened = decrypt(
                  decodeAesKey(DEMO_SETTINGS.encodingAESKey),
                  DEMO_SETTINGS.appid,
                  String(fields["Encrypt"]),
                );
                return format === "json"
                  ? (JSON.parse(opened) as Record<string, unknown>)
                  : (
                      new XMLParser({ parseTagValue: false }).parse(opened) as {
                        xml: Record<string, unknown>;
                      }
                    ).xml;
              })();
        expect(inner).toMatchObject({ MsgType: "transfer_customer_service", ToUserName: "o-format" });
      });
    },
  );
});

test("a body that is neither JSON nor XML is refused as a bad body, whatever it is labelled", async () => {
  await withServer("plaintext", async (base, sent) => {
    const request = buildPushRequest({
      message: message("hi"),
      mode: "plaintext",
      format: "json",
      settings: DEMO_SETTINGS,
    });
    expect(
      await send(base, { ...request, body: "MsgType=text", headers: { "content-type": "application/json" } }),
    ).toEqual({
      status: 400,
      body: "bad request",
    });
    expect(sent).toEqual([]);
  });
});
