// Events no IPC channel can carry (Proxies, getters that throw, symbols, functions) through the BUILT
// function in this process and the REAL wx-server-sdk, its cloud calls sent over loopback to the CloudBase
// stand-in (scripts/lib/cloud-replay.ts). Retries, the source guard, outages and the time limit:
// test/integration/real-sdk-cloud-door.test.ts and real-sdk-database.test.ts.
import type { CloudReplay } from "../../src/local/cloud-replay";
import { startCloudReplay } from "../../src/local/cloud-replay";

let cloud: CloudReplay;
beforeAll(async () => {
  jest.spyOn(console, "log").mockImplementation(() => {});
  jest.spyOn(console, "warn").mockImplementation(() => {});
  jest.spyOn(console, "error").mockImplementation(() => {});
  cloud = await startCloudReplay();
});
afterAll(async () => {
  await cloud.close();
  jest.restoreAllMocks();
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
    for (const event of bombs) {
      const { returned, calls, refused } = await cloud.run(event, "o-sender");
      expect([returned, calls, refused]).toEqual(["success", [], []]);
    }
  });
});
