// The state store contract (per-user records, compare-and-set, a lifetime), run against every implementation:
// this process's memory, the CloudBase database (the stand-in every SDK test meets) and a real redis-server.
import { createDatabaseStateStore } from "../../src/cloud/database-state";
import { STATE_COLLECTION } from "../../src/cloud/database-state";
import type { StateStore } from "../../src/core/state";
import { createMemoryStateStore } from "../../src/core/state";
import { createFakeDatabase } from "../../src/local/fake-database";
import { redisAvailable, useRedisStores } from "../helpers/redis-server";

interface Made {
  state: StateStore;
  /** Moves the store's clock on (Redis: waits, its clock is its own). */
  pass(ms: number): Promise<void>;
}

const clocked = (make: (now: () => number) => StateStore) => (): Made => {
  let clock = 1_000_000;
  return { state: make(() => clock), pass: (ms) => Promise.resolve(void (clock += ms)) };
};

const redis = redisAvailable() ? useRedisStores() : undefined;
const STATE_STORES: [string, () => Made][] = [
  ["memory", clocked((now) => createMemoryStateStore(now))],
  [
    "database",
    clocked((now) => {
      const db = createFakeDatabase({ now });
      return createDatabaseStateStore(() => db, { now });
    }),
  ],
  ...(redis === undefined
    ? []
    : ([
        [
          "redis",
          () => ({
            state: redis.store(),
            pass: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
          }),
        ],
      ] as [string, () => Made][])),
];

describe.each(STATE_STORES)("%s state store", (_name, make) => {
  test("a missing record reads as none; the first write creates it at version 1", async () => {
    const { state } = make();
    expect(await state.read("user:a")).toBeUndefined();
    expect(await state.write("user:a", { step: 1, text: "中文" }, undefined, 60_000)).toBe(1);
    expect(await state.read("user:a")).toEqual({ value: { step: 1, text: "中文" }, version: 1 });
  });

  test("a write names the version it read: a stale one is refused and changes nothing", async () => {
    const { state } = make();
    await state.write("user:b", { step: 1 }, undefined, 60_000);
    expect(await state.write("user:b", { step: 2 }, 1, 60_000)).toBe(2);
    expect(await state.write("user:b", { step: 99 }, 1, 60_000)).toBe("conflict");
    expect(await state.write("user:b", { step: 99 }, undefined, 60_000)).toBe("conflict");
    expect(await state.read("user:b")).toEqual({ value: { step: 2 }, version: 2 });
  });

  test("of concurrent writes on one version exactly one wins", async () => {
    const { state } = make();
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, index) => state.write("user:c", { by: index }, undefined, 60_000)),
    );
    expect(created.filter((result) => result === 1)).toHaveLength(1);
    const updated = await Promise.all(
      Array.from({ length: 6 }, (_, index) => state.write("user:c", { by: index }, 1, 60_000)),
    );
    expect(updated.filter((result) => result === 2)).toHaveLength(1);
    expect(updated.filter((result) => result === "conflict")).toHaveLength(5);
  });

  test("a record lapses after its lifetime, and can be written anew", async () => {
    const { state, pass } = make();
    await state.write("user:d", { step: 1 }, undefined, 300);
    await pass(400);
    const lapsed = await state.read("user:d");
    // Gone, or (the database) empty but still versioned: a write names what it read.
    expect(lapsed?.value).toBeUndefined();
    expect(await state.write("user:d", { step: 1 }, lapsed?.version, 60_000)).toEqual(expect.any(Number));
    expect((await state.read("user:d"))?.value).toEqual({ step: 1 });
  });

  test("keys are kept apart", async () => {
    const { state } = make();
    await state.write("user:e", { who: "e" }, undefined, 60_000);
    await state.write("user:f", { who: "f" }, undefined, 60_000);
    expect((await state.read("user:e"))?.value).toEqual({ who: "e" });
    expect((await state.read("user:f"))?.value).toEqual({ who: "f" });
  });
});

test("the database store creates its collection on first use", async () => {
  const db = createFakeDatabase({ requireCreatedCollections: true });
  const state = createDatabaseStateStore(() => db);
  expect(await state.read("user:g")).toBeUndefined();
  expect(await state.write("user:g", { step: 1 }, undefined, 60_000)).toBe(1);
  expect(db.collections.get(STATE_COLLECTION)?.has("user:g")).toBe(true);
});

test("a database outage is thrown, not read as an empty record", async () => {
  const db = createFakeDatabase();
  const state = createDatabaseStateStore(() => db);
  db.failNext(1);
  await expect(state.read("user:h")).rejects.toThrow("injected");
});
