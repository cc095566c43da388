/**
 * Keeps a Map (in insertion order) within `maxEntries` by dropping its oldest entries. It trims to 90% in
 * one pass rather than one entry per insert: each walk from the front also steps over the holes earlier
 * deletions left in V8's table, so walking per insert costs O(n) every time.
 */
export function trimOldest<K, V>(map: Map<K, V>, maxEntries: number): void {
  if (map.size <= maxEntries) return;
  const target = Math.floor(maxEntries * 0.9);
  for (const oldest of map.keys()) {
    map.delete(oldest);
    if (map.size <= target) break;
  }
}
