import { randomUUID } from "node:crypto";
import type { Claim, Store } from "../core/dedupe";
import { DONE_TTL_MS } from "../core/dedupe";

/** The slice of wx-server-sdk's database API the store uses. */
export interface DedupeDatabase {
  collection(name: string): DedupeCollection;
  command: { lte(value: number): unknown };
}
export interface DedupeCollection {
  add(options: { data: DedupeRecord }): Promise<unknown>;
  doc(id: string): { get(): Promise<{ data: unknown }> };
  where(query: Record<string, unknown>): {
    update(options: { data: Partial<DedupeRecord> }): Promise<{ stats: { updated: number } }>;
    remove(): Promise<{ stats: { removed: number } }>;
  };
}
export interface DedupeRecord {
  _id: string;
  state: "claimed" | "done";
  lease: string;
  /** Milliseconds since the epoch; an expired record can be taken over. */
  expiresAt: number;
}

/** Create it in the console (云开发 → 数据库); only the function reads or writes it. */
export const DEDUPE_COLLECTION = "message_push_dedupe";

/**
 * Dedupe across instances: the record's _id is the dedupe key, so of two concurrent `add`s of one key the
 * database accepts exactly one. The loser reads the record to learn whether it is done, busy or expired.
 */
export function createDatabaseStore(
  db: () => DedupeDatabase,
  collection = DEDUPE_COLLECTION,
  now = Date.now,
): Store {
  const records = () => db().collection(collection);

  async function claim(key: string, ttlMs: number, tries = 2): Promise<Claim> {
    const lease = randomUUID();
    try {
      await records().add({
        data: { _id: key, state: "claimed", lease, expiresAt: now() + ttlMs },
      });
      return { status: "claimed", lease };
    } catch (addError) {
      // Whatever the error text, a duplicate _id means the record exists; if it does not, add failed for
      // another reason and the store is unavailable.
      const existing = await read(key);
      if (existing === undefined) {
        if (tries > 1) return claim(key, ttlMs, tries - 1); // released between our add and our read
        throw addError;
      }
      if (existing.expiresAt > now()) return { status: existing.state === "done" ? "done" : "busy" };
      const taken = await records()
        .where({
          _id: key,
          lease: existing.lease,
          expiresAt: db().command.lte(now()),
        })
        .update({
          data: { state: "claimed", lease, expiresAt: now() + ttlMs },
        });
      return taken.stats.updated === 1 ? { status: "claimed", lease } : { status: "busy" };
    }
  }

  async function read(key: string): Promise<DedupeRecord | undefined> {
    try {
      const { data } = await records().doc(key).get();
      const record = Array.isArray(data) ? (data[0] as unknown) : data;
      return isRecord(record) ? record : undefined;
    } catch {
      return undefined; // doc().get() rejects when the document does not exist
    }
  }

  return {
    claim,
    async complete(key, lease) {
      await records()
        .where({ _id: key, lease })
        .update({ data: { state: "done", expiresAt: now() + DONE_TTL_MS } });
    },
    async release(key, lease) {
      await records().where({ _id: key, lease, state: "claimed" }).remove();
    },
  };
}

function isRecord(value: unknown): value is DedupeRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record["_id"] === "string" &&
    (record["state"] === "claimed" || record["state"] === "done") &&
    typeof record["lease"] === "string" &&
    typeof record["expiresAt"] === "number"
  );
}
