// The database dedupe store's edges, over the fake database (scripts/lib/fake-database.ts): what counts
// as a missing collection, creating it on first use (and the log lines that say so), how often a claim
// retries, a record released mid-claim, records that are not the store's, the reply kept with "done",
// and a claim lapsing exactly at its TTL (with the memory store alongside).
import type { DedupeDatabase } from "../../src/cloud/database-store";
import { createDatabaseStore, DEDUPE_COLLECTION, isMissingCollection } from "../../src/cloud/database-store";
import { CLAIM_TTL_MS } from "../../src/core/dedupe";
import type { FakeDatabase } from "../../src/local/fake-database";
import { createFakeDatabase, missingCollectionError } from "../../src/local/fake-database";
import { STORES } from "../helpers/stores";
import { createRecordingLog } from "../helpers/recording-log";

/** The fake database with its `add` and `createCollection` calls counted. */
function counted(db: FakeDatabase) {
  const calls = { add: 0, createCollection: 0 };
  const wrapped: DedupeDatabase = {
    command: db.command,
    serverDate: db.serverDate,
    createCollection: (name) => {
      calls.createCollection += 1;
      return db.createCollection(name);
    },
    collection: (name) => {
      const inner = db.collection(name);
      return {
        ...inner,
        add: (options) => {
          calls.add += 1;
          return inner.add(options);
        },
      };
    },
  };
  return { db: wrapped, calls };
}

const REPLY = {
  MsgType: "transfer_customer_service",
  ToUserName: "o",
  FromUserName: "gh",
  CreateTime: 1,
} as const;

describe("isMissingCollection", () => {
  test.each<[string, unknown, boolean]>([
    ["wx-server-sdk's errCode alone", { errCode: -502005 }, true],
    ["the error code name in code", { code: "DATABASE_COLLECTION_NOT_EXIST" }, true],
    ["the server text in errMsg", { errMsg: "[ResourceNotFound] Db or Table not exist: x" }, true],
    ["the text in message", new Error("collection not exist"), true],
    ["the fake's SDK-shaped error", missingCollectionError("x"), true],
    ["another errCode", { errCode: -502001, errMsg: "database request fail" }, false],
    ["a duplicate _id", new Error("E11000 duplicate key error"), false],
    ["a non-string field that would stringify to the text", { errMsg: ["Db or Table not exist"] }, false],
    ["a phrase split across two fields", { code: "DATABASE_COLLECTION_", message: "NOT_EXIST" }, false],
    ["null", null, false],
    ["a bare string", "Db or Table not exist", false],
    ["undefined", undefined, false],
  ])("%s → %s", (_label, error, expected) => {
    expect(isMissingCollection(error)).toBe(expected);
  });
});

describe("a missing collection", () => {
  test("is created on the first claim, which is granted, and the creation is logged", async () => {
    const fake = createFakeDatabase({ requireCreatedCollections: true });
    const log = createRecordingLog();
    const lines = log.entries;
    const store = createDatabaseStore(() => fake, { log });
    expect((await store.claim("msg:first", CLAIM_TTL_MS)).status).toBe("claimed");
    expect(lines).toEqual([
      {
        level: "warn",
        message: expect.stringContaining("created the dedupe collection on first use") as string,
      },
    ]);
    expect(lines[0]?.message).toContain(DEDUPE_COLLECTION);
  });

  test("two instances creating it at once: one creates, the other logs why it could not, one claim wins", async () => {
    const fake = createFakeDatabase({ requireCreatedCollections: true });
    const log = createRecordingLog();
    const lines = log.entries;
    const store = createDatabaseStore(() => fake, { log, collection: "dedupe_x" });
    const claims = await Promise.all([
      store.claim("msg:r", CLAIM_TTL_MS),
      store.claim("msg:r", CLAIM_TTL_MS),
    ]);
    expect(claims.map((claim) => claim.status).sort()).toEqual(["busy", "claimed"]);
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual({
      level: "warn",
      message: expect.stringContaining("could not create the dedupe collection") as string,
      fields: { error: "collection dedupe_x already exists" },
    });
    expect(lines.find((line) => line.message.includes("could not create"))?.message).toContain("dedupe_x");
  });

  test("that cannot be created: add is tried twice and creation once, the failure logged, then the claim fails", async () => {
    const fake = createFakeDatabase({ requireCreatedCollections: true });
    fake.createCollection = () => Promise.reject(new Error("permission denied")); // a role without the right
    const { db, calls } = counted(fake);
    const log = createRecordingLog();
    const lines = log.entries;
    const store = createDatabaseStore(() => db, { log });
    await expect(store.claim("msg:nope", CLAIM_TTL_MS)).rejects.toMatchObject({ errCode: -502005 });
    expect(calls).toEqual({ add: 2, createCollection: 1 });
    expect(lines).toEqual([
      {
        level: "warn",
        message: expect.stringContaining("could not create the dedupe collection") as string,
        fields: { error: "permission denied" },
      },
    ]);
  });

  test("is not what a duplicate claim means: nothing is created or logged", async () => {
    const { db, calls } = counted(createFakeDatabase());
    const log = createRecordingLog();
    const lines = log.entries;
    const store = createDatabaseStore(() => db, { log });
    await store.claim("msg:dup", CLAIM_TTL_MS);
    expect(await store.claim("msg:dup", CLAIM_TTL_MS)).toEqual({ status: "busy" });
    expect(calls.createCollection).toBe(0);
    expect(lines).toEqual([]);
  });
});

test("an unreachable database: the claim tries add twice, then fails (bounded, so the app can fall back)", async () => {
  const fake = createFakeDatabase();
  const { db, calls } = counted(fake);
  const store = createDatabaseStore(() => db);
  fake.failWhen(() => true);
  await expect(store.claim("msg:down", CLAIM_TTL_MS)).rejects.toThrow("injected");
  expect(calls).toEqual({ add: 2, createCollection: 0 });
});

// wx-server-sdk rejects doc().get() for a missing document; an SDK that answers an empty list or null is
// read alike.
const answering =
  (missing: unknown, wrap: (data: unknown) => unknown) =>
  (db: FakeDatabase): DedupeDatabase => ({
    ...db,
    collection: (name) => {
      const inner = db.collection(name);
      return {
        ...inner,
        doc: (id) => ({
          get: () =>
            inner
              .doc(id)
              .get()
              .then(
                ({ data }) => ({ data: wrap(data) }),
                () => ({ data: missing }),
              ),
        }),
      };
    },
  });
describe.each<[string, (db: FakeDatabase) => DedupeDatabase]>([
  ["rejects", (db) => db],
  ["answers []", answering([], (data) => [data])],
  ["answers null", answering(null, (data) => data)],
])("when get() of a missing document %s", (_label, shape) => {
  test("a claim whose record is released between its add and its read is granted", async () => {
    const db = shape(createFakeDatabase());
    const store = createDatabaseStore(() => db);
    const first = await store.claim("msg:gone", CLAIM_TTL_MS);
    if (first.status !== "claimed") throw new Error("expected a claim");
    // Same tick: the second claim's add sees the record, the release removes it before the read.
    const [second] = await Promise.all([
      store.claim("msg:gone", CLAIM_TTL_MS),
      store.release("msg:gone", first.lease),
    ]);
    expect(second.status).toBe("claimed");
  });

  test("a record that is still held reads as busy", async () => {
    const db = shape(createFakeDatabase());
    const store = createDatabaseStore(() => db);
    await store.claim("msg:held", CLAIM_TTL_MS);
    expect(await store.claim("msg:held", CLAIM_TTL_MS)).toEqual({ status: "busy" });
  });
});

test.each<[string, Record<string, unknown>]>([
  ["no _id", { state: "claimed", lease: "l", expiresAt: Number.MAX_SAFE_INTEGER }],
  ["an unknown state", { _id: "msg:odd", state: "gone", lease: "l", expiresAt: Number.MAX_SAFE_INTEGER }],
  [
    "a lease that is not a string",
    { _id: "msg:odd", state: "claimed", lease: 7, expiresAt: Number.MAX_SAFE_INTEGER },
  ],
  ["an expiry that is not a number", { _id: "msg:odd", state: "claimed", lease: "l", expiresAt: "later" }],
])(
  "a document under the key that is not a dedupe record (%s) is never read as one: the claim fails",
  async (_label, record) => {
    const fake = createFakeDatabase();
    fake.collections.set(DEDUPE_COLLECTION, new Map([["msg:odd", record as never]]));
    const store = createDatabaseStore(() => fake);
    await expect(store.claim("msg:odd", CLAIM_TTL_MS)).rejects.toThrow("duplicate key");
  },
);

test("the passive reply is kept with done and returned to a redelivery", async () => {
  const fake = createFakeDatabase();
  const store = createDatabaseStore(() => fake);
  const first = await store.claim("msg:p", CLAIM_TTL_MS);
  if (first.status !== "claimed") throw new Error("expected a claim");
  await store.complete("msg:p", first.lease, REPLY);
  expect(await store.claim("msg:p", CLAIM_TTL_MS)).toEqual({ status: "done", reply: REPLY });
});

describe.each(STORES)("%s store", (_name, make) => {
  test("a claim lapses exactly at its TTL: one ms before it is busy, at it it is taken over", async () => {
    let clock = 1_000_000;
    const { store } = make(() => clock);
    expect((await store.claim("msg:edge", CLAIM_TTL_MS)).status).toBe("claimed");
    clock += CLAIM_TTL_MS - 1;
    expect(await store.claim("msg:edge", CLAIM_TTL_MS)).toEqual({ status: "busy" });
    clock += 1;
    expect((await store.claim("msg:edge", CLAIM_TTL_MS)).status).toBe("claimed");
  });
});
