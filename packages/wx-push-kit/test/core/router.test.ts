import { silentLog } from "../../src/core/log";
import type { Inbound } from "../../src/core/message";
import { parsePush } from "../../src/core/parse";
import type { SendPayload } from "../../src/core/reply";
import { createRouter, HandlerError } from "../../src/core/router";

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

describe("matchers, middleware and the error boundary", () => {
  const say = (Content: string, MsgId = Content) => parsePush({ ...base, MsgType: "text", Content, MsgId });

  test("text is routed by content: first matching matcher wins, else the route's plain handler", async () => {
    const seen: string[] = [];
    const router = createRouter()
      .hears(/人工|客服/, ({ message }) => void seen.push(`agent:${message.Content}`))
      .hears("人工", () => void seen.push("never: the first match wins"))
      .on(
        "text",
        (message) => message.Content.startsWith("#"),
        () => void seen.push("command"),
      )
      .on("text", ({ message }) => void seen.push(`plain:${message.Content}`));
    for (const content of ["转人工", "找客服", "#help", "你好"])
      await router.dispatch(say(content), recorder().ports);
    expect(seen).toEqual(["agent:转人工", "agent:找客服", "command", "plain:你好"]);
  });

  test("a global or sticky pattern matches every push, not every other one", async () => {
    let hits = 0;
    const router = createRouter().hears(/人工/g, () => void (hits += 1));
    for (let i = 0; i < 4; i += 1) await router.dispatch(say("人工", String(i)), recorder().ports);
    expect(hits).toBe(4);
  });

  test("a matched handler's passive reply is the outcome's reply", async () => {
    const router = createRouter().hears(/人工/, ({ reply }) => reply.transfer());
    const outcome = await router.dispatch(say("转人工"), recorder().ports);
    expect(outcome.reply).toMatchObject({
      MsgType: "transfer_customer_service",
      ToUserName: "o-user",
      FromUserName: "wx1",
    });
    expect(outcome.sent).toBe(0);
  });

  test("middleware runs around every handler, in registration order, and sees the route", async () => {
    const order: string[] = [];
    const router = createRouter()
      .use(async (ctx, next) => {
        order.push(`a> ${ctx.route}`);
        await next();
        order.push("a<");
      })
      .use(async (_ctx, next) => {
        order.push("b>");
        await next();
        order.push("b<");
      })
      .on("text", () => void order.push("handler"))
      .otherwise(() => void order.push("otherwise"));
    await router.dispatch(text, recorder().ports);
    await router.dispatch(voice, recorder().ports);
    expect(order).toEqual([
      "a> text",
      "b>",
      "handler",
      "b<",
      "a<",
      "a> unknown",
      "b>",
      "otherwise",
      "b<",
      "a<",
    ]);
  });

  test("middleware that does not call next blocks the push: no handler, nothing sent", async () => {
    const { sent, ports } = recorder();
    const blocked = new Set(["o-user"]);
    const router = createRouter()
      .use(async (ctx, next) => {
        if (!blocked.has(ctx.openid)) await next();
      })
      .on("text", ({ reply }) => reply.text("收到"));
    expect(await router.dispatch(text, ports)).toEqual({ route: "text", sent: 0 });
    expect(sent).toEqual([]);
  });

  test("a passive reply survives middleware that does not pass it along", async () => {
    const router = createRouter()
      .use(async (_ctx, next) => {
        await next();
      })
      .hears(/人工/, ({ reply }) => reply.transfer());
    expect((await router.dispatch(say("人工"), recorder().ports)).reply?.MsgType).toBe(
      "transfer_customer_service",
    );
  });

  test("onError is told of handler and middleware failures alike; dispatch still reports them", async () => {
    const told: string[] = [];
    const failingMiddleware = createRouter()
      .use(() => {
        throw new Error("middleware broke");
      })
      .on("text", () => {})
      .onError((error, ctx) => void told.push(`${ctx.route}: ${(error.cause as Error).message}`));
    const failingHandler = createRouter()
      .on("text", () => {
        throw new Error("handler broke");
      })
      .onError((error) => void told.push((error.cause as Error).message))
      .onError(() => {
        throw new Error("the boundary itself broke");
      });
    expect((await failingMiddleware.dispatch(text, recorder().ports)).error).toBeInstanceOf(HandlerError);
    expect((await failingHandler.dispatch(text, recorder().ports)).error?.message).toContain("handler broke");
    expect(told).toEqual(["text: middleware broke", "handler broke"]);
  });

  test("calling next() twice is an error, not a second reply", async () => {
    const { sent, ports } = recorder();
    const router = createRouter()
      .use(async (_ctx, next) => {
        await next();
        await next();
      })
      .on("text", ({ reply }) => reply.text("收到"));
    const outcome = await router.dispatch(text, ports);
    expect(outcome.error?.message).toContain("next() called twice");
    expect(sent).toHaveLength(1);
  });

  test("registering a second plain handler for a route says how to add a matcher instead", () => {
    expect(() =>
      createRouter()
        .on("text", () => {})
        .on("text", () => {}),
    ).toThrow(/已经有处理函数.*add a matcher/);
  });
});

describe("dispatch never throws and never leaves work behind (review findings)", () => {
  test("a matcher that throws is a handler failure, reported, not thrown", async () => {
    const router = createRouter().on(
      "text",
      () => {
        throw new Error("matcher boom");
      },
      () => {},
    );
    const outcome = await router.dispatch(text, recorder().ports);
    expect(outcome.error?.message).toContain("matcher boom");
  });

  test("middleware that calls next() without awaiting it: dispatch still waits for the handler", async () => {
    const { sent, ports } = recorder();
    const router = createRouter()
      .use((_ctx, next) => {
        void next();
      })
      .on("text", async ({ reply }) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await reply.text("收到");
      });
    expect(await router.dispatch(text, ports)).toEqual({ route: "text", sent: 1 });
    expect(sent).toHaveLength(1);
  });

  test("...and a late handler failure is reported, not an unhandled rejection", async () => {
    const router = createRouter()
      .use((_ctx, next) => {
        void next();
      })
      .on("text", async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error("late");
      });
    expect((await router.dispatch(text, recorder().ports)).error?.message).toContain("late");
  });

  test("the fallback for a modelled route gets what Handler<'unknown'> promises: raw, and a reply", async () => {
    const media = parsePush({
      ...base,
      MsgType: "event",
      Event: "wxa_media_check",
      appid: "wx1",
      trace_id: "t",
      version: 2,
      result: { suggest: "pass", label: 100 },
    });
    const seen: unknown[] = [];
    const router = createRouter().otherwise((ctx) => {
      seen.push(ctx.message.raw["trace_id"], typeof ctx.reply.text);
    });
    await router.dispatch(media, recorder().ports);
    expect(seen).toEqual(["t", "function"]);
  });
});
