// The database dedupe store (PUSH_DEDUPE_STORE=database, the cloud default) through the REAL wx-server-sdk:
// the BUILT function's `cloud.database()` calls go over loopback to the CloudBase stand-in, which keeps the
// documents. This proves the store's use of the SDK — the actions, EJSON queries, `db.command.lte`, the
// dot-path `$set` the SDK makes of a nested reply, and the -502005 mapping — not just its logic.
import { DEDUPE_COLLECTION } from "../../src/cloud/database-store";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";
import type { FakeCloudBase } from "../../src/local/fake-cloudbase";
import type { Runner } from "../../src/testing/function-runner";
import { startSdkRunner, startStandIn } from "../../src/testing/function-runner";

let cloudbase: FakeCloudBase;
let runner: Runner;

beforeAll(async () => {
  ({ cloudbase } = await startStandIn());
  runner = await startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: "database" });
}, 30_000);

afterAll(async () => {
  await runner.stop();
  await cloudbase.close();
});

const text = (MsgId: string, Content = "你好") => ({
  ToUserName: "gh_7f083739789a",
  FromUserName: "o-db-user",
  CreateTime: 1714112445,
  MsgType: "text",
  Content,
  MsgId,
});
const record = (key: string) => cloudbase.database.collections.get(DEDUPE_COLLECTION)?.get(key);
const actionsSince = (from: number) => cloudbase.database.calls.slice(from).map((call) => call.action);

test("the first push creates the missing collection, is answered once and recorded done", async () => {
  const { returned, calls, logs } = await runner.run(text("9001"));
  expect(returned).toBe("success");
  expect(calls.map((call) => call.payload)).toEqual([
    { touser: "o-db-user", msgtype: "text", text: { content: ACKNOWLEDGEMENT } },
  ]);
  expect(actionsSince(0)).toEqual([
    "database.insertDocument", // refused: no collection (-502005)
    "database.addCollection",
    "database.insertDocument",
    "database.modifyDocument", // done
  ]);
  expect(logs.join("\n")).toContain("created the dedupe collection on first use");
  expect(record("msg:9001")).toMatchObject({
    _id: "msg:9001",
    state: "done",
    expiresAt: expect.any(Date) as Date,
  });
  // The claim's query names the lease, so only its holder can complete it.
  const complete = cloudbase.database.calls.at(-1);
  expect(complete?.query).toEqual({ _id: "msg:9001", lease: expect.any(String) as string });
  // expiresAt is the database server's time, db.serverDate({offset}): resolved by the stand-in to a Date.
  expect(complete?.data).toEqual({ $set: { state: "done", expiresAt: expect.any(Date) as Date } });
});

test("a redelivery: this instance remembers it; another instance reads the done record through the SDK", async () => {
  const before = cloudbase.database.calls.length;
  const same = await runner.run(text("9001"));
  expect([same.returned, same.calls, actionsSince(before)]).toEqual(["success", [], []]);

  const other = await startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: "database" });
  try {
    const { returned, calls } = await other.run(text("9001"));
    expect(returned).toBe("success");
    expect(calls).toEqual([]);
    expect(actionsSince(before)).toEqual(["database.insertDocument", "database.getDocument"]);
  } finally {
    await other.stop();
  }
}, 30_000);

test("a transfer's passive reply is stored (as the SDK's dot-path $set) and returned by another instance", async () => {
  const transfer = {
    ToUserName: "o-db-user",
    FromUserName: "gh_7f083739789a",
    MsgType: "transfer_customer_service",
  };
  const first = await runner.run(text("9002", "转人工"));
  expect(first.returned).toMatchObject(transfer);
  expect(first.calls).toEqual([]);
  const complete = cloudbase.database.calls.at(-1);
  expect(complete?.action).toBe("database.modifyDocument");
  expect(complete?.data).toMatchObject({
    $set: { state: "done", "reply.MsgType": "transfer_customer_service", "reply.ToUserName": "o-db-user" },
  });
  expect(record("msg:9002")).toMatchObject({ state: "done", reply: transfer });

  // Another instance reads the reply back (EJSON, nested) and answers the same.
  const other = await startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: "database" });
  try {
    const again = await other.run(text("9002", "转人工"));
    expect(again.returned).toEqual(first.returned);
    expect(again.calls).toEqual([]);
  } finally {
    await other.stop();
  }
}, 30_000);

test("a lapsed claim is taken over with the lease and db.command.lte(db.serverDate()) in the query", async () => {
  // Another instance claimed this push and died: its lease lapsed long ago.
  cloudbase.database.collections
    .get(DEDUPE_COLLECTION)
    ?.set("msg:9003", { _id: "msg:9003", state: "claimed", lease: "dead-instance", expiresAt: new Date(1) });
  const before = cloudbase.database.calls.length;
  const { calls } = await runner.run(text("9003"));
  expect(calls).toHaveLength(1);
  const takeOver = cloudbase.database.calls[before + 2];
  expect(actionsSince(before)).toEqual([
    "database.insertDocument",
    "database.getDocument",
    "database.modifyDocument", // take-over
    "database.modifyDocument", // done
  ]);
  expect(takeOver?.query).toEqual({
    _id: "msg:9003",
    lease: "dead-instance",
    expiresAt: { $lte: expect.any(Date) as Date },
  });
  // The comparison is the database's, by its clock: the SDK sent db.serverDate(), not this instance's time.
  expect(takeOver?.sent).toContain('"$lte\\":{\\"$tcb_server_date\\"');
  expect(record("msg:9003")).toMatchObject({ state: "done" });
});

describe("a database outage (the gateway answers 502)", () => {
  afterEach(() => {
    cloudbase.database.down = false;
  });

  test("the push is still answered, and only once, deduplicated in this instance's memory", async () => {
    cloudbase.database.down = true;
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await runner.run(text("9101")));
    expect(results.map((result) => result.returned)).toEqual(["success", "success", "success"]);
    expect(results.flatMap((result) => result.calls)).toHaveLength(1);
    expect(results[0]?.logs.join("\n")).toContain("dedupe store unavailable, deduplicating in memory");
  });

  test("PUSH_DEDUPE_FAIL=closed: nothing is answered while the store is down", async () => {
    const strict = await startSdkRunner(cloudbase, {
      PUSH_DEDUPE_STORE: "database",
      PUSH_DEDUPE_FAIL: "closed",
    });
    try {
      cloudbase.database.down = true;
      const { returned, calls, logs } = await strict.run(text("9102"));
      expect(returned).toBe("success");
      expect(calls).toEqual([]);
      expect(logs.join("\n")).toContain("dedupe store unavailable, push not handled");
    } finally {
      await strict.stop();
    }
  }, 30_000);
});
