// Matchers' edge cases, the notification context, and what the error boundary tells operators.
import { silentLog } from "../../src/core/log";
import { parsePush } from "../../src/core/parse";
import { createRouter } from "../../src/core/router";
import { createRecordingLog } from "../helpers/recording-log";

const base = { ToUserName: "wx1", FromUserName: "o-user", CreateTime: 1 };
const say = (Content: string) => parsePush({ ...base, MsgType: "text", Content, MsgId: Content });
const ports = () => ({
  openid: "o-user",
  log: silentLog,
  send: (): Promise<void> => Promise.resolve(),
});

describe("matchers", () => {
  test.each<[string, RegExp | string, string, boolean]>([
    ["a word matches inside the text", "人工", "转人工", true],
    ["a word that is not there", "人工", "你好", false],
    ["a case-insensitive pattern keeps its i flag", /hello/i, "HELLO there", true],
    ["a sticky pattern matches anywhere, not only at the start", /人工/y, "转人工", true],
    ["a global, case-insensitive pattern keeps its i flag", /hello/gi, "Hello", true],
  ])("%s", async (_label, matcher, content, matches) => {
    const seen: string[] = [];
    await createRouter()
      .hears(matcher, () => void seen.push("matched"))
      .on("text", () => void seen.push("plain"))
      .dispatch(say(content), ports());
    expect(seen).toEqual([matches ? "matched" : "plain"]);
  });

  test("a pattern set (from plain JavaScript) on a route without Content never matches it", async () => {
    const seen: string[] = [];
    const image = parsePush({ ...base, MsgType: "image", PicUrl: "u", MediaId: "m", MsgId: "2" });
    await createRouter()
      .on("image" as "text", /./, () => void seen.push("matched"))
      .on("image", () => void seen.push("plain"))
      .dispatch(image, ports());
    expect(seen).toEqual(["plain"]);
  });
});

test("a notification's handler gets no reply: there is no conversation to answer", async () => {
  const popup = parsePush({
    ...base,
    MsgType: "event",
    Event: "subscribe_msg_popup_event",
    List: { TemplateId: "T", SubscribeStatusString: "accept" },
  });
  const seen: boolean[] = [];
  const outcome = await createRouter()
    .on("event.subscribe_msg_popup_event", (ctx) => void seen.push("reply" in ctx))
    .dispatch(popup, ports());
  expect(seen).toEqual([false]);
  expect(outcome).toEqual({ route: "event.subscribe_msg_popup_event", sent: 0 });
});

describe("the error boundary", () => {
  test("a failing onError is logged with what it threw; the handler's error is still reported", async () => {
    const log = createRecordingLog();
    const told: string[] = [];
    const outcome = await createRouter()
      .on("text", () => {
        throw new Error("handler broke");
      })
      .onError(() => {
        throw new Error("the boundary itself broke");
      })
      .onError(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- user code can throw anything
        throw "a bare string";
      })
      .onError((error) => void told.push(error.message))
      .dispatch(say("hi"), { ...ports(), log });
    expect(outcome.error?.name).toBe("HandlerError");
    expect(outcome.error?.message).toBe("[message-push] the text handler failed: handler broke");
    // A later onError still runs after an earlier one failed.
    expect(told).toEqual(["[message-push] the text handler failed: handler broke"]);
    expect(log.find("an onError handler failed")).toEqual([
      {
        level: "error",
        message: "onError 处理函数自身出错 an onError handler failed",
        fields: { error: "the boundary itself broke" },
      },
      {
        level: "error",
        message: "onError 处理函数自身出错 an onError handler failed",
        fields: { error: "a bare string" },
      },
    ]);
  });
});

test("an unmodelled push reaches otherwise with raw as the push itself, not wrapped again", async () => {
  const voice = { ...base, MsgType: "voice", MediaId: "m", Format: "amr", MsgId: "v1" };
  const seen: unknown[] = [];
  await createRouter()
    .otherwise(({ message }) => void seen.push(message.raw))
    .dispatch(parsePush(voice), ports());
  expect(seen).toEqual([voice]);
});
