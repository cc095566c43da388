// The bot's own notification handlers: a content-safety verdict is logged at the level it deserves, with
// the trace_id that finds the upload again, and nothing is sent.
import { createBot } from "../../cloudfunctions/messagePush/src/bot";
import { createApp } from "../../cloudfunctions/messagePush/src/core/app";
import { createRecordingLog } from "../helpers/recording-log";
import { recordingPorts } from "../helpers/recording-ports";

const verdict = (suggest: string, n: number) => ({
  ToUserName: "wx3d289323f5900f8e",
  FromUserName: "ohl4L0Rnhq7vmmbT_DaNQa4ePaz0",
  CreateTime: 1714112500 + n,
  MsgType: "event",
  Event: "wxa_media_check",
  appid: "wx3d289323f5900f8e",
  trace_id: `trace-${suggest}`,
  version: 2,
  detail: [],
  errcode: 0,
  errmsg: "ok",
  result: { suggest, label: 100 },
});

test.each([
  ["risky", "warn", "内容安全：有风险 media check: risky"],
  ["review", "warn", "内容安全：需人工复审 media check: review"],
  ["pass", "info", "内容安全：通过 media check: pass"],
])(
  "a %s verdict is logged at %s, with its trace_id, and answered with nothing",
  async (suggest, level, line) => {
    const log = createRecordingLog();
    const { sent, ports } = recordingPorts();
    const app = createApp({ router: createBot(), log });
    await app.handle(verdict(suggest, line.length), ports);
    expect(sent).toEqual([]);
    expect(log.find("media check")).toEqual([
      { level, message: line, fields: { trace_id: `trace-${suggest}`, suggest, label: 100 } },
    ]);
  },
);
