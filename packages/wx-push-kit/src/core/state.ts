import { createExpiringMap } from "./expiring-map";

/** A record and the version it was read at: the version is what a write must name to replace it. */
export interface Versioned {
  value: unknown;
  version: number;
}

/**
 * The state port: records kept per user (a session, the quota ledger, the hand-over mark…) with a lifetime,
 * replaced only by compare-and-set. Every store the dedupe port has (memory, CloudBase database, Redis) has
 * this one too, so a bot's state lives where its claims do and is shared by the same instances.
 */
export interface StateStore {
  /**
   * The record, or undefined when there is none. A lapsed record may read as `{ value: undefined, version }`:
   * empty, but a write must still name its version.
   */
  read(key: string): Promise<Versioned | undefined>;
  /**
   * Writes `value` for `ttlMs` if the record is still at `expected` (undefined: there is none). The new
   * version, or "conflict" when another writer got there first: read again, redo the work, try again.
   */
  write(
    key: string,
    value: unknown,
    expected: number | undefined,
    ttlMs: number,
  ): Promise<number | "conflict">;
}

/** State in this process's memory: one instance, the local server, tests. Values are kept as JSON text. */
export function createMemoryStateStore(now: () => number = Date.now): StateStore {
  const records = createExpiringMap<{ json: string; version: number }>(now);
  return {
    read(key) {
      const found = records.get(key);
      return Promise.resolve(
        found === undefined
          ? undefined
          : { value: JSON.parse(found.json) as unknown, version: found.version },
      );
    },
    write(key, value, expected, ttlMs) {
      const current = records.get(key)?.version;
      if (current !== expected) return Promise.resolve("conflict");
      const version = (current ?? 0) + 1;
      records.set(key, { json: JSON.stringify(value), version }, ttlMs);
      return Promise.resolve(version);
    },
  };
}
