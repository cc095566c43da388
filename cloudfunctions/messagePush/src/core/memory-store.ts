import type { Claim, Store } from "./dedupe";
import { trimOldest } from "./bounded-map";
import { DONE_TTL_MS } from "./dedupe";

interface Entry {
  state: "claimed" | "done";
  lease?: string;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /** The most keys kept; the oldest go first. Retries arrive within seconds, so this bounds memory safely. */
  maxEntries?: number;
  /** How long "done" is remembered here. */
  doneTtlMs?: number;
  now?: () => number;
}

/** A dedupe store for one process (a single instance, the local server, tests). */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const { maxEntries = 10_000, doneTtlMs = DONE_TTL_MS, now = Date.now } = options;
  const entries = new Map<string, Entry>();
  // Leases only need to be unique within this store: a counter is enough and costs nothing.
  let leases = 0;

  const put = (key: string, entry: Entry) => {
    // Updating in place keeps the key's position (and leaves no hole for later walks to skip).
    entries.set(key, entry);
    trimOldest(entries, maxEntries);
  };
  const held = (key: string, lease: string) => {
    const entry = entries.get(key);
    return entry !== undefined && entry.state === "claimed" && entry.lease === lease;
  };

  return {
    claim(key, ttlMs): Promise<Claim> {
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > now()) {
        return Promise.resolve({
          status: entry.state === "done" ? "done" : "busy",
        });
      }
      const lease = String((leases += 1));
      put(key, { state: "claimed", lease, expiresAt: now() + ttlMs });
      return Promise.resolve({ status: "claimed", lease });
    },
    complete(key, lease) {
      if (held(key, lease)) put(key, { state: "done", expiresAt: now() + doneTtlMs });
      return Promise.resolve();
    },
    release(key, lease) {
      if (held(key, lease)) entries.delete(key);
      return Promise.resolve();
    },
  };
}
