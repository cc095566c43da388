// PUSH_DEDUPE_FAIL=closed against a Redis that stalls longer than the store waits (a real redis-server,
// frozen with SIGSTOP): the claim times out, the push is refused with 503 so WeChat delivers it again, and
// the SET that lands when Redis wakes is released, so the redelivery is answered, once.
import { createApp } from "../../src/core/app";
import { silentLog } from "../../src/core/log";
import type { SendPayload } from "../../src/core/reply";
import { createHttpHandler } from "../../src/http/handle";
import { loadHttpConfig } from "../../src/http/config";
import { createPushServer } from "../../src/server/node-server";
import { close, listen, send } from "../helpers/http-client";
import { redisAvailable, useRedisStores } from "../helpers/redis-server";
import { replyingBot, textPush } from "../helpers/pushes";

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis("a Redis stall under the closed policy", () => {
  const redis = useRedisStores({ timeoutMs: 1000 });

  test("the stalled delivery gets 503; the redelivery after the stall is answered exactly once", async () => {
    const sent: SendPayload[] = [];
    const app = createApp({
      router: replyingBot(),
      store: redis.store(),
      dedupeFailure: "closed",
      log: silentLog,
    });
    const server = createPushServer(
      createHttpHandler({
        app,
        config: loadHttpConfig({ WECHAT_TOKEN: "AAAAA" }),
        log: silentLog,
        send: (payload) => Promise.resolve(void sent.push(payload)),
      }),
      silentLog,
    );
    const base = await listen(server);
    const request = textPush({ from: "o-stall", msgId: "9300000000000000001" });
    try {
      await send(base, request); // connects the store's client before the stall
      sent.length = 0;
      const fresh = { ...request, body: request.body.replace("9300000000000000001", "9300000000000000002") };
      redis.server().pause();
      const stalled = send(base, fresh);
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      expect(await stalled).toEqual({ status: 503, body: "retry" });
      redis.server().resume();
      await new Promise((resolve) => setTimeout(resolve, 300)); // the late SET lands, and is released
      expect(await send(base, fresh)).toEqual({ status: 200, body: "success" });
      expect(await send(base, fresh)).toEqual({ status: 200, body: "success" });
      expect(sent).toEqual([{ touser: "o-stall", msgtype: "text", text: { content: "reply" } }]);
    } finally {
      redis.server().resume();
      await close(server);
    }
  }, 20_000);
});
