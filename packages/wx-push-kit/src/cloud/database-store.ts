import { randomUUID } from "node:crypto";
import type { Claim, Store } from "../core/dedupe";
import { DONE_TTL_MS } from "../core/dedupe";
import type { Log } from "../core/log";
import { silentLog } from "../core/log";
import type { PassiveReply } from "../core/passive";
import { isPassiveReply } from "../core/passive";

/** The slice of wx-server-sdk's database API the store uses. */
export interface DedupeDatabase {
  collection(name: string): DedupeCollection;
  createCollection(name: string): Promise<unknown>;
  command: { lte(value: unknown): unknown };
  /** The database server's own time (plus `offset` ms), resolved where the record is written or compared. */
  serverDate(options?: { offset: number }): unknown;
}
export interface DedupeCollection {
  add(options: { data: DedupeWrite }): Promise<unknown>;
  doc(id: string): { get(): Promise<{ data: unknown }> };
  where(query: Record<string, unknown>): {
    update(options: { data: Partial<DedupeWrite> }): Promise<{ stats: { updated: number } }>;
    remove(): Promise<{ stats: { removed: number } }>;
  };
}
export interface DedupeRecord {
  _id: string;
  state: "claimed" | "done";
  lease: string;
  /**
   * When the record lapses, in the database server's time (written as serverDate, read back as a Date):
   * instances whose clocks disagree then never judge one another's leases. Records written by earlier
   * versions hold milliseconds since the epoch.
   */
  expiresAt: Date | number;
  /** The passive reply a "done" push was answered with, returned again to its redeliveries. */
  reply?: PassiveReply;
}

/** A record as the store writes it: `expiresAt` is a serverDate, resolved by the database. */
export interface DedupeWrite extends Omit<DedupeRecord, "expiresAt"> {
  expiresAt: unknown;
}

/** Created on first use when missing; only the function reads or writes it. */
export const DEDUPE_COLLECTION = "message_push_dedupe";

/**
 * The SDK's "collection does not exist" (wx-server-sdk 4.0.2 error.config: DATABASE_COLLECTION_NOT_EXIST
 * = -502005; the underlying server text is "Db or Table not exist").
 */
export function isMissingCollection(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const record = error as Record<string, unknown>;
  if (record["errCode"] === -502005) return true;
  const text = ["code", "errMsg", "message"]
    .map((field) => record[field])
    .filter((value): value is string => typeof value === "string")
    .join(" ");
  return /DATABASE_COLLECTION_NOT_EXIST|collection not exist|Db or Table not exist/i.test(text);
}

export interface DatabaseStoreOptions {
  collection?: string;
  now?: () => number;
  log?: Log;
}

/**
 * Dedupe across instances: the record's _id is the dedupe key, so of two concurrent `add`s of one key the
 * database accepts exactly one. The loser reads the record to learn whether it is done, busy or expired.
 * A missing collection is created on first use: a skipped setup step must not silence the bot.
 */
export function createDatabaseStore(db: () => DedupeDatabase, options: DatabaseStoreOptions = {}): Store {
  const { collection = DEDUPE_COLLECTION, now = Date.now, log = silentLog } = options;
  const records = () => db().collection(collection);

  async function createMissingCollection(): Promise<void> {
    try {
      await db().createCollection(collection);
      log.warn(`已自动创建去重集合 ${collection}（首次使用）created the dedupe collection on first use`);
    } catch (error) {
      // Another instance may have created it at the same moment; the retried add tells.
      log.warn(`创建去重集合 ${collection} 失败 could not create the dedupe collection`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** `ms` from now, by the database server's clock. */
  const serverTimeIn = (ms: number) => db().serverDate({ offset: ms });

  async function claim(key: string, ttlMs: number, tries = 2): Promise<Claim> {
    const lease = randomUUID();
    try {
      await records().add({
        data: { _id: key, state: "claimed", lease, expiresAt: serverTimeIn(ttlMs) },
      });
      return { status: "claimed", lease };
    } catch (addError) {
      if (isMissingCollection(addError) && tries > 1) {
        await createMissingCollection();
        return claim(key, ttlMs, tries - 1);
      }
      // Whatever the error text, a duplicate _id means the record exists; if it does not, add failed for
      // another reason and the store is unavailable.
      const existing = await read(key);
      if (existing === undefined) {
        if (tries > 1) return claim(key, ttlMs, tries - 1); // released between our add and our read
        throw addError;
      }
      const done: Claim = isPassiveReply(existing.reply)
        ? { status: "done", reply: existing.reply }
        : { status: "done" };
      // A "done" record lives a day: this instance's clock is good enough to see it is not near its end.
      if (existing.state === "done" && millisOf(existing.expiresAt) > now() + CLOCK_SKEW_ALLOWANCE_MS)
        return done;
      // Whether a claim has lapsed is the database's call, by its own clock: an instance whose clock runs
      // ahead must not take over a live claim (and answer the push a second time).
      const taken = await records()
        .where({
          _id: key,
          lease: existing.lease,
          expiresAt: db().command.lte(db().serverDate()),
        })
        .update({
          data: { state: "claimed", lease, expiresAt: serverTimeIn(ttlMs) },
        });
      if (taken.stats.updated === 1) return { status: "claimed", lease };
      return existing.state === "done" ? done : { status: "busy" };
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
    async complete(key, lease, reply) {
      await records()
        .where({ _id: key, lease })
        .update({
          data: {
            state: "done",
            expiresAt: serverTimeIn(DONE_TTL_MS),
            ...(reply === undefined ? {} : { reply }),
          },
        });
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
    (record["expiresAt"] instanceof Date || typeof record["expiresAt"] === "number")
  );
}

function millisOf(time: Date | number): number {
  return time instanceof Date ? time.getTime() : time;
}

/** How far apart two instances' clocks may be before this store stops trusting its own for "done". */
const CLOCK_SKEW_ALLOWANCE_MS = 60 * 60 * 1000;
