// Events no IPC channel can carry (Proxies, getters that throw, symbols, functions) through the BUILT
// function in this process, wx-server-sdk swapped for the recorder. Retries, the source guard, outages and
// the time limit run through the REAL SDK: test/integration/real-sdk-cloud-door.test.ts and
// real-sdk-database.test.ts.
import type { RecordingSdk } from "../../scripts/lib/recording-sdk";
import type { Main } from "../helpers/built-function";
import { coldStart } from "../helpers/built-function";

jest.mock("wx-server-sdk", () => require("../../scripts/lib/recording-sdk").recordingSdk);

beforeAll(() => {
  jest.spyOn(console, "log").mockImplementation(() => {});
  jest.spyOn(console, "warn").mockImplementation(() => {});
  jest.spyOn(console, "error").mockImplementation(() => {});
});
afterAll(() => jest.restoreAllMocks());
let main: Main;
let recordingSdk: RecordingSdk;
beforeEach(() => {
  ({ main, sdk: recordingSdk } = coldStart());
  recordingSdk.context = { OPENID: "o-sender" };
});

describe("hostile invocations of the cloud door", () => {
  test("finding 9: main never rejects, whatever the event is", async () => {
    const bombs: unknown[] = [
      new Proxy(
        {},
        {
          get: () => {
            throw new Error("getter bomb");
          },
          has: () => {
            throw new Error("has bomb");
          },
        },
      ),
      Object.defineProperty({}, "httpMethod", {
        get: () => {
          throw new Error("trigger probe bomb");
        },
        enumerable: true,
      }),
      Object.defineProperty({ MsgType: "text" }, "FromUserName", {
        get: () => {
          throw new Error("field bomb");
        },
        enumerable: true,
      }),
      Symbol("x"),
      () => 1,
    ];
    for (const event of bombs) await expect(main(event, {})).resolves.toBe("success");
    expect(recordingSdk.calls).toEqual([]);
  });
});
