// Media-check results and subscription events through the developer-server door, secure mode, XML and
// JSON: the same typed message reaches the same handler as through the cloud door.
import { parsePush } from "../../src/core/parse";
import type { AnyMessage } from "../../src/core/message";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { loadHttpConfig } from "../../src/http/config";
import { buildPushRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { close, listen, send } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";

const seen: { route: string; message: AnyMessage }[] = [];
const sent: SendPayload[] = [];
let base = "";
let stop = () => Promise.resolve();

beforeAll(async () => {
  const server = createTestServer({
    router: createRouter()
      .on("event.wxa_media_check", ({ message }) => void seen.push({ route: "media", message }))
      .on(
        ["event.subscribe_msg_popup_event", "event.subscribe_msg_sent_event"],
        ({ message }) => void seen.push({ route: "subscribe", message }),
      ),
    config: loadHttpConfig({
      WECHAT_TOKEN: DEMO_SETTINGS.token,
      WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
      WECHAT_APPID: DEMO_SETTINGS.appid,
    }),
    send: (payload) => Promise.resolve(void sent.push(payload)),
  });
  base = await listen(server);
  stop = () => close(server);
});
afterAll(() => stop());

let n = 0;
const media = () => ({
  ToUserName: "gh_x",
  FromUserName: "o-media",
  CreateTime: 1714112500,
  MsgType: "event",
  Event: "wxa_media_check",
  appid: "wx1",
  trace_id: `trace-${(n += 1)}`,
  version: 2,
  result: { suggest: "risky", label: 20002 },
  detail: [{ strategy: "content_model", errcode: 0, suggest: "risky", label: 20002, prob: 90 }],
});
const popup = (List: unknown) => ({
  ToUserName: "gh_x",
  FromUserName: "o-sub",
  CreateTime: 1620973045 + (n += 1),
  MsgType: "event",
  Event: "subscribe_msg_popup_event",
  List,
});
const one = { TemplateId: "T1", SubscribeStatusString: "accept", PopupScene: "0" };
const two = { TemplateId: "T2", SubscribeStatusString: "reject", PopupScene: "0" };

test.each(["json", "xml"] as const)(
  "a media-check result in %s reaches its handler typed; nothing is sent",
  async (format) => {
    const message = media();
    expect(
      await send(base, buildPushRequest({ message, mode: "secure", format, settings: DEMO_SETTINGS })),
    ).toEqual({
      status: 200,
      body: "success",
    });
    expect(seen.at(-1)).toEqual({ route: "media", message: parsePush(message).message });
    expect(sent).toEqual([]);
  },
);

test.each([
  ["json", one],
  ["json", [one, two]],
  ["xml", one],
  ["xml", [one, two]],
] as const)(
  "a subscription popup in %s with List %j reaches its handler with List as an array",
  async (format, List) => {
    const message = popup(List);
    expect(
      (await send(base, buildPushRequest({ message, mode: "secure", format, settings: DEMO_SETTINGS })))
        .status,
    ).toBe(200);
    expect(seen.at(-1)).toEqual({
      route: "subscribe",
      message: parsePush({ ...message, List: [List].flat() }).message,
    });
  },
);
