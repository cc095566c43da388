// Each outcome of the pipeline: what it returns, what it records in the store, and the one log line an
// operator reads for it (level, the English half of the message, the fields that identify the push).
import type { DoorPorts } from "../../src/core/app";
import { createApp } from "../../src/core/app";
import type { Store } from "../../src/core/dedupe";
import { createMemoryStore } from "../../src/core/memory-store";
import { createRouter } from "../../src/core/router";
import { createRecordingLog } from "../helpers/recording-log";
import { recordingPorts } from "../helpers/recording-ports";

const text = (MsgId?: string) => ({
  ToUserName: "wx1",
  FromUserName: "o-user",
  CreateTime: 100,
  MsgType: "text",
  Content: "hi",
  ...(MsgId === undefined ? {} : { MsgId }),
});

const recorder = recordingPorts;

const acknowledging = () =>
  createRouter()
    .on(["text", "image", "miniprogrampage"], async ({ reply }) => {
      await reply.text("收到");
    })
    .on("event.user_enter_tempsession", async ({ reply }) => {
      await reply.text("欢迎");
    });

const instantClock = (start = 0) => {
  let now = start;
  return { now: () => now, sleep: () => Promise.resolve(), advance: (ms: number) => void (now += ms) };
};

test("without a shared store the app's own memory follows the app's clock and rememberMs", async () => {
  const clock = instantClock(1_000_000);
  const remembering = createApp({ router: acknowledging(), clock, rememberMs: 10 * 60_000 });
  const forgetful = createApp({ router: acknowledging(), clock });
  const { sent, ports } = recorder();
  await remembering.handle(text("m1"), ports);
  await forgetful.handle(text("m1"), ports);
  clock.advance(5 * 60_000); // past the two-minute default, inside rememberMs
  expect(await remembering.handle(text("m1"), ports)).toMatchObject({ status: "duplicate", state: "done" });
  expect(await forgetful.handle(text("m1"), ports)).toMatchObject({ status: "handled" });
  expect(sent).toHaveLength(3);
});

describe("malformed pushes", () => {
  test("a parse failure is logged as a warning naming the field and what was expected", async () => {
    const log = createRecordingLog();
    const result = await createApp({ router: acknowledging(), log }).handle(
      { ...text("1"), CreateTime: "soon" },
      recorder().ports,
    );
    expect(result).toMatchObject({ status: "malformed", error: { field: "CreateTime" } });
    expect(log.entries).toEqual([
      {
        level: "warn",
        message: expect.stringContaining("malformed push ignored") as string,
        fields: { field: "CreateTime", expected: expect.any(String) as string },
      },
    ]);
  });

  test("anything else thrown while reading the push becomes a PushParseError about the push itself", async () => {
    const log = createRecordingLog();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new TypeError("getter bomb");
        },
      },
    );
    const result = await createApp({ router: acknowledging(), log }).handle(hostile, recorder().ports);
    expect(result).toMatchObject({
      status: "malformed",
      error: { field: "(push)", expected: "a readable object" },
    });
    expect(log.find("malformed push ignored")[0]?.fields).toEqual({
      field: "(push)",
      expected: "a readable object",
    });
  });
});

describe("user messages without MsgId are unusual; events never carry one", () => {
  test.each([
    ["text", { MsgType: "text", Content: "hi" }, "from:o-user:100:text"],
    ["image", { MsgType: "image", PicUrl: "https://x/y.jpg", MediaId: "m" }, "from:o-user:100:image"],
    [
      "miniprogrampage",
      {
        MsgType: "miniprogrampage",
        Title: "t",
        AppId: "wx2",
        PagePath: "p",
        ThumbUrl: "u",
        ThumbMediaId: "m",
      },
      "from:o-user:100:miniprogrampage",
    ],
  ])("%s without MsgId: warned with the fallback key, answered", async (_kind, fields, key) => {
    const log = createRecordingLog();
    const { sent, ports } = recorder();
    const push = { ToUserName: "wx1", FromUserName: "o-user", CreateTime: 100, ...fields };
    expect(await createApp({ router: acknowledging(), log }).handle(push, ports)).toMatchObject({
      status: "handled",
    });
    expect(log.find("message without MsgId")).toEqual([
      { level: "warn", message: expect.any(String) as string, fields: { key } },
    ]);
    expect(sent).toHaveLength(1);
  });

  test("a text with MsgId and an event without one are not warned about", async () => {
    const log = createRecordingLog();
    const app = createApp({ router: acknowledging(), log });
    await app.handle(text("m7"), recorder().ports);
    const enter = {
      ToUserName: "wx1",
      FromUserName: "o-user",
      CreateTime: 100,
      MsgType: "event",
      Event: "user_enter_tempsession",
      SessionFrom: "",
    };
    expect(await app.handle(enter, recorder().ports)).toMatchObject({ status: "handled" });
    expect(log.find("without MsgId")).toEqual([]);
  });
});

test("a duplicate is logged at info with its key and state, and its result carries no reply when none was given", async () => {
  const log = createRecordingLog();
  const app = createApp({ router: acknowledging(), log });
  const first = await app.handle(text("d1"), recorder().ports);
  const second = await app.handle(text("d1"), recorder().ports);
  expect(first).not.toHaveProperty("reply");
  expect(second).not.toHaveProperty("reply");
  expect(second).toMatchObject({ status: "duplicate", state: "done" });
  expect(log.find("duplicate push skipped")).toEqual([
    { level: "info", message: expect.any(String) as string, fields: { key: "msg:d1", state: "done" } },
  ]);
});

test("a passive reply is returned on the first delivery and again on a redelivery", async () => {
  const router = createRouter().on("text", ({ reply }) => reply.transfer());
  const app = createApp({ router });
  const first = await app.handle(text("p1"), recorder().ports);
  const second = await app.handle(text("p1"), recorder().ports);
  expect(first).toMatchObject({ status: "handled", reply: { MsgType: "transfer_customer_service" } });
  expect(second).toMatchObject({
    status: "duplicate",
    state: "done",
    reply: { MsgType: "transfer_customer_service" },
  });
});

test("PUSH_DEDUPE_FAIL=closed: a store outage is logged as an error with the key and the store's error", async () => {
  const log = createRecordingLog();
  const down: Store = {
    claim: () => Promise.reject(new Error("ECONNREFUSED 127.0.0.1:6379")),
    complete: () => Promise.reject(new Error("down")),
    release: () => Promise.reject(new Error("down")),
  };
  const { sent, ports } = recorder();
  const result = await createApp({
    router: acknowledging(),
    log,
    store: down,
    dedupeFailure: "closed",
  }).handle(text("s1"), ports);
  expect(result).toMatchObject({ status: "store-unavailable" });
  expect(sent).toEqual([]);
  expect(log.find("dedupe store unavailable, push not handled")).toEqual([
    {
      level: "error",
      message: expect.any(String) as string,
      fields: { key: "msg:s1", error: expect.stringContaining("ECONNREFUSED") as string },
    },
  ]);
});

describe("handler failures", () => {
  const busy = () => Object.assign(new Error("system busy"), { errcode: -1 });

  test("a transient failure after one reply already went out is not released (a rerun would reply twice)", async () => {
    const log = createRecordingLog();
    const router = createRouter().on("text", async ({ reply }) => {
      await reply.text("one");
      await reply.text("two");
    });
    let calls = 0;
    const ports: DoorPorts = {
      recipientOf: () => "o",
      send: () => ((calls += 1) === 1 ? Promise.resolve() : Promise.reject(busy())),
    };
    const app = createApp({ router, log, retry: { attempts: 1, backoffMs: [] } });
    expect(await app.handle(text("f1"), ports)).toMatchObject({
      status: "handled",
      retry: false,
      outcome: { sent: 1 },
    });
    expect(await app.handle(text("f1"), ports)).toMatchObject({ status: "duplicate", state: "done" });
    expect(log.find("handler failed, not retried")).toEqual([
      {
        level: "error",
        message: expect.any(String) as string,
        fields: {
          key: "msg:f1",
          route: "text",
          sent: 1,
          reason: "errcode -1: system busy",
          error: expect.any(String) as string,
        },
      },
    ]);
  });

  test("a bug in a handler is logged with where it was thrown (source maps make it a src/ line in the cloud)", async () => {
    const log = createRecordingLog();
    async function brokenHandler(): Promise<void> {
      await Promise.resolve();
      // " at " in the message too: only the frames below it are places.
      throw new TypeError("no template at index 2");
    }
    const router = createRouter()
      .on("text", brokenHandler)
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what careless code does
      .on("image", () => Promise.reject("a string"));
    const app = createApp({ router, log });
    await app.handle(text("bug-1"), recorder().ports);
    const [entry] = log.find("handler failed, not retried");
    expect(entry?.fields).toMatchObject({ key: "msg:bug-1", reason: "no errcode" });
    // The top three frames, each without its "at ", joined.
    expect(String(entry?.fields?.["at"]).split(" ← ")).toHaveLength(3);
    expect(entry?.fields?.["at"]).toMatch(
      /^(Object\.)?brokenHandler [^←]*\(.*app-outcomes\.test\.ts:\d+:\d+\) ← .*router\.ts:\d+:\d+\)/,
    );
    // An Error whose stack names no frame, and what is not an Error at all, have no place to show.
    const frameless = Object.assign(new Error("frameless"), { stack: "Error: frameless" });
    const framelessLog = createRecordingLog();
    const bare = createApp({
      router: createRouter().on("text", () => Promise.reject(frameless)),
      log: framelessLog,
    });
    await bare.handle(text("bug-0"), recorder().ports);
    expect(framelessLog.find("handler failed, not retried")[0]?.fields).toMatchObject({
      error: "[message-push] the text handler failed: frameless",
    });
    expect(framelessLog.find("handler failed, not retried")[0]?.fields).not.toHaveProperty("at");
    await app.handle({ ...text("bug-2"), MsgType: "image", PicUrl: "u", MediaId: "m" }, recorder().ports);
    expect(log.find("handler failed, not retried")[1]?.fields).not.toHaveProperty("at");
  });

  test("a transient failure with nothing sent is released and logged so", async () => {
    const log = createRecordingLog();
    const app = createApp({ router: acknowledging(), log, retry: { attempts: 1, backoffMs: [] } });
    const result = await app.handle(text("f2"), {
      recipientOf: () => "o",
      send: () => Promise.reject(busy()),
    });
    expect(result).toMatchObject({ status: "handled", retry: true });
    expect(log.find("released for a retry")).toEqual([
      {
        level: "error",
        message: expect.any(String) as string,
        fields: {
          key: "msg:f2",
          route: "text",
          sent: 0,
          reason: "errcode -1: system busy",
          error: expect.any(String) as string,
        },
      },
    ]);
  });

  test("a send whose outcome is unknown is logged as such, and not released", async () => {
    const log = createRecordingLog();
    const app = createApp({ router: acknowledging(), log, retry: { attempts: 1, backoffMs: [] } });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const result = await app.handle(text("f3"), {
      recipientOf: () => "o",
      send: () => Promise.reject(reset),
    });
    expect(result).toMatchObject({ status: "handled", retry: false });
    expect(log.find("send outcome unknown")).toHaveLength(1);
    expect(log.find("send outcome unknown")[0]).toMatchObject({
      level: "error",
      fields: { key: "msg:f3", sent: 0 },
    });
  });

  test("a handled push with no failure logs no error", async () => {
    const log = createRecordingLog();
    await createApp({ router: acknowledging(), log }).handle(text("ok"), recorder().ports);
    expect(log.entries.filter((entry) => entry.level === "error")).toEqual([]);
  });
});

describe("recording the outcome in the store", () => {
  /** A memory store whose complete() fails the first `failures` times. */
  function flakyComplete(failures: number) {
    const inner = createMemoryStore();
    let left = failures;
    let completes = 0;
    const store: Store = {
      claim: (key, ttl) => inner.claim(key, ttl),
      release: (key, lease) => inner.release(key, lease),
      complete: (key, lease, reply) => {
        completes += 1;
        if (left > 0) {
          left -= 1;
          return Promise.reject(new Error("write conflict"));
        }
        return inner.complete(key, lease, reply);
      },
    };
    return { store, inner, completes: () => completes };
  }

  test("one failed write is tried again, so the shared store still learns the push was answered", async () => {
    const log = createRecordingLog();
    const { store, inner, completes } = flakyComplete(1);
    await createApp({ router: acknowledging(), log, store }).handle(text("w1"), recorder().ports);
    expect(completes()).toBe(2);
    // Another instance, sharing the store, sees it answered.
    expect(await inner.claim("msg:w1", 10_000)).toEqual({ status: "done" });
    expect(log.find("could not record the outcome")).toEqual([]);
  });

  test("two failed writes stop there and are logged with the key and the error", async () => {
    const log = createRecordingLog();
    const { store, completes } = flakyComplete(5);
    await createApp({ router: acknowledging(), log, store }).handle(text("w2"), recorder().ports);
    expect(completes()).toBe(2);
    expect(log.find("could not record the outcome")).toEqual([
      {
        level: "error",
        message: expect.any(String) as string,
        fields: { key: "msg:w2", error: "write conflict" },
      },
    ]);
  });
});
