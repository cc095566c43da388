// The bot's own notification handlers: a content-safety verdict is logged at the level it deserves, with
// the trace_id that finds the upload again, and nothing is sent.
import { runHandler } from "wx-push-kit/testing";
import { logMediaCheck } from "../../cloudfunctions/messagePush/src/handlers/notifications";

const verdict = (suggest: string) => ({
  ToUserName: "wx3d289323f5900f8e",
  MsgType: "event",
  Event: "wxa_media_check",
  appid: "wx3d289323f5900f8e",
  trace_id: `trace-${suggest}`,
  version: 2,
  detail: [],
  result: { suggest, label: 100 },
});

test.each([
  ["risky", "warn"],
  ["review", "warn"],
  ["pass", "info"],
])("a %s verdict is logged at %s, with its trace_id, and answered with nothing", async (suggest, level) => {
  const { sends, logs } = await runHandler(logMediaCheck, verdict(suggest));
  expect(sends).toEqual([]);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(new RegExp(`^${level} .*media check: ${suggest}`));
  expect(logs[0]).toContain(`"trace_id":"trace-${suggest}"`);
});
