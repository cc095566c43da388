// Every recorded event through the BUILT cloudfunctions/messagePush/index.js (the file DevTools uploads),
// with wx-server-sdk replaced at the module boundary by the recorder. `npm test` builds first (pretest).
import type { RecordedCall, RecordingSdk } from "../scripts/lib/recording-sdk";
import type { Main } from "./helpers/built-function";
import { coldStart } from "./helpers/built-function";
import { expectedPayloads, expectedReturn, loadEventFixtures, senderOf } from "./helpers/event-fixtures";

jest.mock("wx-server-sdk", () => require("../scripts/lib/recording-sdk").recordingSdk);

const expectationOf = (name: string, openid: string): RecordedCall[] =>
  expectedPayloads(name, openid).map((data) => ({ api: "customerServiceMessage.send", data }));

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
  test("covers every kind of push", () => {
    const kinds = new Set(fixtures.map(({ name }) => name.split(".")[0]));
    expect([...kinds].sort()).toEqual(["event", "image", "malformed", "miniprogrampage", "text", "unknown"]);
  });

  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))(
    "%s: sends exactly the expected replies and returns what it should",
    async (name, { event }) => {
      const openid = senderOf(event) ?? "o-not-a-push";
      recordingSdk.context = { OPENID: openid };
      await expect(main(event, {})).resolves.toEqual(expectedReturn(name, event, openid));
      expect(recordingSdk.calls).toEqual(expectationOf(name, openid));
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
        expect(first).toEqual(expectedReturn("text.transfer.json", transfer?.event, openid));
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

  test("answers the documented example event with 收到 to getWXContext().OPENID", async () => {
    const example = fixtures.find(({ name }) => name === "text.json");
    recordingSdk.context = { OPENID: "ohl4L0Rnhq7vmmbT_DaNQa4ePaz0" };
    await expect(main(example?.event, {})).resolves.toBe("success");
    expect(recordingSdk.calls).toEqual([
      {
        api: "customerServiceMessage.send",
        data: {
          touser: "ohl4L0Rnhq7vmmbT_DaNQa4ePaz0",
          msgtype: "text",
          text: { content: "收到" },
        },
      },
    ]);
  });

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
