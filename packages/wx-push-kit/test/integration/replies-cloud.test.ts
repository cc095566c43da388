// What real customer service sends, at the cloud door: pictures from bytes and files (uploaded once, the
// media_id reused by digest across instances), a card's thumbnail from a file, an incoming picture fetched,
// a long answer in ordered parts, the AI label. The kit's stateful test bot, BUILT, run by the REAL
// wx-server-sdk in separate processes; the stand-in decodes what the SDK sent.
import { createHash } from "node:crypto";
import type { FakeCloudBase } from "../../src/local/fake-cloudbase";
import type { Runner } from "../../src/testing/function-runner";
import { startSdkRunner, startStandIn } from "../../src/testing/function-runner";
import { BLUE_PNG, LONG_ANSWER, RED_PNG } from "../fixtures/stateful-bot/bot";
import { statefulProject } from "../helpers/stateful-project";

let cloudbase: FakeCloudBase;
let a: Runner;
let b: Runner;
let entry = "";

beforeAll(async () => {
  ({ entry } = statefulProject("cloud-replies"));
  // A collection of the bot's own, created beforehand as in the console.
  ({ cloudbase } = await startStandIn({ collections: ["notes"] }));
  const env = { FUNCTION_ENTRY: entry, PUSH_DEDUPE_STORE: "database", TEST_NO_QUOTA: "1" };
  [a, b] = await Promise.all([startSdkRunner(cloudbase, env), startSdkRunner(cloudbase, env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
  await cloudbase.close();
});

let sequence = 0;
const push = (from: string, fields: Record<string, unknown>) => ({
  ToUserName: "gh_7f083739789a",
  FromUserName: from,
  CreateTime: Math.floor(Date.now() / 1000),
  MsgType: "text",
  MsgId: String(7_300_000_000 + (sequence += 1)),
  ...fields,
});
const text = (from: string, Content: string) => push(from, { Content });
async function run(runner: Runner, event: { FromUserName: string }) {
  const { calls, logs } = await runner.run(event, event.FromUserName, undefined, {}, true);
  return { calls, logs: logs.join("\n") };
}
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("pictures out", () => {
  test("bytes: one upload, one send naming its media_id; the same bytes again (another instance) upload nothing", async () => {
    const first = await run(a, text("o-picture", "图片"));
    expect(first.calls.map((call) => call.apiName)).toEqual([
      "customerServiceMessage.uploadTempMedia",
      "customerServiceMessage.send",
    ]);
    const [upload, send] = first.calls;
    expect(upload?.payload["type"]).toBe("image");
    // The stand-in received the picture's very bytes (shown as size and digest).
    expect(upload?.payload["media"]).toEqual({ bytes: RED_PNG.length, sha256: sha256(RED_PNG) });
    const mediaId = upload?.payload["answered_media_id"];
    expect(send?.payload).toEqual({ touser: "o-picture", msgtype: "image", image: { media_id: mediaId } });

    const again = await run(b, text("o-another", "图片"));
    expect(again.calls.map((call) => [call.apiName, call.payload["image"]])).toEqual([
      ["customerServiceMessage.send", { media_id: mediaId }],
    ]);
  }, 30_000);

  test("a file beside the function, and a card's thumbnail from the same file: uploaded once", async () => {
    const file = await run(a, text("o-file", "文件图片"));
    const [upload, send] = file.calls;
    expect(upload?.payload["media"]).toEqual({ bytes: BLUE_PNG.length, sha256: sha256(BLUE_PNG) });
    const mediaId = upload?.payload["answered_media_id"];
    expect(send?.payload["image"]).toEqual({ media_id: mediaId });
    const card = await run(b, text("o-file", "卡片"));
    expect(card.calls.map((call) => call.apiName)).toEqual(["customerServiceMessage.send"]);
    expect(card.calls[0]?.payload["miniprogrampage"]).toEqual({
      title: "测试卡片",
      pagepath: "pages/index/index",
      thumb_media_id: mediaId,
    });
  }, 30_000);

  test("an upload that fails for good is logged and the handler's next reply still goes out", async () => {
    // The first upload is refused (40004 invalid media type); the questionnaire step that follows is answered.
    cloudbase.answerNext({ errcode: 40004, errmsg: "invalid media type" });
    const failed = await run(a, text("o-refused-upload", "新图片 refused"));
    expect(failed.calls.map((call) => call.apiName)).toEqual(["customerServiceMessage.uploadTempMedia"]);
    expect(failed.logs).toContain("handler failed");
    const next = await run(a, text("o-refused-upload", "你好"));
    expect(next.calls.map((call) => call.payload["text"])).toEqual([{ content: "测试：第 1 步 你好" }]);
  }, 30_000);

  test("an upload that fails for a moment (-1) is retried within the push", async () => {
    cloudbase.answerNext({ errcode: -1, errmsg: "system error" });
    const { calls } = await run(a, text("o-busy-upload", "新图片 busy"));
    expect(calls.map((call) => call.apiName)).toEqual([
      "customerServiceMessage.uploadTempMedia",
      "customerServiceMessage.uploadTempMedia",
      "customerServiceMessage.send",
    ]);
  }, 30_000);

  test("a redelivered push neither uploads nor sends again", async () => {
    const event = text("o-redelivered-picture", "图片");
    const before = cloudbase.calls.length;
    await run(a, event);
    await run(b, event);
    expect(cloudbase.calls.slice(before).map((call) => call.apiName)).toEqual([
      "customerServiceMessage.send",
    ]);
  }, 30_000);
});

test("an incoming picture is fetched by its MediaId (getTempMedia), bytes and type", async () => {
  const uploaded = await run(a, text("o-incoming", "文件图片"));
  const mediaId = (uploaded.calls.at(-1)?.payload["image"] as { media_id: string }).media_id;
  const { calls } = await run(
    b,
    push("o-incoming", { MsgType: "image", PicUrl: "https://example.invalid/p.png", MediaId: mediaId }),
  );
  expect(calls.map((call) => call.apiName)).toEqual([
    "customerServiceMessage.getTempMedia",
    "customerServiceMessage.send",
  ]);
  expect(calls[1]?.payload["text"]).toEqual({ content: `测试：收到图片 ${BLUE_PNG.length} 字节 image/png` });
}, 30_000);

test("a 10,000-character answer: ordered parts within the limit, each a send, labelled AI on the wire", async () => {
  const { calls } = await run(a, text("o-long", "长文"));
  const parts = calls.map((call) => call.payload as { text: { content: string }; aimsgcontext?: unknown });
  expect(parts.length).toBeGreaterThan(5);
  for (const part of parts) {
    expect(Buffer.byteLength(part.text.content, "utf8")).toBeLessThanOrEqual(2000);
    expect(part.aimsgcontext).toEqual({ is_ai_msg: 1 });
  }
  const squash = (value: string) => value.replace(/\s+/g, "");
  expect(squash(parts.map((part) => part.text.content).join(""))).toBe(squash(LONG_ANSWER));
}, 30_000);

test("a handler reaches the database through ctx.cloud(), typed by wx-server-sdk", async () => {
  const { calls } = await run(a, text("o-notes", "记下 明天发货"));
  const notes = cloudbase.database.collections.get("notes");
  const [id, note] = [...(notes?.entries() ?? [])][0] ?? [];
  expect(note).toMatchObject({ text: "记下 明天发货" });
  expect(calls.map((call) => call.payload["text"])).toEqual([{ content: `测试：已记下 ${String(id)}` }]);
}, 30_000);
