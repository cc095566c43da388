import { silentLog } from "../../cloudfunctions/messagePush/src/core/log";
import type { Inbound } from "../../cloudfunctions/messagePush/src/core/message";
import { parsePush } from "../../cloudfunctions/messagePush/src/core/parse";
import type { SendPayload } from "../../cloudfunctions/messagePush/src/core/reply";
import { createRouter, HandlerError } from "../../cloudfunctions/messagePush/src/core/router";

const base = { ToUserName: "wx1", FromUserName: "o-user", CreateTime: 1 };
const text = parsePush({ ...base, MsgType: "text", Content: "hi", MsgId: "1" });
const image = parsePush({
  ...base,
  MsgType: "image",
  PicUrl: "u",
  MediaId: "m",
  MsgId: "2",
});
const voice = parsePush({ ...base, MsgType: "voice", MsgId: "3" });

function recorder() {
  const sent: SendPayload[] = [];
  return {
    sent,
    ports: {
      openid: "o-user",
      log: silentLog,
      send: (p: SendPayload) => Promise.resolve(void sent.push(p)),
    },
  };
}

describe("router", () => {
  test("hands each route its narrowed message and a pre-addressed reply", async () => {
    const { sent, ports } = recorder();
    const router = createRouter()
      .on("text", async ({ message, reply }) => reply.text(`you said ${message.Content}`))
      .on("image", async ({ message, reply }) => reply.image(message.MediaId));
    expect(await router.dispatch(text, ports)).toEqual({
      route: "text",
      sent: 1,
    });
    expect(await router.dispatch(image, ports)).toEqual({
      route: "image",
      sent: 1,
    });
    expect(sent).toEqual([
      { touser: "o-user", msgtype: "text", text: { content: "you said hi" } },
      { touser: "o-user", msgtype: "image", image: { media_id: "m" } },
    ]);
  });

  test("builds link and mini program card payloads with WeChat's lowercase keys", async () => {
    const { sent, ports } = recorder();
    const link = {
      title: "t",
      description: "d",
      url: "https://example.com",
      thumb_url: "https://example.com/t.png",
    };
    const page = {
      title: "t",
      pagepath: "pages/index/index",
      thumb_media_id: "m",
    };
    await createRouter()
      .on("text", async ({ reply }) => {
        await reply.link(link);
        await reply.miniProgramPage(page);
      })
      .dispatch(text, ports);
    expect(sent).toEqual([
      { touser: "o-user", msgtype: "link", link },
      { touser: "o-user", msgtype: "miniprogrampage", miniprogrampage: page },
    ]);
  });

  test("one handler can take several routes; the fallback takes the rest", async () => {
    const seen: string[] = [];
    const router = createRouter()
      .on(["text", "image"], ({ message }) => void seen.push(message.MsgType))
      .otherwise(({ message }) => void seen.push(`other:${message.MsgType}`));
    for (const inbound of [text, image, voice]) await router.dispatch(inbound, recorder().ports);
    expect(seen).toEqual(["text", "image", "other:voice"]);
  });

  test("a push with no handler and no fallback is a no-op", async () => {
    expect(await createRouter().dispatch(voice, recorder().ports)).toEqual({
      route: "unknown",
      sent: 0,
    });
  });

  test("refuses a second handler for the same route", () => {
    const router = createRouter().on("text", () => {});
    expect(() => router.on(["image", "text"], () => {})).toThrow('"text" already has a handler');
    expect(() =>
      createRouter()
        .otherwise(() => {})
        .otherwise(() => {}),
    ).toThrow('"unknown" already has a handler');
  });

  test("reports a failing handler in the outcome, with the replies it did send", async () => {
    const { ports } = recorder();
    const boom = new Error("boom");
    const outcome = await createRouter()
      .on("text", async ({ reply }) => {
        await reply.text("first");
        throw boom;
      })
      .dispatch(text, ports);
    expect(outcome.sent).toBe(1);
    expect(outcome.error).toBeInstanceOf(HandlerError);
    expect(outcome.error?.route).toBe("text");
    expect(outcome.error?.cause).toBe(boom);
  });

  test("a failed send is not counted and surfaces as the handler's error", async () => {
    const failing = {
      openid: "o-user",
      log: silentLog,
      send: () => Promise.reject(new Error("45015")),
    };
    const outcome = await createRouter()
      .on("text", ({ reply }) => reply.text("x"))
      .dispatch(text, failing);
    expect(outcome).toMatchObject({ route: "text", sent: 0 });
    expect(outcome.error?.message).toContain("45015");
  });

  test("refuses empty replies and a missing openid before calling WeChat", async () => {
    const { sent, ports } = recorder();
    const empty = await createRouter()
      .on("text", ({ reply }) => reply.text(""))
      .dispatch(text, ports);
    expect(empty.error?.message).toContain("must not be empty");
    const noOpenid = await createRouter()
      .on("text", ({ reply }) => reply.text("x"))
      .dispatch(text, { ...ports, openid: "" });
    expect(noOpenid.error?.message).toContain("no openid");
    expect(sent).toEqual([]);
  });

  test("lists its routes", () => {
    const routes = createRouter()
      .on(["image", "text"], () => {})
      .otherwise(() => {}).routes;
    expect(routes).toEqual(["image", "text"]);
  });
});

// Keeps the Inbound import honest: dispatch takes exactly what parsePush returns.
export const sample: Inbound = text;

describe("typing indicator (opt-in)", () => {
  test("reply.typing() shows Typing before the reply", async () => {
    const calls: string[] = [];
    const ports = {
      openid: "o-user",
      log: silentLog,
      send: (p: SendPayload) => Promise.resolve(void calls.push(`send ${p.msgtype}`)),
      typing: (touser: string, command: string) => Promise.resolve(void calls.push(`${command} ${touser}`)),
    };
    await createRouter()
      .on("text", async ({ reply }) => {
        await reply.typing();
        await reply.text("收到");
      })
      .dispatch(text, ports);
    expect(calls).toEqual(["Typing o-user", "send text"]);
  });

  test("a failing indicator (45080) never stops the reply", async () => {
    const sent: SendPayload[] = [];
    const outcome = await createRouter()
      .on("text", async ({ reply }) => {
        await reply.typing();
        await reply.text("收到");
      })
      .dispatch(text, {
        openid: "o-user",
        log: silentLog,
        send: (p) => Promise.resolve(void sent.push(p)),
        typing: () => Promise.reject(Object.assign(new Error("45080"), { errcode: 45080 })),
      });
    expect(outcome).toEqual({ route: "text", sent: 1 });
    expect(sent).toHaveLength(1);
  });

  test("without a wired indicator, typing() is a no-op", async () => {
    const outcome = await createRouter()
      .on("text", ({ reply }) => reply.typing())
      .dispatch(text, recorder().ports);
    expect(outcome).toEqual({ route: "text", sent: 0 });
  });
});
