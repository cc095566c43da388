// Every recorded event through the BUILT cloudfunctions/messagePush/index.js (the file DevTools uploads),
// with wx-server-sdk replaced at the module boundary by the recorder. `npm test` builds first (pretest).
import type { RecordedCall, RecordingSdk } from "../scripts/lib/recording-sdk";
import type { Main } from "./helpers/built-function";
import { coldStart } from "./helpers/built-function";
import { parsePush, PushParseError } from "../cloudfunctions/messagePush/src/core/parse";
import { ROUTES } from "../cloudfunctions/messagePush/src/core/routes";
import { loadEventFixtures, mustStaySilent, recorded, senderOf } from "./helpers/event-fixtures";

jest.mock("wx-server-sdk", () => require("../scripts/lib/recording-sdk").recordingSdk);

const fixtures = loadEventFixtures();

let main: Main;
let recordingSdk: RecordingSdk;
beforeEach(() => ({ main, sdk: recordingSdk } = coldStart()));
// The function logs what it ignores; keep the test output for failures.
beforeAll(() => {
  jest.spyOn(console, "log").mockImplementation(() => {});
  jest.spyOn(console, "warn").mockImplementation(() => {});
});
afterAll(() => jest.restoreAllMocks());

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
      const openid = senderOf(event) ?? "o-not-a-push";
      recordingSdk.context = { OPENID: openid };
      const returned = await main(event, {});
      const calls: RecordedCall[] = recordingSdk.calls;
      if (mustStaySilent(name)) expect(calls).toEqual([]);
      expect(recorded(returned, calls)).toMatchSnapshot();
    },
  );

  test.each(["memory", "database"])(
    "a redelivered transfer gets the same passive reply back, and nothing is sent (%s store)",
    async (store) => {
      process.env["PUSH_DEDUPE_STORE"] = store;
      try {
        ({ main, sdk: recordingSdk } = coldStart());
        const transfer = fixtures.find(({ name }) => name === "text.transfer.json");
        const openid = senderOf(transfer?.event) ?? "";
        recordingSdk.context = { OPENID: openid };
        const first = await main(transfer?.event, {});
        expect(first).toMatchObject({ MsgType: "transfer_customer_service", ToUserName: openid });
        // A fresh instance for the redelivery with the database store: the answer comes from the record.
        if (store === "database") {
          const records = recordingSdk.db.collections;
          ({ main, sdk: recordingSdk } = coldStart());
          for (const [name, table] of records) recordingSdk.db.collections.set(name, table);
          recordingSdk.context = { OPENID: openid };
        }
        await expect(main(transfer?.event, {})).resolves.toEqual(first);
        expect(recordingSdk.calls).toEqual([]);
      } finally {
        delete process.env["PUSH_DEDUPE_STORE"];
      }
    },
  );

  test("a failing send is logged and never escapes main", async () => {
    const example = fixtures.find(({ name }) => name === "image.json");
    recordingSdk.context = { OPENID: "ohl4L0Rnhq7vmmbT_DaNQa4ePaz0" };
    recordingSdk.failNextSends(
      Object.assign(new Error("openapi.customerServiceMessage.send:fail"), {
        errCode: 45015,
      }),
    );
    const errors = jest.spyOn(console, "error").mockImplementation(() => {});
    try {
      // 45015 (outside the 48-hour window) is permanent: nothing a retry could fix, so the push is acknowledged.
      await expect(main(example?.event, {})).resolves.toBe("success");
      expect(recordingSdk.calls).toEqual([]);
      expect(errors).toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});
