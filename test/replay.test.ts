// Every recorded event through the BUILT cloudfunctions/messagePush/index.js (the file DevTools uploads) and
// the REAL wx-server-sdk, its cloud calls sent over loopback to the CloudBase stand-in, which records them
// as they would reach WeChat. `npm test` builds first (pretest). The recordings are jest snapshots: a
// changed reply fails with a readable diff, and `npx jest test/replay.test.ts -u` re-records it.
import { parsePush, PushParseError } from "../cloudfunctions/messagePush/src/core/parse";
import { ROUTES } from "../cloudfunctions/messagePush/src/core/routes";
import type { FakeCloudBase } from "../scripts/lib/fake-cloudbase";
import { loadEventFixtures, mustStaySilent, recorded, senderOf } from "./helpers/event-fixtures";
import type { Runner } from "./helpers/real-sdk-runner";
import { startSdkRunner, startStandIn } from "./helpers/real-sdk-runner";

const fixtures = loadEventFixtures();

let cloudbase: FakeCloudBase;
let runner: Runner;

beforeAll(async () => {
  ({ cloudbase } = await startStandIn());
  runner = await startSdkRunner(cloudbase);
}, 30_000);

afterAll(async () => {
  await runner.stop();
  await cloudbase.close();
});

describe("replaying recorded events through the built function", () => {
  test("every modelled route has a fixture, and every fixture's name says what it parses to", () => {
    const routesSeen = new Set<string>();
    for (const { name, event } of fixtures) {
      if (name.startsWith("malformed.")) {
        expect(() => parsePush(event)).toThrow(PushParseError);
        continue;
      }
      const { route } = parsePush(event);
      routesSeen.add(route);
      // "text.transfer.json" → text; "event.wxa_media_check.same-second.json" → event.wxa_media_check
      expect([name, name.startsWith(`${route}.`)]).toEqual([name, true]);
    }
    expect([...routesSeen].sort()).toEqual([...ROUTES, "unknown"].sort());
  });

  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))(
    "%s: sends and returns exactly what was recorded",
    async (name, { event }) => {
      const { returned, threw, calls } = await runner.run(event, senderOf(event) ?? "o-not-a-push");
      expect(threw).toBeUndefined();
      if (mustStaySilent(name)) expect(calls).toEqual([]);
      expect(recorded(returned, calls)).toMatchSnapshot();
    },
  );

  test.each(["memory", "database"])(
    "a redelivered transfer gets the same passive reply back, and nothing is sent (%s store)",
    async (store) => {
      const transfer = fixtures.find(({ name }) => name === "text.transfer.json");
      const openid = senderOf(transfer?.event) ?? "";
      const first = await startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: store });
      let firstReply: unknown;
      try {
        const answered = await first.run(transfer?.event, openid);
        expect(answered.returned).toMatchObject({ MsgType: "transfer_customer_service", ToUserName: openid });
        expect(answered.calls).toEqual([]);
        firstReply = answered.returned;
        // The same instance remembers its answer.
        const again = await first.run(transfer?.event, openid);
        expect([again.returned, again.calls]).toEqual([firstReply, []]);
      } finally {
        await first.stop();
      }
      if (store !== "database") return;
      // A fresh instance: the answer comes from the database record, through the SDK.
      const second = await startSdkRunner(cloudbase, { PUSH_DEDUPE_STORE: store });
      try {
        const again = await second.run(transfer?.event, openid);
        expect([again.returned, again.calls]).toEqual([firstReply, []]);
      } finally {
        await second.stop();
      }
    },
    30_000,
  );

  test("a failing send is logged and never escapes main", async () => {
    const example = fixtures.find(({ name }) => name === "image.json");
    // 45015 (outside the 48-hour window) is permanent: nothing a retry could fix, so the push is acknowledged.
    cloudbase.answerNext({
      errcode: 45015,
      errmsg: "response out of time limit or subscription is canceled",
    });
    const { returned, threw, calls, logs } = await runner.run(
      { ...(example?.event as object), MsgId: "replay-failing-send" },
      "ohl4L0Rnhq7vmmbT_DaNQa4ePaz0",
    );
    expect([returned, threw]).toEqual(["success", undefined]);
    expect(calls).toHaveLength(1); // tried once, refused by WeChat, not retried
    expect(logs.join("\n")).toContain("not retried");
  });
});
