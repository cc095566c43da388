import { createDatabaseStore } from "../../src/cloud/database-store";
import type { Store } from "../../src/core/dedupe";
import { createMemoryStore } from "../../src/core/memory-store";
import { createFakeDatabase } from "../../src/local/fake-database";

export interface StoreUnderTest {
  store: Store;
  /** Makes the next `count` store calls fail. */
  failNext(count: number): void;
  /** Makes each store call fail when `decide()` is true; undefined stops it. */
  failWhen(decide: (() => boolean) | undefined): void;
}

function memoryStore(now: () => number): StoreUnderTest {
  let failures = 0;
  let decide: (() => boolean) | undefined;
  const inner = createMemoryStore({ now });
  const failing = <T>(call: () => Promise<T>): Promise<T> => {
    if (failures <= 0 && decide?.() !== true) return call();
    failures = Math.max(0, failures - 1);
    return Promise.reject(new Error("memory store: injected failure"));
  };
  return {
    store: {
      claim: (key, ttl) => failing(() => inner.claim(key, ttl)),
      complete: (key, lease) => failing(() => inner.complete(key, lease)),
      release: (key, lease) => failing(() => inner.release(key, lease)),
    },
    failNext: (count) => void (failures = count),
    failWhen: (next) => void (decide = next),
  };
}

function databaseStore(now: () => number): StoreUnderTest {
  // The database's clock is the test's too: leases lapse by it.
  const db = createFakeDatabase({ now });
  return {
    store: createDatabaseStore(() => db, { now }),
    failNext: (count) => db.failNext(count),
    failWhen: (next) => db.failWhen(next),
  };
}

/** Both stores, each with a controllable clock, for the contract and fault-injection suites. */
export const STORES: ReadonlyArray<[string, (now: () => number) => StoreUnderTest]> = [
  ["memory", memoryStore],
  ["database", databaseStore],
];

/** A small seeded PRNG (mulberry32): failures are random but every run injects the same ones. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
