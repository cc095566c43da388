// A signed plaintext URL can be replayed with any body (its signature does not cover it). Whatever names the
// push (MsgType, Event, ToUserName, FromUserName) is bounded like an id: it never becomes a 64 KB dedupe key
// held for minutes, nor a 60 KB log line per push.
import { loadHttpConfig } from "../../src/http/config";
import { createRouter } from "../../src/core/router";
import { buildPushRequest } from "../../src/local/push-request";
import { createRecordingLog } from "../helpers/recording-log";
import { close, listen, send } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";

const HUGE = "x".repeat(60 * 1024);
const base = {
  ToUserName: "gh_x",
  FromUserName: "o-replayer",
  CreateTime: 1714037059,
  MsgType: "text",
  Content: "hi",
};

test.each<[string, Record<string, unknown>]>([
  ["MsgType", { ...base, MsgType: HUGE }],
  ["Event", { ...base, MsgType: "event", Event: HUGE, Content: undefined }],
  ["ToUserName", { ...base, ToUserName: HUGE }],
  ["FromUserName", { ...base, FromUserName: HUGE }],
])("a 60 KB %s is malformed: no handler, no key kept, no log line over 1 KB", async (_field, message) => {
  const log = createRecordingLog();
  const handled: unknown[] = [];
  const server = createTestServer({
    router: createRouter()
      .on("text", ({ message: seen }) => void handled.push(seen))
      .otherwise(({ message: seen }) => void handled.push(seen)),
    config: loadHttpConfig({ WECHAT_TOKEN: "AAAAA" }),
    send: () => Promise.resolve(),
    log,
  });
  const url = await listen(server);
  try {
    const request = buildPushRequest({
      message,
      mode: "plaintext",
      format: "json",
      settings: { token: "AAAAA" },
    });
    for (let i = 0; i < 3; i += 1) expect(await send(url, request)).toEqual({ status: 200, body: "success" });
    expect(handled).toEqual([]);
    // Three deliveries, three "malformed" lines: never "duplicate", so no key was claimed for it.
    expect(log.find("malformed push ignored")).toHaveLength(3);
    expect(log.find("duplicate")).toEqual([]);
    for (const entry of log.entries) expect(JSON.stringify(entry).length).toBeLessThan(1024);
  } finally {
    await close(server);
  }
});
