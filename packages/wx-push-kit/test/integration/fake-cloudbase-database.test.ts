// The database half of the CloudBase stand-in on its own: what the real-SDK suites rely on it to do with
// the SDK's requests (EJSON in and out, queries with db.command operators, dot-path $set, the failures).
import { EJSON } from "bson";
import { createCloudDatabase } from "../../src/local/fake-cloudbase-database";

const request = (action: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ action, collectionName: "c", envName: "", ...fields });
const ejson = (value: Record<string, unknown>) => EJSON.stringify(value, { relaxed: false });

function seeded() {
  const database = createCloudDatabase(["c"]);
  const inserted = database.answer(
    request("database.insertDocument", {
      data: [ejson({ _id: "a", n: 1, at: 1700000000000 }), ejson({ _id: "b", n: 5, at: 1700000000001 })],
    }),
  );
  expect(inserted).toEqual({ data: { insertedIds: ["a", "b"] }, requestId: "fake" });
  return database;
}

test("a missing collection is refused as the gateway does, and can be created once", () => {
  const database = createCloudDatabase([]);
  expect(database.answer(request("database.getDocument", { query: ejson({ _id: "a" }) }))).toMatchObject({
    code: "DATABASE_COLLECTION_NOT_EXIST",
  });
  expect(database.answer(request("database.addCollection"))).toEqual({ data: {}, requestId: "fake" });
  expect(database.answer(request("database.addCollection"))).toMatchObject({
    code: "DATABASE_COLLECTION_ALREADY_EXIST",
  });
  expect([...database.collections.keys()]).toEqual(["c"]);
});

test("a duplicate _id refuses the whole insert", () => {
  const database = seeded();
  expect(
    database.answer(request("database.insertDocument", { data: [ejson({ _id: "z" }), ejson({ _id: "a" })] })),
  ).toMatchObject({
    code: "DATABASE_REQUEST_FAILED",
    message: expect.stringContaining("duplicate key") as string,
  });
  expect(database.collections.get("c")?.has("z")).toBe(false);
});

test("getDocument answers EJSON strings, numbers as $numberLong/$numberInt as the gateway does", () => {
  const database = seeded();
  const answer = database.answer(
    request("database.getDocument", { query: ejson({ _id: "a" }), queryType: "DOC" }),
  ) as {
    data: { list: string[] };
  };
  expect(answer.data.list).toEqual([ejson({ _id: "a", n: 1, at: 1700000000000 })]);
  expect(answer.data.list[0]).toContain('"$numberLong":"1700000000000"');
});

test.each<[string, unknown, string[]]>([
  ["$lte", { $lte: 1 }, ["a"]],
  ["$lt", { $lt: 5 }, ["a"]],
  ["$gte", { $gte: 5 }, ["b"]],
  ["$gt", { $gt: 1 }, ["b"]],
  ["$eq", { $eq: 5 }, ["b"]],
  ["plain equality", 1, ["a"]],
])("a query with %s matches what it should", (_label, condition, ids) => {
  const database = seeded();
  const answer = database.answer(request("database.getDocument", { query: ejson({ n: condition }) })) as {
    data: { list: string[] };
  };
  expect(answer.data.list.map((text) => (EJSON.parse(text) as { _id: string })._id)).toEqual(ids);
});

test("an operator the stand-in does not know is an error, not a silent match", () => {
  const database = seeded();
  expect(() =>
    database.answer(request("database.getDocument", { query: ejson({ n: { $nin: [1] } }) })),
  ).toThrow("$nin");
});

test("$in matches any listed value; limit caps the list (the cleanup's batches)", () => {
  const database = seeded();
  const ids = (fields: Record<string, unknown>) =>
    (database.answer(request("database.getDocument", fields)) as { data: { list: string[] } }).data.list.map(
      (text) => (EJSON.parse(text) as { _id: string })._id,
    );
  expect(ids({ query: ejson({ _id: { $in: ["b", "zzz"] } }) })).toEqual(["b"]);
  expect(ids({ query: ejson({}), limit: 1 })).toEqual(["a"]);
});

test("modifyDocument applies $set with dot paths to every match and counts them", () => {
  const database = seeded();
  const answer = database.answer(
    request("database.modifyDocument", {
      query: ejson({ n: { $gte: 1 } }),
      data: ejson({ $set: { state: "done", "reply.MsgType": "text", "reply.Content": "hi" } }),
      multi: true,
    }),
  );
  expect(answer).toEqual({ data: { updated: 2, upsert_id: "" }, requestId: "fake" });
  expect(database.collections.get("c")?.get("a")).toMatchObject({
    state: "done",
    reply: { MsgType: "text", Content: "hi" },
  });
});

test("removeDocument deletes the matches and counts them; the calls are kept in order, decoded", () => {
  const database = seeded();
  expect(database.answer(request("database.removeDocument", { query: ejson({ _id: "b" }) }))).toEqual({
    data: { deleted: 1 },
    requestId: "fake",
  });
  expect([...(database.collections.get("c")?.keys() ?? [])]).toEqual(["a"]);
  expect(database.calls.map((call) => [call.action, call.query])).toEqual([
    ["database.insertDocument", undefined],
    ["database.removeDocument", { _id: "b" }],
  ]);
});

test("an action it does not serve is answered as such", () => {
  expect(seeded().answer(request("database.aggregate"))).toMatchObject({ code: "INVALID_ACTION" });
});
