/**
 * A Map whose entries lapse at their own expiry time, bounded by time rather than by count: at a steady
 * rate r with a fixed TTL it holds about r × TTL entries, and nothing is dropped before it lapses.
 * Expired entries are swept from the front on each write. With one TTL per map, insertion order is expiry
 * order, so the sweep stops at the first live entry: amortised O(1) per write.
 */
export interface ExpiringMap<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs: number): void;
  delete(key: string): void;
  readonly size: number;
}

export function createExpiringMap<V>(now: () => number = Date.now): ExpiringMap<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  const sweep = (at: number) => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > at) break;
      entries.delete(key);
    }
  };
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt > now()) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value, ttlMs) {
      const at = now();
      sweep(at);
      // Delete first so the key moves to the back, where its new expiry belongs.
      entries.delete(key);
      entries.set(key, { value, expiresAt: at + ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
