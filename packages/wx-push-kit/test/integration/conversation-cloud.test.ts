// Sessions, the quota ledger and the hand-over at the cloud door: a bot that keeps state (the kit's stateful
// test bot), BUILT, run by the REAL wx-server-sdk in separate processes (instances), every run a cold start,
// so what a user's next push finds comes only from the database stand-in (collection message_push_state).
import { STATE_COLLECTION } from "../../src/cloud/database-state";
import type { FakeCloudBase } from "../../src/local/fake-cloudbase";
import type { Runner } from "../../src/testing/function-runner";
import { startSdkRunner, startStandIn } from "../../src/testing/function-runner";
import { CLOSED_REPLY } from "../fixtures/stateful-bot/bot";
import { statefulProject } from "../helpers/stateful-project";

let cloudbase: FakeCloudBase;
let a: Runner;
let b: Runner;
const others: Runner[] = [];
let entry = "";

const instance = async (env: Record<string, string> = {}) => {
  const runner = await startSdkRunner(cloudbase, {
    FUNCTION_ENTRY: entry,
    PUSH_DEDUPE_STORE: "database",
    ...env,
  });
  others.push(runner);
  return runner;
};

beforeAll(async () => {
  ({ entry } = statefulProject("cloud-state"));
  ({ cloudbase } = await startStandIn());
  [a, b] = await Promise.all([instance(), instance()]);
}, 90_000);

afterAll(async () => {
  await Promise.all(others.map((runner) => runner.stop()));
  await cloudbase.close();
});

let sequence = 0;
const text = (from: string, Content: string) => ({
  ToUserName: "gh_7f083739789a",
  FromUserName: from,
  CreateTime: Math.floor(Date.now() / 1000),
  MsgType: "text",
  Content,
  MsgId: String(7_100_000_000 + (sequence += 1)),
});
const entering = (from: string) => ({
  ToUserName: "gh_7f083739789a",
  FromUserName: from,
  CreateTime: Math.floor(Date.now() / 1000),
  MsgType: "event",
  Event: "user_enter_tempsession",
  SessionFrom: "",
});
/** One cold instance of `runner` handles `event`; what it sent (text contents) and returned. */
async function run(runner: Runner, event: { FromUserName: string }) {
  const { returned, calls, logs } = await runner.run(event, event.FromUserName, undefined, {}, true);
  const texts = calls.map((call) => (call.payload["text"] as { content: string } | undefined)?.content);
  return { returned, texts, logs: logs.join("\n") };
}
const record = (openid: string) =>
  cloudbase.database.collections.get(STATE_COLLECTION)?.get(`user:${openid}`);

describe("sessions", () => {
  test("a three-step flow across instances reaches the right step, the record in the database", async () => {
    const user = "o-three-steps";
    expect((await run(a, text(user, "甲"))).texts).toEqual(["测试：第 1 步 甲"]);
    expect((await run(b, text(user, "乙"))).texts).toEqual(["测试：第 2 步 甲/乙"]);
    expect((await run(a, text(user, "丙"))).texts).toEqual(["测试：第 3 步 甲/乙/丙"]);
    expect(record(user)).toMatchObject({ version: 3, expiresAt: expect.any(Date) as Date });
  }, 30_000);

  test("two messages of one user at once on two instances: the conflict path reruns one, no update lost", async () => {
    const user = "o-concurrent";
    // Both instances' reads of the user's record are answered only once both have arrived: both handlers
    // run on the same version, one write wins, the other is refused and its handler reruns.
    let reads = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    cloudbase.holdDatabase = (request) => {
      if (!request.includes("database.getDocument") || !request.includes(STATE_COLLECTION)) return undefined;
      reads += 1;
      if (reads === 2) release();
      return reads <= 2 ? bothRead : undefined;
    };
    try {
      const before = cloudbase.calls.length;
      const [first, second] = await Promise.all([run(a, text(user, "甲")), run(b, text(user, "乙"))]);
      // Each run's own list holds the other's sends too (one stand-in): what the stand-in received, once.
      const sent = cloudbase.calls
        .slice(before)
        .map((call) => (call.payload["text"] as { content: string }).content)
        .sort();
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(/^测试：第 1 步 (甲|乙)$/);
      expect(sent[1]).toMatch(/^测试：第 2 步 (甲\/乙|乙\/甲)$/);
      expect(`${first.logs}\n${second.logs}`).toContain("another push of this user was recorded first");
      expect(record(user)).toMatchObject({ version: 2 });
    } finally {
      cloudbase.holdDatabase = undefined;
    }
  }, 30_000);

  test("a redelivery does not advance the flow twice: after its sends failed, the retry only sends them", async () => {
    const user = "o-redelivered";
    const push = text(user, "甲");
    // The first delivery's send fails three times (-1, busy): nothing went out, WeChat retries the push.
    cloudbase.answerNext({ errcode: -1 }, { errcode: -1 }, { errcode: -1 });
    const failed = await run(a, push);
    expect(failed.logs).toContain("handler failed");
    const retried = await run(b, push);
    expect(retried.texts).toEqual(["测试：第 1 步 甲"]);
    expect(retried.logs).toContain("its replies unsent: sending them now");
    // Answered once more by WeChat's next retry: the database's "done" record, nothing sent.
    expect((await run(a, push)).texts).toEqual([]);
    expect((await run(b, text(user, "乙"))).texts).toEqual(["测试：第 2 步 甲/乙"]);
  }, 30_000);

  test("the TTL expires a session", async () => {
    const short = await instance({ TEST_SESSION_TTL_MS: "1000" });
    const user = "o-forgotten";
    expect((await run(short, text(user, "甲"))).texts).toEqual(["测试：第 1 步 甲"]);
    expect((await run(short, text(user, "乙"))).texts).toEqual(["测试：第 2 步 甲/乙"]);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await run(short, text(user, "丙"))).texts).toEqual(["测试：第 1 步 丙"]);
  }, 30_000);
});

describe("the quota ledger", () => {
  test("after a message, the 6th send is refused before the API call: the stand-in receives 5", async () => {
    const { texts, logs } = await run(a, text("o-quota", "连发 7"));
    expect(texts).toEqual([
      "测试：第 1 条",
      "测试：第 2 条",
      "测试：第 3 条",
      "测试：第 4 条",
      "测试：第 5 条",
    ]);
    expect(logs.match(/over budget \(message\)/g)).toHaveLength(1);
    expect(logs.match(/over the customer-service quota/g)).toHaveLength(1);
  }, 30_000);

  test("after entering the chat, the 3rd send inside a minute is refused; a message opens a new window", async () => {
    const user = "o-entering";
    const entered = await run(a, entering(user));
    expect(entered.texts).toEqual(["测试：欢迎 1", "测试：欢迎 2"]);
    expect(entered.logs).toContain("over budget (enter)");
    expect((await run(b, text(user, "连发 3"))).texts).toHaveLength(3);
  }, 30_000);

  test("with the database down, sends proceed (WeChat stays the final word)", async () => {
    cloudbase.database.down = true;
    try {
      const { texts, logs } = await run(a, text("o-ledger-down", "连发 6"));
      expect(texts).toHaveLength(6);
      expect(logs).toContain("state store unreadable");
    } finally {
      cloudbase.database.down = false;
    }
  }, 30_000);
});

describe("the hand-over", () => {
  test("no answer while handed over; 「人工」 again transfers again; the resume word brings the bot back", async () => {
    const user = "o-handover";
    const transfer = { MsgType: "transfer_customer_service", ToUserName: user };
    expect((await run(a, text(user, "转人工"))).returned).toMatchObject(transfer);
    const waiting = await run(b, text(user, "有人吗"));
    expect([waiting.returned, waiting.texts]).toEqual(["success", []]);
    expect(waiting.logs).toContain("the bot's replies are withheld");
    expect((await run(a, text(user, "人工"))).returned).toMatchObject(transfer);
    expect((await run(b, text(user, "回到机器人"))).texts).toEqual(["测试：第 1 步 回到机器人"]);
  }, 30_000);

  test("once the hand-over's window has passed (30 minutes; 1 s here), the bot answers again", async () => {
    const quick = await instance({ TEST_HANDOVER_WINDOW_MS: "1000" });
    const user = "o-window";
    await run(quick, text(user, "人工"));
    expect((await run(quick, text(user, "在吗"))).texts).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await run(quick, text(user, "在吗?"))).texts).toEqual(["测试：第 1 步 在吗?"]);
  }, 30_000);

  test("out of hours, the transfer becomes the configured reply", async () => {
    const closed = await instance({ TEST_AGENTS_CLOSED: "1" });
    const { returned, texts } = await run(closed, text("o-night", "人工"));
    expect([returned, texts]).toEqual(["success", [CLOSED_REPLY]]);
    expect((await run(closed, text("o-night", "好吧"))).texts).toEqual(["测试：第 1 步 好吧"]);
  }, 30_000);
});
