// Retries and forged invocations through the BUILT function, wx-server-sdk swapped for the recorder
// (whose database() is the fake that refuses duplicate _ids, so the default database store runs).
import { DEDUPE_COLLECTION } from "../../cloudfunctions/messagePush/src/cloud/database-store";
import type { RecordingSdk } from "../../scripts/lib/recording-sdk";
import type { Main } from "../helpers/built-function";
import { coldStart } from "../helpers/built-function";

jest.mock("wx-server-sdk", () => require("../../scripts/lib/recording-sdk").recordingSdk);

const push = {
  ToUserName: "wx3d289323f5900f8e",
  FromUserName: "o-sender",
  CreateTime: 1555684067,
  MsgType: "text",
  Content: "在吗",
  MsgId: "49d72d67b16d115e7935ac386f2f0fa41535298877_1555684067",
};
const enter = {
  ...push,
  MsgType: "event",
  Event: "user_enter_tempsession",
  Content: undefined,
  MsgId: undefined,
};

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
  delete process.env["PUSH_ALLOW_CLIENT"];
});

describe("the cloud door under retries", () => {
  test("four deliveries of one push, one after another, send one reply", async () => {
    for (let i = 0; i < 4; i += 1) await expect(main(push, {})).resolves.toBe("success");
    expect(recordingSdk.calls).toHaveLength(1);
    expect(recordingSdk.db.collections.get(DEDUPE_COLLECTION)?.get(`msg:${push.MsgId}`)).toMatchObject({
      state: "done",
    });
  });

  test("four concurrent deliveries of an event (no MsgId) send one reply", async () => {
    await Promise.all(Array.from({ length: 4 }, () => main(enter, {})));
    expect(recordingSdk.calls).toHaveLength(1);
  });

  test("a transient send failure is retried in-process: one reply, no redelivery needed", async () => {
    recordingSdk.failNextSends(Object.assign(new Error("system busy"), { errCode: -1 }));
    await expect(main(push, { time_limit_in_ms: 5000 })).resolves.toBe("success");
    expect(recordingSdk.calls).toHaveLength(1);
    await expect(main(push, {})).resolves.toBe("success");
    expect(recordingSdk.calls).toHaveLength(1);
  });

  test("when every attempt fails transiently the claim is released, and a redelivery answers", async () => {
    const busy = Object.assign(new Error("system busy"), { errCode: -1 });
    recordingSdk.failNextSends(busy, 3);
    await expect(main(push, { time_limit_in_ms: 5000 })).resolves.toBe("success");
    expect(recordingSdk.calls).toHaveLength(0);
    await expect(main(push, {})).resolves.toBe("success");
    await expect(main(push, {})).resolves.toBe("success");
    expect(recordingSdk.calls).toHaveLength(1);
  });

  test("a permanent failure (45015) is not retried: a retry would only fail again", async () => {
    recordingSdk.failNextSends(Object.assign(new Error("out of time limit"), { errCode: 45015 }));
    await main(push, {});
    await main(push, {});
    expect(recordingSdk.calls).toHaveLength(0);
  });
});

describe("the source guard", () => {
  test.each(["wx_client", "wx_devtools", "wx_client,scf", "scf, wx_client"])(
    "refuses a push forged by a mini program (SOURCE %s)",
    async (source) => {
      recordingSdk.context = { OPENID: "o-sender", SOURCE: source };
      await expect(main(push, {})).resolves.toBe("success");
      expect(recordingSdk.calls).toEqual([]);
    },
  );

  test("lets a client through with PUSH_ALLOW_CLIENT=1 (development)", async () => {
    process.env["PUSH_ALLOW_CLIENT"] = "1";
    recordingSdk.context = { OPENID: "o-sender", SOURCE: "wx_devtools" };
    await main(push, {});
    expect(recordingSdk.calls).toHaveLength(1);
  });

  test("does not refuse other sources", async () => {
    recordingSdk.context = { OPENID: "o-sender", SOURCE: "wx_unknown" };
    await main(push, {});
    expect(recordingSdk.calls).toHaveLength(1);
  });
});

describe("trust and setup in the cloud door (issue: hostile input, skipped setup, outages)", () => {
  test("finding 8: no OPENID in the context (not a push) means no reply, logged", async () => {
    recordingSdk.context = {};
    const warn = jest.spyOn(console, "warn");
    await expect(main({ ...push, FromUserName: "o-anyone", MsgId: "no-openid" }, {})).resolves.toBe(
      "success",
    );
    expect(recordingSdk.calls).toEqual([]);
    expect(warn.mock.calls.flat().join("\n")).toContain("no OPENID");
  });

  test("finding 8: a client SOURCE is refused in any letter case", async () => {
    for (const source of ["WX_CLIENT", "Wx_DevTools,scf", " wx_client "]) {
      recordingSdk.context = { OPENID: "o-sender", SOURCE: source };
      await expect(main({ ...push, MsgId: `src-${source}` }, {})).resolves.toBe("success");
    }
    expect(recordingSdk.calls).toEqual([]);
  });

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

  test("finding 10: a missing dedupe collection is created on first use, and the push is answered", async () => {
    recordingSdk.db.requireCreatedCollections(true);
    await expect(main({ ...push, MsgId: "first-ever" }, {})).resolves.toBe("success");
    expect(recordingSdk.calls).toHaveLength(1);
    expect(recordingSdk.db.collections.get(DEDUPE_COLLECTION)?.get("msg:first-ever")).toMatchObject({
      state: "done",
    });
    await expect(main({ ...push, MsgId: "first-ever" }, {})).resolves.toBe("success");
    expect(recordingSdk.calls).toHaveLength(1);
  });

  test("finding 11: a database outage still answers (deduplicated in memory), once", async () => {
    recordingSdk.db.failWhen(() => true);
    try {
      for (let i = 0; i < 3; i += 1)
        await expect(main({ ...push, MsgId: "outage" }, {})).resolves.toBe("success");
    } finally {
      recordingSdk.db.failWhen(undefined);
    }
    expect(recordingSdk.calls).toHaveLength(1);
  });

  test("finding 11: PUSH_DEDUPE_FAIL=closed keeps the strict behaviour (no answer while the store is down)", async () => {
    process.env["PUSH_DEDUPE_FAIL"] = "closed";
    try {
      ({ main, sdk: recordingSdk } = coldStart());
      recordingSdk.context = { OPENID: "o-sender" };
      recordingSdk.db.failWhen(() => true);
      await expect(main({ ...push, MsgId: "closed" }, {})).resolves.toBe("success");
      expect(recordingSdk.calls).toEqual([]);
    } finally {
      recordingSdk.db.failWhen(undefined);
      delete process.env["PUSH_DEDUPE_FAIL"];
    }
  });

  test("finding 13: the invocation's own time limit bounds the send (a hung send is abandoned in time)", async () => {
    recordingSdk.hangNextSends(1);
    const error = jest.spyOn(console, "error");
    error.mockClear();
    // The send never answers: main resolves only because the 1 s limit (minus a margin) cuts it. This
    // test's own 2.5 s timeout is the tripwire; the fallback bound (3 s) would trip it.
    await expect(main({ ...push, MsgId: "hung" }, { time_limit_in_ms: 1000 })).resolves.toBe("success");
    expect(recordingSdk.calls).toEqual([]);
    // The send may have been delivered: neither resent nor released (no duplicate), and said so.
    expect(error.mock.calls.flat().join("\n")).toContain("send outcome unknown");
  }, 2500);
});
