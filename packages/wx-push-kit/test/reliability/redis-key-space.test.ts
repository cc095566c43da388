// What the Redis store leaves in a real redis-server: keys namespaced per mini program (two apps sharing one
// Redis never deduplicate each other's pushes), and every key with an expiry (Redis never grows unbounded).
import { createClient } from "@redis/client";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { DONE_TTL_MS } from "../../src/core/dedupe";
import { buildPushRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { createServerFromEnv } from "../../src/server/create-server";
import { createRecordingLog } from "../helpers/recording-log";
import { close, listen, send } from "../helpers/http-client";
import { redisAvailable, useRedisStores } from "../helpers/redis-server";

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis("the Redis key space", () => {
  const redis = useRedisStores();

  async function serve(env: Record<string, string>, sent: SendPayload[]) {
    const push = createServerFromEnv(
      { WECHAT_TOKEN: "AAAAA", PUSH_DEDUPE_STORE: "redis", REDIS_URL: redis.server().url, ...env },
      {
        log: createRecordingLog(),
        router: createRouter().on("text", async ({ reply }) => void (await reply.text("reply"))),
        send: (payload) => Promise.resolve(void sent.push(payload)),
      },
    );
    return { push, base: await listen(push.server) };
  }
  const request = buildPushRequest({
    message: {
      ToUserName: "gh_x",
      FromUserName: "o-ns",
      CreateTime: 1714037059,
      MsgType: "text",
      Content: "hi",
      MsgId: "9700000000000000001",
    },
    mode: "plaintext",
    format: "json",
    settings: { token: "AAAAA" },
  });

  test("two mini programs on one Redis each answer their own push; keys are namespaced and all expire", async () => {
    const sent: SendPayload[] = [];
    const a = await serve({ WECHAT_APPID: DEMO_SETTINGS.appid }, sent);
    const b = await serve({ WECHAT_APPID: "wx1234567890abcdef" }, sent);
    const c = await serve({ REDIS_KEY_PREFIX: "team-c:" }, sent);
    const client = createClient({ url: redis.server().url });
    await client.connect();
    try {
      for (const { base } of [a, b, c])
        expect(await send(base, request)).toEqual({ status: 200, body: "success" });
      expect(sent).toHaveLength(3);
      const keys = (await client.keys("*")).sort();
      expect(keys).toEqual(
        [
          `message-push:${DEMO_SETTINGS.appid}:dedupe:msg:9700000000000000001`,
          "message-push:wx1234567890abcdef:dedupe:msg:9700000000000000001",
          "team-c:dedupe:msg:9700000000000000001",
        ].sort(),
      );
      for (const key of keys) {
        const ttl = await client.pTTL(key);
        expect(ttl).toBeGreaterThan(DONE_TTL_MS - 60_000);
        expect(ttl).toBeLessThanOrEqual(DONE_TTL_MS);
      }
    } finally {
      await client.close();
      for (const { push } of [a, b, c]) {
        await close(push.server);
        await push.close();
      }
    }
  });
});
