// A reply whose send hangs is POSTed once: the pipeline's send retry is the one owner of retries, and it
// never repeats a send that may have been delivered (a timeout). The HTTPS client under it repeats nothing.
// Real HTTP all the way: `npm run serve`'s wiring, the fake WeChat API on loopback.
import { createServerFromEnv } from "../../src/server/create-server";
import { createRecordingLog } from "../helpers/recording-log";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import { close, listen, send } from "../helpers/http-client";
import { replyingBot, textPush } from "../helpers/pushes";

const credentials = { appid: "wx1234567890abcdef", secret: "s3cr3t-app-secret" };
let api: FakeWechatApi;
beforeEach(async () => (api = await startFakeWechatApi(credentials)));
afterEach(() => api.close());

test("a push whose custom/send never answers: answered success within 5 s, and exactly one POST in 12 s", async () => {
  api.fail("/cgi-bin/message/custom/send", "hang", 10);
  const log = createRecordingLog();
  const push = createServerFromEnv(
    {
      WECHAT_TOKEN: "AAAAA",
      WECHAT_APPID: credentials.appid,
      WECHAT_APPSECRET: credentials.secret,
      WECHAT_API_BASE: api.base,
    },
    { log, router: replyingBot() },
  );
  const base = await listen(push.server);
  try {
    const request = textPush({ from: "o-hung", msgId: "8000000000000000001" });
    const started = Date.now();
    expect(await send(base, request)).toEqual({ status: 200, body: "success" });
    // WeChat gives up at 5 s: the answer must come before, whatever the send does.
    expect(Date.now() - started).toBeLessThan(5_000);
    // Longer than the server's work limit (9 s) and the client's own timeout (5 s) together.
    await new Promise((resolve) => setTimeout(resolve, 12_000 - (Date.now() - started)));
    expect(api.requests.filter((request) => request.path === "/cgi-bin/message/custom/send")).toHaveLength(1);
    expect(log.find("send outcome unknown")).toHaveLength(1);
  } finally {
    await close(push.server);
    await push.close();
  }
}, 20_000);
