// The dedupe store contract, run against both implementations (the database one over a fake that keeps
// the real collection's duplicate-_id refusal).
import { CLAIM_TTL_MS } from "../../src/core/dedupe";
import { createMemoryStore } from "../../src/core/memory-store";
import { STORES } from "../helpers/stores";

describe.each(STORES)("%s store", (_name, make) => {
  let clock = 1_000_000;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  test("the first claim wins; later ones see busy, then done", async () => {
    const { store } = make(now);
    const first = await store.claim("msg:1", CLAIM_TTL_MS);
    expect(first.status).toBe("claimed");
    expect(await store.claim("msg:1", CLAIM_TTL_MS)).toEqual({
      status: "busy",
    });
    if (first.status !== "claimed") throw new Error("unreachable");
    await store.complete("msg:1", first.lease);
    expect(await store.claim("msg:1", CLAIM_TTL_MS)).toEqual({
      status: "done",
    });
  });

  test("of many concurrent claims of one key exactly one is granted", async () => {
    const { store } = make(now);
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim("msg:race", CLAIM_TTL_MS)));
    expect(claims.filter((claim) => claim.status === "claimed")).toHaveLength(1);
    expect(claims.filter((claim) => claim.status === "busy")).toHaveLength(7);
  });

  test("a released claim can be claimed again", async () => {
    const { store } = make(now);
    const first = await store.claim("msg:2", CLAIM_TTL_MS);
    if (first.status !== "claimed") throw new Error("expected a claim");
    await store.release("msg:2", first.lease);
    expect((await store.claim("msg:2", CLAIM_TTL_MS)).status).toBe("claimed");
  });

  test("an expired claim is taken over, and the old holder can no longer settle it", async () => {
    const { store } = make(now);
    const stale = await store.claim("msg:3", CLAIM_TTL_MS);
    if (stale.status !== "claimed") throw new Error("expected a claim");
    clock += CLAIM_TTL_MS + 1;
    const fresh = await store.claim("msg:3", CLAIM_TTL_MS);
    expect(fresh.status).toBe("claimed");
    await store.release("msg:3", stale.lease); // the dead attempt wakes up: must not free the new claim
    expect(await store.claim("msg:3", CLAIM_TTL_MS)).toEqual({
      status: "busy",
    });
    await store.complete("msg:3", stale.lease);
    expect(await store.claim("msg:3", CLAIM_TTL_MS)).toEqual({
      status: "busy",
    });
  });

  test("two concurrent take-overs of an expired claim: one wins", async () => {
    const { store } = make(now);
    await store.claim("msg:4", CLAIM_TTL_MS);
    clock += CLAIM_TTL_MS + 1;
    const claims = await Promise.all([
      store.claim("msg:4", CLAIM_TTL_MS),
      store.claim("msg:4", CLAIM_TTL_MS),
    ]);
    expect(claims.map((claim) => claim.status).sort()).toEqual(["busy", "claimed"]);
  });
});

// Only a store behind a network can be down (the memory store cannot fail): the database one here, over
// the fake that refuses calls; Redis in redis-store.test.ts, with the real server killed.
describe.each(STORES.filter(([name]) => name !== "memory"))("%s store outage", (_name, make) => {
  test("a store that is down rejects the claim instead of granting it, and grants nothing meanwhile", async () => {
    const { store, failNext } = make(() => 1_000_000);
    failNext(10);
    await expect(store.claim("msg:5", CLAIM_TTL_MS)).rejects.toThrow("injected");
    failNext(0);
    // Had the failed claim been granted, this one would be "busy".
    expect((await store.claim("msg:5", CLAIM_TTL_MS)).status).toBe("claimed");
  });
});

describe("the memory store is bounded by time, not count", () => {
  let clock = 0;
  const now = () => clock;

  test("a claim is never forgotten before it lapses, however many keys arrive meanwhile", async () => {
    const store = createMemoryStore({ now });
    const first = await store.claim("held", CLAIM_TTL_MS);
    expect(first.status).toBe("claimed");
    // 2,000 pushes a second for the whole lease (the old count bound, 10k keys, dropped it after 5 s).
    for (let i = 0; i < 19_000; i += 1) {
      clock += 0.5;
      await store.claim(`k${i}`, CLAIM_TTL_MS);
    }
    expect(clock).toBeLessThan(CLAIM_TTL_MS);
    expect(await store.claim("held", CLAIM_TTL_MS)).toEqual({ status: "busy" });
  });

  test("an answered key is remembered for its whole window at 2,000 pushes/s, then forgotten", async () => {
    clock = 0;
    const store = createMemoryStore({ now, doneTtlMs: 60_000 });
    const first = await store.claim("answered", CLAIM_TTL_MS);
    if (first.status !== "claimed") throw new Error("expected a claim");
    await store.complete("answered", first.lease);
    for (let i = 0; i < 110_000; i += 1) {
      clock += 0.5; // 2,000 pushes/s for 55 s
      const claim = await store.claim(`a${i}`, CLAIM_TTL_MS);
      if (claim.status === "claimed") await store.complete(`a${i}`, claim.lease);
    }
    expect(await store.claim("answered", CLAIM_TTL_MS)).toEqual({ status: "done" });
    clock += 5_001;
    expect((await store.claim("answered", CLAIM_TTL_MS)).status).toBe("claimed");
  });
});

test("a passive reply recorded with done is returned to later claims", async () => {
  const store = createMemoryStore();
  const reply = {
    MsgType: "transfer_customer_service",
    ToUserName: "o",
    FromUserName: "wx",
    CreateTime: 1,
  } as const;
  const first = await store.claim("p", CLAIM_TTL_MS);
  if (first.status !== "claimed") throw new Error("expected a claim");
  await store.complete("p", first.lease, reply);
  expect(await store.claim("p", CLAIM_TTL_MS)).toEqual({ status: "done", reply });
});
