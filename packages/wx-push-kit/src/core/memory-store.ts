import type { Claim, Store } from "./dedupe";
import { MEMORY_DONE_TTL_MS } from "./dedupe";
import { createExpiringMap } from "./expiring-map";
import type { PassiveReply } from "./passive";

export interface MemoryStoreOptions {
  /** How long "done" is remembered here (default two minutes: WeChat's retries come within ~15 s). */
  doneTtlMs?: number;
  now?: () => number;
}

/**
 * A dedupe store for one process (a single instance, the local server, tests, and the fallback while a
 * shared store is down). Bounded by time, not count: a claim is never forgotten before it lapses and an
 * answered key is kept for `doneTtlMs` whatever the rate.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const { doneTtlMs = MEMORY_DONE_TTL_MS, now = Date.now } = options;
  const claims = createExpiringMap<string>(now);
  const done = createExpiringMap<{ reply?: PassiveReply }>(now);
  // Leases only need to be unique within this store: a counter is enough and costs nothing.
  let leases = 0;

  return {
    claim(key, ttlMs): Promise<Claim> {
      const answered = done.get(key);
      if (answered !== undefined) return Promise.resolve({ status: "done", ...answered });
      if (claims.get(key) !== undefined) return Promise.resolve({ status: "busy" });
      const lease = String((leases += 1));
      claims.set(key, lease, ttlMs);
      return Promise.resolve({ status: "claimed", lease });
    },
    complete(key, lease, reply) {
      if (claims.get(key) === lease) {
        claims.delete(key);
        done.set(key, reply === undefined ? {} : { reply }, doneTtlMs);
      }
      return Promise.resolve();
    },
    release(key, lease) {
      if (claims.get(key) === lease) claims.delete(key);
      return Promise.resolve();
    },
  };
}
