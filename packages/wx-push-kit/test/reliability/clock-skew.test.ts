// Exactly-once when clocks disagree: the server's clock against WeChat's (PUSH_MAX_AGE_S), and two
// instances' clocks against each other (database leases).
import { createDatabaseStore } from "../../src/cloud/database-store";
import { CLAIM_TTL_MS } from "../../src/core/dedupe";
import type { SendPayload } from "../../src/core/reply";
import { createFakeDatabase } from "../../src/local/fake-database";
import { createServerFromEnv } from "../../src/server/create-server";
import { createRecordingLog } from "../helpers/recording-log";
import { close, listen, send } from "../helpers/http-client";
import { replyingBot, textPush } from "../helpers/pushes";

test("PUSH_MAX_AGE_S=N with the server's clock N behind WeChat's: a replay 2N later is still a duplicate", async () => {
  const N = 300;
  const signedAt = 1_800_000_000; // WeChat's clock, in the signed timestamp
  let now = (signedAt - N) * 1000; // the server's clock, N behind
  const sent: SendPayload[] = [];
  const push = createServerFromEnv(
    { WECHAT_TOKEN: "AAAAA", PUSH_MAX_AGE_S: String(N) },
    {
      log: createRecordingLog(),
      router: replyingBot(),
      send: (payload) => Promise.resolve(void sent.push(payload)),
      clock: { now: () => now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    },
  );
  const base = await listen(push.server);
  try {
    const request = textPush({
      from: "o-skew",
      msgId: "9400000000000000001",
      createTime: signedAt,
      timestamp: String(signedAt),
    });
    expect(await send(base, request)).toEqual({ status: 200, body: "success" });
    now = (signedAt + N) * 1000; // 2N later: still inside the window by the server's clock
    expect(await send(base, request)).toEqual({ status: 200, body: "success" });
    now += 1000; // outside it now: refused for its age
    expect(await send(base, request)).toEqual({ status: 401, body: "unauthorized" });
    expect(sent).toHaveLength(1);
  } finally {
    await close(push.server);
    await push.close();
  }
});

test("database store: an instance whose clock runs 30 s ahead does not take over a live claim", async () => {
  const db = createFakeDatabase(); // the database server keeps its own (real) time
  const honest = createDatabaseStore(() => db);
  const ahead = createDatabaseStore(() => db, { now: () => Date.now() + 30_000 });
  const first = await honest.claim("msg:skew", CLAIM_TTL_MS);
  expect(first.status).toBe("claimed");
  expect(await ahead.claim("msg:skew", CLAIM_TTL_MS)).toEqual({ status: "busy" });
  // And the other way round: a clock far behind still sees the done record.
  if (first.status !== "claimed") throw new Error("expected a claim");
  await honest.complete("msg:skew", first.lease);
  const behind = createDatabaseStore(() => db, { now: () => Date.now() - 3_600_000 });
  expect(await behind.claim("msg:skew", CLAIM_TTL_MS)).toEqual({ status: "done" });
});

test("database store: a claim lapsed by the database's clock is taken over, whatever the instance's clock says", async () => {
  let serverNow = Date.now();
  const db = createFakeDatabase({ now: () => serverNow });
  const first = await createDatabaseStore(() => db).claim("msg:lapsed", CLAIM_TTL_MS);
  expect(first.status).toBe("claimed");
  serverNow += CLAIM_TTL_MS; // lapsed on the server; the instance below thinks it is an hour earlier
  const behind = createDatabaseStore(() => db, { now: () => Date.now() - 3_600_000 });
  expect((await behind.claim("msg:lapsed", CLAIM_TTL_MS)).status).toBe("claimed");
});
