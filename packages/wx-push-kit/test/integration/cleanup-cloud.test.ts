// The timer trigger's cleanup, through the BUILT function and the REAL wx-server-sdk against the database
// stand-in: expired dedupe claims and user records go, in bounded batches; live ones stay; a collection never
// created is no error; a push still works after it.
import type { FakeCloudBase } from "../../src/local/fake-cloudbase";
import type { Runner } from "../../src/testing/function-runner";
import { startSdkRunner, startStandIn } from "../../src/testing/function-runner";
import { CLEANUP_BATCH, CLEANUP_MAX_BATCHES } from "../../src/cloud/cleanup";

const TIMER = {
  Type: "Timer",
  TriggerName: "message-push-cleanup",
  Time: "2026-12-02T04:00:00Z",
  Message: "",
};
const HOUR = 60 * 60 * 1000;
let cloudbase: FakeCloudBase;
let runner: Runner;

beforeAll(async () => {
  ({ cloudbase } = await startStandIn({ collections: ["message_push_dedupe", "message_push_state"] }));
  runner = await startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: "database" });
}, 60_000);
afterAll(async () => {
  await runner.stop();
  await cloudbase.close();
});

function fill(collection: string, prefix: string, count: number, expiresAt: Date) {
  const documents = cloudbase.database.collections.get(collection);
  if (documents === undefined) throw new Error(`no ${collection}`);
  for (let index = 0; index < count; index += 1) {
    const _id = `${prefix}-${index}`;
    documents.set(_id, { _id, state: "done", lease: "l", json: "{}", version: 1, expiresAt });
  }
}
const ids = (collection: string) =>
  [...(cloudbase.database.collections.get(collection)?.keys() ?? [])].sort();

test("expired records of both collections are removed, live ones kept; the report says how many", async () => {
  fill("message_push_dedupe", "old", 3, new Date(Date.now() - HOUR));
  fill("message_push_dedupe", "live", 2, new Date(Date.now() + HOUR));
  fill("message_push_state", "user:old", 2, new Date(Date.now() - 1000));
  fill("message_push_state", "user:live", 1, new Date(Date.now() + 24 * HOUR));
  const { returned, threw, logs } = await runner.run(TIMER, "", undefined, { time_limit_in_ms: 20_000 });
  expect(threw).toBeUndefined();
  expect(returned).toEqual([
    { collection: "message_push_dedupe", removed: 3, more: false },
    { collection: "message_push_state", removed: 2, more: false },
  ]);
  expect(ids("message_push_dedupe")).toEqual(["live-0", "live-1"]);
  expect(ids("message_push_state")).toEqual(["user:live-0"]);
  expect(logs.join("\n")).toContain("expired records removed");
}, 30_000);

test("a pile of expired records goes in bounded batches; what is left waits for the next run", async () => {
  const pile = CLEANUP_BATCH * CLEANUP_MAX_BATCHES + 30;
  fill("message_push_dedupe", "pile", pile, new Date(Date.now() - HOUR));
  const first = await runner.run(TIMER, "", undefined, { time_limit_in_ms: 60_000 });
  expect(first.returned).toEqual(
    expect.arrayContaining([
      { collection: "message_push_dedupe", removed: CLEANUP_BATCH * CLEANUP_MAX_BATCHES, more: true },
    ]),
  );
  const gets = cloudbase.database.calls.filter((call) => call.action === "database.getDocument");
  expect(gets.length).toBeGreaterThan(0);
  const second = await runner.run(TIMER, "", undefined, { time_limit_in_ms: 60_000 });
  expect(second.returned).toEqual(
    expect.arrayContaining([{ collection: "message_push_dedupe", removed: 30, more: false }]),
  );
  expect(ids("message_push_dedupe")).toEqual(["live-0", "live-1"]);
}, 60_000);

test("a collection never created is nothing to clean, not an error; a push still goes through", async () => {
  cloudbase.database.collections.delete("message_push_state");
  const { returned } = await runner.run(TIMER, "", undefined, { time_limit_in_ms: 20_000 });
  expect(returned).toEqual(
    expect.arrayContaining([{ collection: "message_push_state", removed: 0, more: false }]),
  );
  const push = {
    ToUserName: "gh_x",
    FromUserName: "o-after-cleanup",
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: "text",
    Content: "你好",
    MsgId: "7700000001",
  };
  const { calls } = await runner.run(push, push.FromUserName);
  expect(calls.map((call) => call.apiName)).toContain("customerServiceMessage.send");
}, 30_000);
