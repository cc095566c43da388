// An in-process stand-in for the CloudBase database, limited to what the dedupe store uses, with the
// semantics the store relies on: `add` of an existing _id is refused (the collection's primary key), a
// `where` matches by equality or `command.lte`, and every call resolves on a later tick so concurrent
// callers interleave as they would over the network.
import type { DedupeCollection, DedupeDatabase, DedupeRecord } from "../../server";

const LTE = Symbol("lte");
interface Lte {
  [LTE]: number;
}

export interface FakeDatabase extends DedupeDatabase {
  /** Records by collection, for assertions. */
  readonly collections: Map<string, Map<string, DedupeRecord>>;
  /** Makes the next `count` calls reject, to inject store failures. */
  failNext(count: number): void;
  /** Makes every call for which `decide()` is true reject (seeded random failures); undefined stops it. */
  failWhen(decide: (() => boolean) | undefined): void;
  /** Whether collections must be created first (as in a new environment); `reset` turns it off. */
  requireCreatedCollections(required: boolean): void;
  reset(): void;
}

export interface FakeDatabaseOptions {
  /**
   * As in a real environment: a collection must be created (console or createCollection) before use;
   * until then every call on it fails as wx-server-sdk reports it (errCode -502005).
   */
  requireCreatedCollections?: boolean;
}

/** The error wx-server-sdk throws for a collection that does not exist (a CloudSDKError's fields). */
export function missingCollectionError(name: string): Error {
  return Object.assign(
    new Error(
      `errCode: -502005 database collection not exists | errMsg: [ResourceNotFound] Db or Table not exist: ${name}`,
    ),
    {
      errCode: -502005,
      errMsg: `[ResourceNotFound] Db or Table not exist: ${name}`,
    },
  );
}

export function createFakeDatabase(options: FakeDatabaseOptions = {}): FakeDatabase {
  const collections = new Map<string, Map<string, DedupeRecord>>();
  const created = new Set<string>();
  let mustCreate = options.requireCreatedCollections === true;
  let failures = 0;
  let failWhen: (() => boolean) | undefined;
  const tick = <T>(work: () => T): Promise<T> =>
    new Promise((resolve, reject) =>
      setImmediate(() => {
        if (failures > 0 || failWhen?.() === true) {
          failures = Math.max(0, failures - 1);
          reject(new Error("database request fail: injected"));
          return;
        }
        try {
          resolve(work());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
  const table = (name: string) => {
    if (mustCreate && !created.has(name)) throw missingCollectionError(name);
    let records = collections.get(name);
    if (records === undefined) collections.set(name, (records = new Map<string, DedupeRecord>()));
    return records;
  };
  const matches = (record: DedupeRecord, query: Record<string, unknown>) =>
    Object.entries(query).every(([field, expected]) => {
      const actual = (record as unknown as Record<string, unknown>)[field];
      if (typeof expected === "object" && expected !== null && LTE in expected) {
        return typeof actual === "number" && actual <= (expected as Lte)[LTE];
      }
      return actual === expected;
    });

  const db: FakeDatabase = {
    collections,
    command: { lte: (value: number): Lte => ({ [LTE]: value }) },
    createCollection: (name) =>
      tick(() => {
        if (created.has(name)) throw new Error(`collection ${name} already exists`);
        created.add(name);
        return { errMsg: "createCollection:ok" };
      }),
    collection(name): DedupeCollection {
      return {
        add: ({ data }) =>
          tick(() => {
            const records = table(name);
            if (records.has(data._id)) throw new Error(`E11000 duplicate key error: _id ${data._id} exists`);
            records.set(data._id, { ...data });
            return { _id: data._id };
          }),
        doc: (id) => ({
          get: () =>
            tick(() => {
              const record = table(name).get(id);
              if (record === undefined)
                throw new Error(`document.get:fail document with _id ${id} does not exist`);
              return { data: { ...record } };
            }),
        }),
        where: (query) => ({
          update: ({ data }) =>
            tick(() => {
              const records = table(name);
              let updated = 0;
              for (const [id, record] of records) {
                if (matches(record, query)) {
                  records.set(id, { ...record, ...data });
                  updated += 1;
                }
              }
              return { stats: { updated } };
            }),
          remove: () =>
            tick(() => {
              const records = table(name);
              let removed = 0;
              for (const [id, record] of records) {
                if (matches(record, query)) {
                  records.delete(id);
                  removed += 1;
                }
              }
              return { stats: { removed } };
            }),
        }),
      };
    },
    failNext(count) {
      failures = count;
    },
    failWhen(decide) {
      failWhen = decide;
    },
    requireCreatedCollections(required) {
      mustCreate = required;
    },
    reset() {
      collections.clear();
      created.clear();
      mustCreate = options.requireCreatedCollections === true;
      failures = 0;
      failWhen = undefined;
    },
  };
  return db;
}
