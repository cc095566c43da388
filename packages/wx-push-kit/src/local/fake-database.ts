// The CloudBase database for tests that use the store in-process, without the SDK: the same stand-in the
// real wx-server-sdk talks to over loopback (fake-cloudbase-database.ts), reached through the calls the SDK
// would make, so both kinds of test meet one database with one set of rules. Every call resolves on a later
// tick, so concurrent callers interleave as they would over the network.
import { EJSON } from "bson";
import type { DedupeCollection, DedupeDatabase } from "../server/index";
import { createCloudDatabase } from "./fake-cloudbase-database";

type Document = Record<string, unknown>;

export interface FakeDatabase extends DedupeDatabase {
  /** Documents by collection, for assertions (dates are Date objects, as the SDK reads them). */
  readonly collections: Map<string, Map<string, Document>>;
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
  /** The database server's clock (what serverDate() resolves to); each instance has its own clock. */
  now?: () => number;
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
  const server = createCloudDatabase([], options.now === undefined ? {} : { now: options.now });
  let mustCreate = options.requireCreatedCollections === true;
  let failures = 0;
  let failWhen: (() => boolean) | undefined;
  const ejson = (value: object) => EJSON.stringify(value, { relaxed: false });

  /** One call as the SDK sends it; the answer's data, or the error the SDK would throw. */
  const call = (action: string, collectionName: string, fields: Document = {}): Promise<Document> =>
    new Promise((resolve, reject) =>
      setImmediate(() => {
        if (failures > 0 || failWhen?.() === true) {
          failures = Math.max(0, failures - 1);
          reject(new Error("database request fail: injected"));
          return;
        }
        if (!mustCreate && action !== "database.addCollection" && !server.collections.has(collectionName))
          server.collections.set(collectionName, new Map());
        const answer = server.answer(JSON.stringify({ action, collectionName, ...fields })) as Document;
        const code = answer["code"];
        if (code === "DATABASE_COLLECTION_NOT_EXIST") reject(missingCollectionError(collectionName));
        else if (typeof code === "string")
          reject(Object.assign(new Error(String(answer["message"])), { code }));
        else resolve(answer["data"] as Document);
      }),
    );

  const db: FakeDatabase = {
    get collections() {
      return server.collections;
    },
    command: { lte: (value: unknown) => ({ $lte: value }) },
    serverDate: (serverDateOptions) => ({ $tcb_server_date: { offset: serverDateOptions?.offset ?? 0 } }),
    createCollection: (name) =>
      call("database.addCollection", name).then(() => ({ errMsg: "createCollection:ok" })),
    collection(name): DedupeCollection {
      return {
        add: ({ data }) => call("database.insertDocument", name, { data: [ejson(data)] }),
        doc: (id) => ({
          get: () =>
            call("database.getDocument", name, { query: ejson({ _id: id }), queryType: "DOC" }).then(
              ({ list }) => {
                const [found] = (list as string[]).map((text) => EJSON.parse(text));
                if (found === undefined)
                  throw new Error(`document.get:fail document with _id ${id} does not exist`);
                return { data: found };
              },
            ),
        }),
        where: (query) => ({
          update: ({ data }) =>
            call("database.modifyDocument", name, {
              query: ejson(query),
              data: ejson({ $set: data }),
              multi: true,
            }).then(({ updated }) => ({ stats: { updated: updated as number } })),
          remove: () =>
            call("database.removeDocument", name, { query: ejson(query), multi: true }).then(
              ({ deleted }) => ({ stats: { removed: deleted as number } }),
            ),
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
      server.collections.clear();
      mustCreate = options.requireCreatedCollections === true;
      failures = 0;
      failWhen = undefined;
    },
  };
  return db;
}
