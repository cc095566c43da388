// The pipeline every door shares, with hand-built pushes and recording ports.
import type { AppOptions, DoorPorts } from "../../src/core/app";
import { createApp } from "../../src/core/app";
import type { Store } from "../../src/core/dedupe";
import type { Log } from "../../src/core/log";
import { silentLog } from "../../src/core/log";
import { createRouter } from "../../src/core/router";
import { recordingPorts } from "../helpers/recording-ports";

const push = (MsgId: string | null = "1", extra: Record<string, unknown> = {}) => ({
  ToUserName: "wx1",
  FromUserName: "o-user",
  CreateTime: 1,
  MsgType: "text",
  Content: "hi",
  ...(MsgId === null ? {} : { MsgId }),
  ...extra,
});

const recorder = recordingPorts;

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const add = (message: string, fields?: Record<string, unknown>) =>
    void lines.push(fields === undefined ? message : `${message} ${JSON.stringify(fields)}`);
  return { lines, info: add, warn: add, error: add };
}

const acknowledging = () =>
  createRouter().on("text", async ({ reply }) => {
    await reply.text("收到");
  });

const noSleep = { now: () => Date.now(), sleep: () => Promise.resolve() };
const app = (options: Partial<AppOptions> = {}) =>
  createApp({ router: acknowledging(), log: silentLog, clock: noSleep, ...options });

test("the pipeline hands the typing port to handlers that opt in", async () => {
  const calls: string[] = [];
  const router = createRouter().on("text", async ({ reply }) => {
    await reply.typing();
    await reply.text("收到");
  });
  const result = await createApp({ router }).handle(push(), {
    recipientOf: (message) => message.FromUserName,
    send: (payload) => Promise.resolve(void calls.push(`send ${payload.touser}`)),
    typing: (touser, command) => Promise.resolve(void calls.push(`${command} ${touser}`)),
  });
  expect(result).toMatchObject({ status: "handled", retry: false, outcome: { route: "text", sent: 1 } });
  expect(calls).toEqual(["Typing o-user", "send o-user"]);
});

test("a malformed push is reported with the field, not thrown, and nothing is sent", async () => {
  const { sent, ports } = recorder();
  const result = await app().handle({ MsgType: 1 }, ports);
  expect(result).toMatchObject({ status: "malformed", error: { field: "ToUserName" } });
  expect(sent).toEqual([]);
});

test("a push whose properties throw when read is reported as malformed, never thrown", async () => {
  const { sent, ports } = recorder();
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error("getter bomb");
      },
    },
  );
  await expect(app().handle(hostile, ports)).resolves.toMatchObject({ status: "malformed" });
  expect(sent).toEqual([]);
});

test("a text message without MsgId is still answered, once, and logged as unusual", async () => {
  const log = recordingLog();
  const { sent, ports } = recorder();
  const instance = app({ log });
  expect(await instance.handle(push(null), ports)).toMatchObject({ status: "handled" });
  expect(await instance.handle(push(null), ports)).toMatchObject({ status: "duplicate", state: "done" });
  expect(sent).toHaveLength(1);
  expect(log.lines.join("\n")).toContain("message without MsgId");
  expect(log.lines.join("\n")).toContain("from:o-user:1:text");
});

describe("in-process retries of transient send failures", () => {
  const busy = () => Object.assign(new Error("system busy"), { errcode: -1 });

  test("a transient failure is retried with backoff and the reply goes out once", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await createApp({
      router: acknowledging(),
      clock: { now: () => 0, sleep: (ms) => Promise.resolve(void sleeps.push(ms)) },
      retry: { attempts: 3, backoffMs: [300, 1000] },
    }).handle(push("r1"), {
      recipientOf: () => "o",
      send: () => ((calls += 1) < 3 ? Promise.reject(busy()) : Promise.resolve()),
    });
    expect(calls).toBe(3);
    expect(sleeps).toEqual([300, 1000]);
    expect(result).toMatchObject({ status: "handled", retry: false, outcome: { sent: 1 } });
  });

  test("a permanent failure (45015) is not retried", async () => {
    let calls = 0;
    const result = await app().handle(push("r2"), {
      recipientOf: () => "o",
      send: () => ((calls += 1), Promise.reject(Object.assign(new Error("quota"), { errcode: 45015 }))),
    });
    expect(calls).toBe(1);
    expect(result).toMatchObject({ status: "handled", retry: false });
  });

  test("when every attempt fails transiently the claim is released for WeChat's retry", async () => {
    let calls = 0;
    const instance = app({ retry: { attempts: 2, backoffMs: [10] } });
    const failing: DoorPorts = { recipientOf: () => "o", send: () => ((calls += 1), Promise.reject(busy())) };
    expect(await instance.handle(push("r3"), failing)).toMatchObject({ status: "handled", retry: true });
    expect(calls).toBe(2);
    const { sent, ports } = recorder();
    expect(await instance.handle(push("r3"), ports)).toMatchObject({ status: "handled", retry: false });
    expect(sent).toHaveLength(1);
  });

  test("no retry is started that could not finish before the push's deadline", async () => {
    let calls = 0;
    let clock = 1_000;
    const result = await createApp({
      router: acknowledging(),
      clock: { now: () => clock, sleep: (ms) => Promise.resolve(void (clock += ms)) },
      retry: { attempts: 5, backoffMs: [300] },
    }).handle(push("r4"), {
      recipientOf: () => "o",
      deadline: 1_000 + 1_000,
      send: () => ((calls += 1), Promise.reject(busy())),
    });
    // 1st at 1000, 2nd at 1300 (left 700 ≥ 300 + 500 before it), then 400 left < 300 + 500: stop.
    expect(calls).toBe(2);
    expect(result).toMatchObject({ status: "handled", retry: true });
  });

  test("a send still pending at the deadline is abandoned; its outcome is unknown, so it is neither retried nor released", async () => {
    let calls = 0;
    const instance = createApp({ router: acknowledging(), retry: { attempts: 3, backoffMs: [0] } });
    const hanging: DoorPorts = {
      recipientOf: () => "o",
      deadline: Date.now() + 50,
      send: () => ((calls += 1), new Promise(() => {})),
    };
    const result = await instance.handle(push("r5"), hanging);
    expect(result).toMatchObject({ status: "handled", retry: false, outcome: { sent: 0, uncertain: 1 } });
    if (result.status !== "handled") throw new Error("unreachable");
    expect(result.outcome.error?.message).toContain("time budget");
    expect(calls).toBe(1); // it may have been delivered: a second attempt could be a second 「收到」
    expect(await instance.handle(push("r5"), recorder().ports)).toMatchObject({ status: "duplicate" });
  });

  test("past the deadline nothing is sent at all, and the push is released for WeChat's retry", async () => {
    let calls = 0;
    const result = await app().handle(push("r6"), {
      recipientOf: () => "o",
      deadline: Date.now() - 1,
      send: () => ((calls += 1), Promise.resolve()),
    });
    expect(calls).toBe(0);
    expect(result).toMatchObject({ status: "handled", retry: true });
  });

  test("a refused access token is not retried here (the HTTPS sender refreshes it and tries once itself)", async () => {
    let calls = 0;
    await app().handle(push("r7"), {
      recipientOf: () => "o",
      send: () => (
        (calls += 1),
        Promise.reject(Object.assign(new Error("invalid credential"), { errcode: 40001 }))
      ),
    });
    expect(calls).toBe(1);
  });
});

describe("a dedupe store outage", () => {
  const down: Store = {
    claim: () => Promise.reject(new Error("database request fail")),
    complete: () => Promise.reject(new Error("database request fail")),
    release: () => Promise.reject(new Error("database request fail")),
  };

  test("open (the default): the push is answered, deduplicated in this instance's memory, and logged", async () => {
    const log = recordingLog();
    const { sent, ports } = recorder();
    const instance = app({ store: down, log });
    expect(await instance.handle(push("o1"), ports)).toMatchObject({ status: "handled" });
    expect(await instance.handle(push("o1"), ports)).toMatchObject({ status: "duplicate", state: "done" });
    expect(sent).toHaveLength(1);
    expect(log.lines.join("\n")).toContain("dedupe store unavailable, deduplicating in memory");
    expect(log.lines.join("\n")).toContain("database request fail");
  });

  test("closed (PUSH_DEDUPE_FAIL=closed): the push is not handled and nothing is sent", async () => {
    const { sent, ports } = recorder();
    const result = await app({ store: down, dedupeFailure: "closed" }).handle(push("c1"), ports);
    expect(result).toMatchObject({ status: "store-unavailable" });
    expect(sent).toEqual([]);
  });
});

describe("notifications: keys that fit each push, no reply", () => {
  const media = (trace_id: string) => ({
    ToUserName: "wx1",
    FromUserName: "o-user",
    CreateTime: 100,
    MsgType: "event",
    Event: "wxa_media_check",
    appid: "wx1",
    trace_id,
    version: 2,
    result: { suggest: "risky", label: 20002 },
  });
  const popup = (status: string) => ({
    ToUserName: "gh",
    FromUserName: "o-user",
    CreateTime: "100",
    MsgType: "event",
    Event: "subscribe_msg_popup_event",
    List: { TemplateId: "T1", SubscribeStatusString: status, PopupScene: "0" },
  });

  function counting() {
    const seen: string[] = [];
    const router = createRouter()
      .on("event.wxa_media_check", ({ message }) => void seen.push(message.trace_id))
      .on("event.subscribe_msg_popup_event", (ctx) => {
        seen.push(ctx.message.List.map((item) => item.SubscribeStatusString).join());
        // Not a conversation: there is no reply to call.
        expect("reply" in ctx).toBe(false);
      });
    return { seen, app: createApp({ router }) };
  }

  test("two media-check results of one user in one second (different trace_id) are both handled; a retry is not", async () => {
    const { seen, app } = counting();
    const { sent, ports } = recorder();
    expect(await app.handle(media("trace-a"), ports)).toMatchObject({ status: "handled" });
    expect(await app.handle(media("trace-b"), ports)).toMatchObject({ status: "handled" });
    expect(await app.handle(media("trace-a"), ports)).toMatchObject({ status: "duplicate" });
    expect(seen).toEqual(["trace-a", "trace-b"]);
    expect(sent).toEqual([]);
  });

  test("two different subscription events of one user in one second are both handled; a retry is not", async () => {
    const { seen, app } = counting();
    const { ports } = recorder();
    await app.handle(popup("accept"), ports);
    await app.handle(popup("reject"), ports);
    expect(await app.handle(popup("accept"), ports)).toMatchObject({ status: "duplicate" });
    expect(seen).toEqual(["accept", "reject"]);
  });
});

test("a shared store that hangs counts as down: the push is answered on this instance's claim (open policy)", async () => {
  const { sent, ports } = recorder();
  const hanging = {
    claim: () => new Promise<never>(() => {}),
    complete: () => new Promise<never>(() => {}),
    release: () => new Promise<never>(() => {}),
  };
  const result = await app({ store: hanging }).handle(push("hang-1"), ports);
  expect(result).toMatchObject({ status: "handled" });
  expect(sent).toHaveLength(1);
}, 6000);
