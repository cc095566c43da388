import { trimOldest } from "./bounded-map";

/** A bounded set of recently seen keys that forgets after `ttlMs`, oldest first when full. */
export interface RecentKeys {
  has(key: string): boolean;
  add(key: string): void;
}

export function createRecentKeys(maxEntries = 10_000, ttlMs = 10 * 60_000, now = Date.now): RecentKeys {
  const expiries = new Map<string, number>();
  return {
    has(key) {
      const expiresAt = expiries.get(key);
      return expiresAt !== undefined && expiresAt > now();
    },
    add(key) {
      expiries.set(key, now() + ttlMs);
      trimOldest(expiries, maxEntries);
    },
  };
}
