// Expired records removed by the function itself: a timer trigger (config.json `triggers`) calls main with a
// timer event, and the dedupe and state collections lose what has lapsed, in bounded batches. CloudBase
// documents no TTL index for them (and a TTL index would need a Date field kept apart from the leases).
// Timer trigger: developers.weixin.qq.com/miniprogram/dev/wxcloud/guide/functions/triggers.html
import type { Log } from "../core/log";
import { messageOf } from "../core/local-first-store";
import { DEDUPE_COLLECTION, isMissingCollection } from "./database-store";
import { STATE_COLLECTION } from "./database-state";

/** What a timer trigger hands main: `{ Type: "Timer", TriggerName, Time, Message }`. */
export function isTimerEvent(event: unknown): event is { Type: "Timer"; TriggerName: string } {
  if (typeof event !== "object" || event === null) return false;
  const record = event as Record<string, unknown>;
  return record["Type"] === "Timer" && typeof record["TriggerName"] === "string";
}

/** The slice of wx-server-sdk's database API the cleanup uses. */
export interface CleanupDatabase {
  collection(name: string): {
    where(query: Record<string, unknown>): {
      limit(count: number): {
        field(fields: Record<string, boolean>): { get(): Promise<{ data: unknown[] }> };
      };
      remove(): Promise<{ stats: { removed: number } }>;
    };
  };
  command: { lt(value: unknown): unknown; in(values: unknown[]): unknown };
  serverDate(): unknown;
}

export interface CleanupReport {
  collection: string;
  removed: number;
  /** Expired records may remain (the batches ran out, or time did): the next run goes on. */
  more: boolean;
  error?: string;
}

/** Records per batch, and batches per run: a run's work stays bounded whatever has piled up. */
export const CLEANUP_BATCH = 100;
export const CLEANUP_MAX_BATCHES = 20;

export async function removeExpired(
  db: () => CleanupDatabase,
  options: { log: Log; deadline: number; now?: () => number; collections?: readonly string[] },
): Promise<CleanupReport[]> {
  const { log, deadline, now = Date.now, collections = [DEDUPE_COLLECTION, STATE_COLLECTION] } = options;
  const reports: CleanupReport[] = [];
  for (const collection of collections) {
    const report: CleanupReport = { collection, removed: 0, more: false };
    try {
      for (let batch = 1; ; batch += 1) {
        if (batch > CLEANUP_MAX_BATCHES || now() >= deadline) {
          report.more = true;
          break;
        }
        const database = db();
        const { data } = await database
          .collection(collection)
          .where({ expiresAt: database.command.lt(database.serverDate()) })
          .limit(CLEANUP_BATCH)
          .field({ _id: true })
          .get();
        const ids = data
          .map((record) => (record as { _id?: unknown })._id)
          .filter((id): id is string => typeof id === "string");
        if (ids.length === 0) break;
        // Still expired at removal: a record renewed since the read (a lapsed claim taken again) stays.
        const { stats } = await database
          .collection(collection)
          .where({ _id: database.command.in(ids), expiresAt: database.command.lt(database.serverDate()) })
          .remove();
        report.removed += stats.removed;
        if (ids.length < CLEANUP_BATCH) break;
      }
    } catch (error) {
      // A collection never created has nothing to clean.
      if (!isMissingCollection(error)) report.error = messageOf(error);
    }
    reports.push(report);
  }
  log.info("已清理过期记录 expired records removed", {
    removed: Object.fromEntries(reports.map(({ collection, removed }) => [collection, removed])),
    ...(reports.some(({ more }) => more) ? { more: true } : {}),
  });
  for (const { collection, error } of reports)
    if (error !== undefined) log.error("清理过期记录失败 cleanup failed", { collection, error });
  return reports;
}
