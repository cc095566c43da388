// The database half of the loopback CloudBase stand-in: what wx-server-sdk 4.x (through @cloudbase/node-sdk)
// sends for `cloud.database()` calls, and what it expects back. Each call is one JSON POST with an `action`:
//   database.insertDocument  {collectionName, data: [EJSON]}            → {data: {insertedIds}}
//   database.getDocument     {collectionName, query: EJSON, queryType}  → {data: {list: [EJSON]}}
//   database.modifyDocument  {collectionName, query, data: '{"$set":{…}}' with dot paths, multi} → {data: {updated}}
//   database.removeDocument  {collectionName, query, multi}             → {data: {deleted}}
//   database.addCollection   {collectionName}                           → {data: {}}
// Failures are HTTP 200 with {code: "<NAME>", message}; the SDK maps DATABASE_COLLECTION_NOT_EXIST to
// errCode -502005. Probed against the real SDK; the codes for a duplicate _id and an existing collection
// are the gateway's as far as known (the store does not depend on either text).
import { randomBytes } from "node:crypto";
import { EJSON } from "bson";

type Document = Record<string, unknown>;

export interface DatabaseCall {
  action: string;
  collection: string;
  /** The decoded query (EJSON, relaxed: plain numbers). */
  query?: Document;
  /** The decoded data: the inserted documents, or the update operators. */
  data?: unknown;
  /** The request body as it came, before decoding (server dates unresolved). */
  sent: string;
}

export interface CloudDatabase {
  /** Collection name → documents by _id. */
  readonly collections: Map<string, Map<string, Document>>;
  readonly calls: DatabaseCall[];
  /** The response body for one request body. */
  answer(body: string): unknown;
  /** While true, every database call is answered as an unreachable database (the gateway's 5xx). */
  down: boolean;
}

const fail = (code: string, message: string) => ({ code, message, requestId: "fake" });

export interface CloudDatabaseOptions {
  /** The database server's clock: what db.serverDate() resolves to. */
  now?: () => number;
}

export function createCloudDatabase(
  existing: readonly string[],
  options: CloudDatabaseOptions = {},
): CloudDatabase {
  const { now = Date.now } = options;
  const collections = new Map<string, Map<string, Document>>(existing.map((name) => [name, new Map()]));
  const calls: DatabaseCall[] = [];
  // db.serverDate({offset}) travels as {"$tcb_server_date": {"offset": n}}; the server puts its own time there.
  const decode = (text: unknown): unknown =>
    typeof text === "string" ? resolveServerDates(EJSON.parse(text, { relaxed: true }), now) : undefined;

  function answer(body: string): unknown {
    const request = JSON.parse(body) as Record<string, unknown>;
    const action = String(request["action"]);
    const named = request["collectionName"];
    const collection = typeof named === "string" ? named : "";
    const query = decode(request["query"]) as Document | undefined;
    const data = Array.isArray(request["data"]) ? request["data"].map(decode) : decode(request["data"]);
    calls.push({
      action,
      collection,
      sent: body,
      ...(query === undefined ? {} : { query }),
      ...(data === undefined ? {} : { data }),
    });

    if (action === "database.addCollection") {
      if (collections.has(collection))
        return fail("DATABASE_COLLECTION_ALREADY_EXIST", `collection ${collection} already exists`);
      collections.set(collection, new Map());
      return { data: {}, requestId: "fake" };
    }
    const documents = collections.get(collection);
    if (documents === undefined)
      return fail(
        "DATABASE_COLLECTION_NOT_EXIST",
        "[ResourceNotFound] Db or Table not exist. Please check your request.",
      );
    const matching = () => [...documents.values()].filter((document) => matches(document, query ?? {}));

    switch (action) {
      case "database.insertDocument": {
        // A document without an _id gets one, as the database gives it (a 32-hex string).
        const inserted = (data as Document[]).map((document) => ({
          ...document,
          _id: typeof document["_id"] === "string" ? document["_id"] : randomBytes(16).toString("hex"),
        }));
        for (const document of inserted) {
          const id = document._id;
          if (documents.has(id))
            return fail(
              "DATABASE_REQUEST_FAILED",
              `[FailedOperation] E11000 duplicate key error dup key: { _id: "${id}" }`,
            );
        }
        for (const document of inserted) documents.set(document._id, document);
        return { data: { insertedIds: inserted.map((document) => document._id) }, requestId: "fake" };
      }
      case "database.getDocument":
        return {
          data: {
            list: matching()
              .slice(0, typeof request["limit"] === "number" ? request["limit"] : 100)
              .map((document) => EJSON.stringify(document, { relaxed: false })),
            limit: typeof request["limit"] === "number" ? request["limit"] : 100,
            offset: 0,
          },
          requestId: "fake",
        };
      case "database.modifyDocument": {
        const set = (data as { $set?: Document } | undefined)?.$set ?? {};
        const found = matching();
        for (const document of found)
          for (const [path, value] of Object.entries(set)) setPath(document, path, value);
        return { data: { updated: found.length, upsert_id: "" }, requestId: "fake" };
      }
      case "database.removeDocument": {
        const found = matching();
        for (const document of found) documents.delete(String(document["_id"]));
        return { data: { deleted: found.length }, requestId: "fake" };
      }
      default:
        return fail("INVALID_ACTION", `the stand-in does not serve ${action}`);
    }
  }

  return { collections, calls, answer, down: false };
}

function resolveServerDates(value: unknown, now: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveServerDates(item, now));
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  const record = value as Record<string, unknown>;
  const marker = record["$tcb_server_date"] as { offset?: unknown } | undefined;
  if (marker !== undefined) return new Date(now() + Number(marker.offset ?? 0));
  return Object.fromEntries(
    Object.entries(record).map(([key, item]) => [key, resolveServerDates(item, now)]),
  );
}

/** Comparable form: dates by their time, as the database compares them. Dates and numbers never compare. */
const comparable = (value: unknown): unknown => (value instanceof Date ? value.getTime() : value);
const sameKind = (a: unknown, b: unknown) => a instanceof Date === b instanceof Date;

/** Top-level field equality, and the comparison operators the SDK's `db.command` sends. */
function matches(document: Document, query: Document): boolean {
  return Object.entries(query).every(([field, condition]) => {
    const value = document[field];
    if (typeof condition !== "object" || condition === null) return value === condition;
    if (condition instanceof Date) return value instanceof Date && value.getTime() === condition.getTime();
    return Object.entries(condition as Record<string, unknown>).every(([operator, operand]) => {
      if (operator === "$in")
        return Array.isArray(operand) && operand.some((item) => comparable(item) === comparable(value));
      if (!sameKind(value, operand)) return false;
      const [a, b] = [comparable(value) as number, comparable(operand) as number];
      switch (operator) {
        case "$lte":
          return a <= b;
        case "$lt":
          return a < b;
        case "$gte":
          return a >= b;
        case "$gt":
          return a > b;
        case "$eq":
          return a === b;
        default:
          throw new Error(`the stand-in does not know the query operator ${operator}`);
      }
    });
  });
}

/** `$set` with a dot path ("reply.MsgType"), as the SDK flattens nested update data. */
function setPath(document: Document, path: string, value: unknown): void {
  const names = path.split(".");
  const last = names.pop() as string;
  let target = document;
  for (const name of names) {
    const next = target[name];
    target = typeof next === "object" && next !== null ? (next as Document) : (target[name] = {});
  }
  target[last] = value;
}
