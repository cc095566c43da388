import type { Log } from "../core/log";
import { silentLog } from "../core/log";
import type { StateStore } from "../core/state";
import type { DedupeDatabase } from "./database-store";
import { isMissingCollection } from "./database-store";

/** Created on first use when missing, like the dedupe collection. */
export const STATE_COLLECTION = "message_push_state";

/** A state record as stored: the value as JSON text (the SDK would merge a nested object field by field). */
interface StateRecord {
  _id: string;
  json: string;
  version: number;
  expiresAt: Date | number;
}

/**
 * State in the CloudBase database: one document per key, its _id the key. A first write is an `add` (of two,
 * the database takes one); a later one an update conditioned on the version read, so a write based on an old
 * read changes nothing and says "conflict". Lifetimes are in the database's own time, like the claims'.
 */
export function createDatabaseStateStore(
  db: () => DedupeDatabase,
  options: { collection?: string; now?: () => number; log?: Log } = {},
): StateStore {
  const { collection = STATE_COLLECTION, now = Date.now, log = silentLog } = options;
  const records = () => db().collection(collection);
  const expiry = (ttlMs: number) => db().serverDate({ offset: ttlMs });

  async function read(key: string): Promise<StateRecord | undefined> {
    try {
      const { data } = await records().doc(key).get();
      const record = (Array.isArray(data) ? (data[0] as unknown) : data) as Partial<StateRecord> | undefined;
      return typeof record?.json === "string" && typeof record.version === "number"
        ? (record as StateRecord)
        : undefined;
    } catch (error) {
      if (isMissingCollection(error)) return undefined;
      // doc().get() rejects for a missing document; any other failure is the store being down.
      if (/not exist|does not exist/i.test(error instanceof Error ? error.message : String(error)))
        return undefined;
      throw error;
    }
  }

  async function create(key: string, value: string, ttlMs: number, tries = 2): Promise<number | "conflict"> {
    try {
      // The record's shape differs from a dedupe record's; the SDK types only the collection's methods.
      await records().add({ data: { _id: key, json: value, version: 1, expiresAt: expiry(ttlMs) } as never });
      return 1;
    } catch (error) {
      if (isMissingCollection(error) && tries > 1) {
        await db()
          .createCollection(collection)
          .then(
            () =>
              log.warn(
                `已自动创建状态集合 ${collection}（首次使用）created the state collection on first use`,
              ),
            () => undefined, // created by another instance meanwhile: the retried add tells
          );
        return create(key, value, ttlMs, tries - 1);
      }
      // A record exists: if it lapsed (by the database's clock) it is taken over, else this write lost.
      const taken = await records()
        .where({ _id: key, expiresAt: db().command.lte(db().serverDate()) })
        .update({ data: { json: value, version: 1, expiresAt: expiry(ttlMs) } as never });
      return taken.stats.updated === 1 ? 1 : "conflict";
    }
  }

  return {
    async read(key) {
      const record = await read(key);
      if (record === undefined) return undefined;
      const expiresAt = record.expiresAt instanceof Date ? record.expiresAt.getTime() : record.expiresAt;
      // A lapsed record reads as empty but keeps its version: the next write replaces it by compare-and-set,
      // whatever this instance's clock says against the database's.
      if (expiresAt <= now()) return { value: undefined, version: record.version };
      return { value: JSON.parse(record.json) as unknown, version: record.version };
    },
    async write(key, value, expected, ttlMs) {
      const json = JSON.stringify(value);
      if (expected === undefined) return create(key, json, ttlMs);
      const written = await records()
        .where({ _id: key, version: expected })
        .update({ data: { json, version: expected + 1, expiresAt: expiry(ttlMs) } as never });
      return written.stats.updated === 1 ? expected + 1 : "conflict";
    },
  };
}
