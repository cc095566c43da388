// The cloud door under WeChat's retries and forged invocations, through the BUILT function and the REAL
// wx-server-sdk with the cloud's default dedupe store (database), all over loopback to the CloudBase stand-in.
import { DEDUPE_COLLECTION } from "../../src/cloud/database-store";
import type { FakeCloudBase } from "../../src/local/fake-cloudbase";
import type { Runner } from "../../src/testing/function-runner";
import { startSdkRunner, startStandIn } from "../../src/testing/function-runner";

let cloudbase: FakeCloudBase;
let runner: Runner;

beforeAll(async () => {
  ({ cloudbase } = await startStandIn({ collections: [DEDUPE_COLLECTION] }));
  runner = await startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: "database" });
}, 30_000);

afterAll(async () => {
  await runner.stop();
  await cloudbase.close();
});

let n = 0;
const push = () => ({
  ToUserName: "wx3d289323f5900f8e",
  FromUserName: "o-sender",
  CreateTime: 1555684067,
  MsgType: "text",
  Content: "在吗",
  MsgId: `door-${(n += 1)}`,
});
const WITH_TIME = { time_limit_in_ms: 5000 };

describe("WeChat's retries", () => {
  test("four deliveries of one push, one after another, send one reply", async () => {
    const event = push();
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await runner.run(event));
    expect(results.map((result) => result.returned)).toEqual(["success", "success", "success", "success"]);
    expect(results.flatMap((result) => result.calls)).toHaveLength(1);
    expect(cloudbase.database.collections.get(DEDUPE_COLLECTION)?.get(`msg:${event.MsgId}`)).toMatchObject({
      state: "done",
    });
  });

  test("four concurrent deliveries of an event (no MsgId), each in its own instance, send one reply", async () => {
    const enter = {
      ToUserName: "wx3d289323f5900f8e",
      FromUserName: "o-sender",
      CreateTime: 1555684999,
      MsgType: "event",
      Event: "user_enter_tempsession",
      SessionFrom: "",
    };
    const instances = await Promise.all(
      Array.from({ length: 4 }, () => startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: "database" })),
    );
    try {
      const before = cloudbase.calls.length;
      const results = await Promise.all(instances.map((instance) => instance.run(enter)));
      expect(results.map((result) => result.returned)).toEqual(["success", "success", "success", "success"]);
      // Counted at the stand-in: one greeting left the four instances.
      expect(cloudbase.calls.length - before).toBe(1);
      expect(
        cloudbase.database.collections
          .get(DEDUPE_COLLECTION)
          ?.get("from:o-sender:1555684999:user_enter_tempsession"),
      ).toMatchObject({ state: "done" });
    } finally {
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  }, 30_000);

  test("when every attempt fails transiently the claim is released, and a redelivery answers", async () => {
    const busy = { errcode: -1, errmsg: "system error" };
    cloudbase.answerNext(busy, busy, busy);
    const event = push();
    const first = await runner.run(event, undefined, undefined, WITH_TIME);
    expect(first.returned).toBe("success");
    expect(first.calls).toHaveLength(3); // three attempts, none answered
    expect(first.logs.join("\n")).toContain("released for a retry");
    expect(cloudbase.database.collections.get(DEDUPE_COLLECTION)?.has(`msg:${event.MsgId}`)).toBe(false);
    const again = await runner.run(event, undefined, undefined, WITH_TIME);
    expect(again.calls).toHaveLength(1);
    expect((await runner.run(event)).calls).toEqual([]);
  }, 20_000);
});

describe("the source guard", () => {
  test.each([
    "wx_client",
    "wx_devtools",
    "wx_client,scf",
    "scf, wx_client",
    "WX_CLIENT",
    "Wx_DevTools,scf",
    " wx_client ",
  ])("refuses a push forged by a mini program (SOURCE %j)", async (source) => {
    const { returned, calls } = await runner.run(push(), "o-sender", source);
    expect(returned).toBe("success");
    expect(calls).toEqual([]);
  });

  test("does not refuse other sources", async () => {
    expect((await runner.run(push(), "o-sender", "wx_unknown")).calls).toHaveLength(1);
  });

  test("lets a client through with PUSH_ALLOW_CLIENT=1 (development)", async () => {
    const developer = await startSdkRunner(cloudbase, {
      PUSH_DEDUPE_STORE: "database",
      PUSH_ALLOW_CLIENT: "1",
    });
    try {
      expect((await developer.run(push(), "o-sender", "wx_devtools")).calls).toHaveLength(1);
    } finally {
      await developer.stop();
    }
  }, 30_000);

  test("the reply goes to the OPENID the platform vouches for, not to the FromUserName the event claims", async () => {
    const { calls } = await runner.run({ ...push(), FromUserName: "o-claimed" }, "o-vouched");
    expect(calls.map((call) => call.payload["touser"])).toEqual(["o-vouched"]);
  });

  test("no OPENID in the context (not a push) means no reply, logged", async () => {
    const { returned, calls, logs } = await runner.run({ ...push(), FromUserName: "o-anyone" }, "");
    expect(returned).toBe("success");
    expect(calls).toEqual([]);
    expect(logs.join("\n")).toContain("no OPENID");
  });
});

test("a typo in PUSH_DEDUPE_STORE or PUSH_DEDUPE_FAIL is reported at load, and the bot still answers once", async () => {
  const mistyped = await startSdkRunner(cloudbase, {
    PUSH_DEDUPE_STORE: "databse",
    PUSH_DEDUPE_FAIL: "close",
  });
  try {
    const errors = mistyped.loadLogs.filter((line) => line.startsWith("error "));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('PUSH_DEDUPE_STORE 应为 "database" 或 "memory"');
    expect(errors[0]).toContain('got "databse"');
    expect(errors[1]).toContain("PUSH_DEDUPE_FAIL");
    const event = push();
    const databaseCallsBefore = cloudbase.database.calls.length;
    expect((await mistyped.run(event)).calls).toHaveLength(1);
    expect((await mistyped.run(event)).calls).toEqual([]);
    // The safe default: this instance's memory, no database record.
    expect(cloudbase.database.calls.slice(databaseCallsBefore)).toEqual([]);
  } finally {
    await mistyped.stop();
  }
}, 30_000);

test("the invocation's own time limit bounds a hung send: abandoned in time, not resent, said so", async () => {
  cloudbase.answerNext({ hang: true });
  const event = push();
  // The send never answers: main returns only because the 1 s limit (minus a margin) cuts it, before the
  // SDK's own 3 s timeout. This test's 2.5 s timeout is the tripwire for the 3 s bound.
  const first = await runner.run(event, undefined, undefined, { time_limit_in_ms: 1000 });
  expect(first.returned).toBe("success");
  expect(first.calls).toHaveLength(1);
  expect(first.logs.join("\n")).toContain("send outcome unknown");
  expect((await runner.run(event)).calls).toEqual([]);
}, 2500);
