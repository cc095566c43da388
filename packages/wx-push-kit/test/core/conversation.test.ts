// Per-user state through the pipeline every door shares: sessions, the quota ledger and the hand-over, on a
// clock the test moves. Instances are separate apps (each its own claims in memory) sharing one state store,
// as two cloud instances share the database. The doors: test/integration/conversation-cloud.test.ts (real
// wx-server-sdk) and test/reliability/conversation-redis.test.ts (two servers, a real redis-server).
import type { Clock } from "../../src/core/clock";
import type { ConversationOptions } from "../../src/core/conversation";
import { QUOTA } from "../../src/core/conversation";
import { createApp } from "../../src/core/app";
import type { Router } from "../../src/core/router";
import { createRouter } from "../../src/core/router";
import type { SendPayload } from "../../src/core/reply";
import type { StateStore } from "../../src/core/state";
import { createMemoryStateStore } from "../../src/core/state";
import { createRecordingLog } from "../helpers/recording-log";

const HOUR = 60 * 60 * 1000;

function manualClock(start = Date.UTC(2026, 11, 2, 4, 0)): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: () => Promise.resolve(),
    advance: (ms) => void (now += ms),
  };
}

let sequence = 0;
/** A push from `from`, written now by the clock (CreateTime is WeChat's clock, here the test's). */
function push(clock: Clock, fields: Record<string, unknown>, from = "o-user") {
  sequence += 1;
  return {
    ToUserName: "wx-test",
    FromUserName: from,
    CreateTime: Math.floor(clock.now() / 1000),
    MsgId: `m${sequence}`,
    MsgType: "text",
    ...fields,
  };
}
const text = (clock: Clock, content: string, from?: string) => push(clock, { Content: content }, from);
const entering = (clock: Clock) => push(clock, { MsgType: "event", Event: "user_enter_tempsession" });

interface Steps {
  step: number;
  answers: string[];
}

/** A three-step questionnaire: each text is the answer to the current step. */
function questionnaire(options: Partial<ConversationOptions<Steps>> = {}): Router<Steps> {
  return createRouter<Steps>({ session: { initial: () => ({ step: 0, answers: [] }) }, ...options })
    .hears("人工", ({ reply }) => reply.transfer())
    .on("text", async ({ message, reply, session }) => {
      session.step += 1;
      session.answers.push(message.Content);
      await reply.text(`第 ${session.step} 步：${session.answers.join("/")}`);
    });
}

function instance<S>(router: Router<S>, state: StateStore, clock: Clock, extra = {}) {
  const log = createRecordingLog();
  const sent: SendPayload[] = [];
  const app = createApp({ router: router, state, clock, log, ...extra });
  const deliver = (raw: unknown, send?: (payload: SendPayload) => Promise<void>) =>
    app.handle(raw, {
      recipientOf: (message) => message.FromUserName,
      send: send ?? ((payload) => Promise.resolve(void sent.push(payload))),
    });
  return { app, log, sent, deliver, texts: () => sent.map((payload) => textOf(payload)) };
}

const textOf = (payload: SendPayload) =>
  payload.msgtype === "text" ? payload.text.content : payload.msgtype;

describe("sessions", () => {
  test("a three-step flow reaches the right step, its pushes alternating between two instances", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore(clock.now);
    const [a, b] = [instance(questionnaire(), state, clock), instance(questionnaire(), state, clock)];
    await a.deliver(text(clock, "甲"));
    await b.deliver(text(clock, "乙"));
    await a.deliver(text(clock, "丙"));
    expect([...a.texts(), ...b.texts()].sort()).toEqual([
      "第 1 步：甲",
      "第 2 步：甲/乙",
      "第 3 步：甲/乙/丙",
    ]);
  });

  test("two messages of one user handled at once on two instances: the loser reruns, no update lost", async () => {
    const clock = manualClock();
    const memory = createMemoryStateStore(clock.now);
    // Every read waits for the other instance's read: both handlers run on the same version of the record.
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const state: StateStore = {
      async read(key) {
        const found = await memory.read(key);
        arrived += 1;
        if (arrived === 2) release();
        if (arrived <= 2) await bothRead;
        return found;
      },
      write: (key, value, expected, ttl) => memory.write(key, value, expected, ttl),
    };
    const [a, b] = [instance(questionnaire(), state, clock), instance(questionnaire(), state, clock)];
    await Promise.all([a.deliver(text(clock, "甲")), b.deliver(text(clock, "乙"))]);
    const sent = [...a.texts(), ...b.texts()].sort();
    // One was recorded as step 1; the other lost the write, reran on the fresh record and is step 2.
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^第 1 步：(甲|乙)$/);
    expect(sent[1]).toMatch(/^第 2 步：(甲\/乙|乙\/甲)$/);
    expect([...a.log.find("recorded first"), ...b.log.find("recorded first")]).toHaveLength(1);
    const record = await memory.read("user:o-user");
    expect(record?.value).toMatchObject({ session: { value: { step: 2 } } });
  });

  test("a record that keeps changing fails the push loudly after five tries, nothing sent", async () => {
    const clock = manualClock();
    const memory = createMemoryStateStore(clock.now);
    const state: StateStore = { read: (key) => memory.read(key), write: () => Promise.resolve("conflict") };
    const a = instance(questionnaire(), state, clock);
    const result = await a.deliver(text(clock, "甲"));
    expect(result).toMatchObject({ status: "handled", outcome: { sent: 0 } });
    expect(a.sent).toEqual([]);
    expect(a.log.find("kept changing")).toHaveLength(1);
  });

  test("a redelivery on another instance does not advance the flow twice, nor answer twice", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore(clock.now);
    const [a, b] = [instance(questionnaire(), state, clock), instance(questionnaire(), state, clock)];
    const first = text(clock, "甲");
    await a.deliver(first);
    // The claim store is per instance here (as when the shared one is down): the state record knows.
    await b.deliver(first);
    await b.deliver(text(clock, "乙"));
    expect([...a.texts(), ...b.texts()]).toEqual(["第 1 步：甲", "第 2 步：甲/乙"]);
    expect(b.log.find("already applied")).toHaveLength(1);
  });

  test("sends that failed before any went out are sent by WeChat's retry, the step applied once", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore(clock.now);
    const a = instance(questionnaire(), state, clock, { retry: { attempts: 1, backoffMs: [0] } });
    const first = text(clock, "甲");
    const refused = Object.assign(new Error("system busy"), { errCode: -1 });
    const failed = await a.deliver(first, () => Promise.reject(refused));
    expect(failed).toMatchObject({ status: "handled", outcome: { sent: 0 } });
    await a.deliver(first);
    await a.deliver(text(clock, "乙"));
    expect(a.texts()).toEqual(["第 1 步：甲", "第 2 步：甲/乙"]);
    expect(a.log.find("replies unsent")).toHaveLength(1);
  });

  test("the TTL expires a session: after it, the flow starts over", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore(clock.now);
    const router = questionnaire({ session: { initial: () => ({ step: 0, answers: [] }), ttlMs: HOUR } });
    const a = instance(router, state, clock);
    await a.deliver(text(clock, "甲"));
    clock.advance(HOUR - 1000);
    await a.deliver(text(clock, "乙"));
    clock.advance(HOUR + 1000);
    await a.deliver(text(clock, "丙"));
    expect(a.texts()).toEqual(["第 1 步：甲", "第 2 步：甲/乙", "第 1 步：丙"]);
  });

  test("with the state store down, the open policy answers without state; the closed one answers nothing", async () => {
    const clock = manualClock();
    const down: StateStore = {
      read: () => Promise.reject(new Error("ECONNRESET")),
      write: () => Promise.reject(new Error("ECONNRESET")),
    };
    const open = instance(questionnaire(), down, clock);
    await open.deliver(text(clock, "甲"));
    expect(open.texts()).toEqual(["第 1 步：甲"]);
    expect(open.log.find("state store unreadable")).toHaveLength(1);

    const closed = instance(questionnaire(), down, clock, { dedupeFailure: "closed" });
    const result = await closed.deliver(text(clock, "甲"));
    expect(result.status).toBe("store-unavailable");
    expect(closed.sent).toEqual([]);
  });

  test("a handler's own session type is what it gets, and it may replace the session whole", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore(clock.now);
    const router = createRouter<{ visits: number }>({ session: { initial: () => ({ visits: 0 }) } }).on(
      "text",
      async (ctx) => {
        ctx.session = { visits: ctx.session.visits + 1 };
        await ctx.reply.text(`visit ${ctx.session.visits}`);
      },
    );
    const a = instance(router, state, clock);
    await a.deliver(text(clock, "1"));
    await a.deliver(text(clock, "2"));
    expect(a.texts()).toEqual(["visit 1", "visit 2"]);
  });
});

describe("the quota ledger", () => {
  /** Sends `count` messages in one handler and reports what each came to. */
  function sender(count: number, options: ConversationOptions<unknown> = { quota: true }) {
    const outcomes: string[] = [];
    const overBudget: string[] = [];
    const router = createRouter(options)
      .on(["text", "event.user_enter_tempsession"], async ({ reply }) => {
        for (let index = 1; index <= count; index += 1) {
          const before = reply.remaining();
          const result = await reply.text(`#${index}`);
          outcomes.push(`${String(before)}:${result.status}`);
        }
      })
      .onOverBudget(
        (refused, { route }) => void overBudget.push(`${route} ${refused.window} ${refused.limit}`),
      );
    return { router, outcomes, overBudget };
  }

  test("after a message, the 6th send inside 48 h is refused before any API call; onOverBudget runs once", async () => {
    const clock = manualClock();
    const { router, outcomes, overBudget } = sender(7);
    const a = instance(router, createMemoryStateStore(clock.now), clock);
    await a.deliver(text(clock, "你好"));
    expect(a.texts()).toEqual(["#1", "#2", "#3", "#4", "#5"]);
    expect(outcomes).toEqual([
      "5:sent",
      "4:sent",
      "3:sent",
      "2:sent",
      "1:sent",
      "0:over-budget",
      "0:over-budget",
    ]);
    expect(overBudget).toEqual(["text message 5"]);
    expect(a.log.find("over the customer-service quota")).toHaveLength(1);
  });

  test("after entering the chat, the 3rd send inside a minute is refused", async () => {
    const clock = manualClock();
    const { router, overBudget } = sender(3);
    const a = instance(router, createMemoryStateStore(clock.now), clock);
    await a.deliver(entering(clock));
    expect(a.texts()).toEqual(["#1", "#2"]);
    expect(overBudget).toEqual(["event.user_enter_tempsession enter 2"]);
  });

  test("a new message from the user resets the window; a push that is no action does not", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore(clock.now);
    let left: (number | undefined)[] = [];
    const router = createRouter({ quota: true })
      .on("text", async ({ reply }) => {
        await reply.text("a");
        await reply.text("b");
        await reply.text("c");
        left.push(reply.remaining());
      })
      .on("event.wxa_media_check", () => undefined);
    const a = instance(router, state, clock);
    await a.deliver(text(clock, "one"));
    clock.advance(HOUR);
    await a.deliver(push(clock, { MsgType: "event", Event: "wxa_media_check", trace_id: "t", result: {} }));
    await a.deliver(text(clock, "two"));
    expect(left).toEqual([2, 2]);
    expect(a.sent).toHaveLength(6);
    left = [];
  });

  test("the limits are data: a bot may set its own", async () => {
    const clock = manualClock();
    const { router } = sender(4, {
      quota: { ...QUOTA, afterMessage: { sends: 2, windowMs: QUOTA.afterMessage.windowMs } },
    });
    const a = instance(router, createMemoryStateStore(clock.now), clock);
    await a.deliver(text(clock, "你好"));
    expect(a.texts()).toEqual(["#1", "#2"]);
  });

  test("with the ledger unreadable, sends proceed (WeChat's 45015 stays the final word)", async () => {
    const clock = manualClock();
    const { router, outcomes } = sender(6);
    const down: StateStore = {
      read: () => Promise.reject(new Error("database request fail")),
      write: () => Promise.reject(new Error("database request fail")),
    };
    const a = instance(router, down, clock);
    await a.deliver(text(clock, "你好"));
    expect(a.sent).toHaveLength(6);
    expect(outcomes.every((outcome) => outcome === "undefined:sent")).toBe(true);
  });

  test("sends counted in one push are counted in the next, until the user writes again", async () => {
    const clock = manualClock();
    const state = createMemoryStateStore(clock.now);
    const router = createRouter({ quota: true })
      .on("text", async ({ reply }) => {
        await reply.text("1");
        await reply.text("2");
        await reply.text("3");
      })
      .on("image", async ({ reply }) => void (await reply.text(String(reply.remaining()))));
    const a = instance(router, state, clock);
    await a.deliver(text(clock, "你好"));
    const image = push(clock, { MsgType: "image", PicUrl: "https://example.invalid/a.png", MediaId: "m" });
    await a.deliver(image);
    // The image is a user action too: a new window of 5, nothing sent in it yet.
    expect(a.texts()).toEqual(["1", "2", "3", "5"]);
  });
});

describe("the hand-over", () => {
  const ACK = "测试：收到";
  function agentBot(options: ConversationOptions<unknown> = {}) {
    return createRouter({ handover: { resume: "回到机器人", ...(options.handover as object) }, ...options })
      .hears("人工", ({ reply }) => reply.transfer())
      .on(["text", "image"], async ({ reply }) => void (await reply.text(ACK)))
      .on("event.user_enter_tempsession", async ({ reply }) => void (await reply.text("测试：您好")));
  }

  test("within 30 minutes: no answer; 「人工」 again transfers again; the resume word brings the bot back", async () => {
    const clock = manualClock();
    const a = instance(agentBot(), createMemoryStateStore(clock.now), clock);
    const first = await a.deliver(text(clock, "转人工"));
    expect(first).toMatchObject({ reply: { MsgType: "transfer_customer_service" } });
    clock.advance(60_000);
    const waiting = await a.deliver(text(clock, "有人吗"));
    expect(waiting).toMatchObject({ status: "handled", outcome: { sent: 0 } });
    expect(a.log.find("replies are withheld")).toHaveLength(1);
    await a.deliver(entering(clock));
    const again = await a.deliver(text(clock, "人工"));
    expect(again).toMatchObject({ reply: { MsgType: "transfer_customer_service" } });
    await a.deliver(text(clock, "回到机器人"));
    await a.deliver(text(clock, "再问一句"));
    expect(a.texts()).toEqual([ACK, ACK]);
  });

  test("after 30 minutes the bot answers again", async () => {
    const clock = manualClock();
    const a = instance(agentBot(), createMemoryStateStore(clock.now), clock);
    await a.deliver(text(clock, "人工"));
    clock.advance(29 * 60_000);
    await a.deliver(text(clock, "还在等"));
    clock.advance(2 * 60_000);
    await a.deliver(text(clock, "算了"));
    expect(a.texts()).toEqual([ACK]);
  });

  test("another user is answered as usual meanwhile", async () => {
    const clock = manualClock();
    const a = instance(agentBot(), createMemoryStateStore(clock.now), clock);
    await a.deliver(text(clock, "人工"));
    await a.deliver(text(clock, "你好", "o-other"));
    expect(a.texts()).toEqual([ACK]);
  });

  test("a notice, at most once per interval, to a user who writes while waiting", async () => {
    const clock = manualClock();
    const notice = { text: "已为您转接人工客服，请稍候", everyMs: 5 * 60_000 };
    const a = instance(agentBot({ handover: { notice } }), createMemoryStateStore(clock.now), clock);
    await a.deliver(text(clock, "人工"));
    await a.deliver(text(clock, "在吗"));
    clock.advance(60_000);
    await a.deliver(text(clock, "在吗?"));
    clock.advance(5 * 60_000);
    await a.deliver(text(clock, "在吗??"));
    expect(a.texts()).toEqual([notice.text, notice.text]);
  });

  test("out of hours, the transfer becomes the configured reply (Asia/Shanghai by default)", async () => {
    // 2026-12-02 23:30 in Shanghai (15:30 UTC): the agents work 09:00–21:00.
    const clock = manualClock(Date.UTC(2026, 11, 2, 15, 30));
    const hours = { open: "09:00", close: "21:00", closedReply: "测试：人工客服 9:00–21:00 在线" };
    const a = instance(agentBot({ handover: { hours } }), createMemoryStateStore(clock.now), clock);
    const night = await a.deliver(text(clock, "人工"));
    expect(night).not.toHaveProperty("reply");
    expect(a.texts()).toEqual([hours.closedReply]);
    // Not handed over: the next message is answered.
    await a.deliver(text(clock, "好吧"));
    expect(a.texts()).toEqual([hours.closedReply, ACK]);
    // 10:00 the next morning in Shanghai: transferred.
    clock.advance(10.5 * HOUR);
    expect(await a.deliver(text(clock, "人工"))).toMatchObject({
      reply: { MsgType: "transfer_customer_service" },
    });
  });

  test("a bot sees the hand-over in its context and may end it itself", async () => {
    const clock = manualClock();
    const seen: boolean[] = [];
    const router = createRouter({ handover: true })
      .hears("人工", ({ reply }) => reply.transfer())
      .on("text", async ({ reply, handover, message }) => {
        seen.push(handover.active);
        if (message.Content === "紧急") handover.end();
        await reply.text("bot");
      });
    const a = instance(router, createMemoryStateStore(clock.now), clock);
    await a.deliver(text(clock, "人工"));
    await a.deliver(text(clock, "普通"));
    await a.deliver(text(clock, "紧急"));
    await a.deliver(text(clock, "之后"));
    expect(seen).toEqual([true, true, false]);
    expect(a.texts()).toEqual(["bot", "bot"]);
  });
});

test("a bot that keeps no state reads and writes none", async () => {
  const clock = manualClock();
  const calls: string[] = [];
  const state: StateStore = {
    read: () => Promise.resolve(void calls.push("read")),
    write: () => Promise.resolve(void calls.push("write")).then(() => 1),
  };
  const router = createRouter().on("text", async ({ reply }) => void (await reply.text("x")));
  const a = instance(router, state, clock);
  await a.deliver(text(clock, "hi"));
  expect(a.texts()).toEqual(["x"]);
  expect(calls).toEqual([]);
});
