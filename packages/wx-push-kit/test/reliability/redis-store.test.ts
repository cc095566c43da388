// The Redis store against a real redis-server on a loopback port: the store contract with real expiry, the
// atomic lease checks, an outage (the server killed) under the app's fail-open policy, and two `npm run
// serve` processes sharing one Redis.
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createApp } from "../../src/core/app";
import { silentLog } from "../../src/core/log";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { buildPushRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import { send } from "../helpers/http-client";
import type { RedisUnderTest } from "../helpers/redis-server";
import { redisAvailable, startRedis, useRedisStores } from "../helpers/redis-server";
import { startKit } from "../helpers/kit-cli";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis("Redis dedupe store (real redis-server)", () => {
  const redisStores = useRedisStores();
  const store = (prefix?: string) => redisStores.store(prefix === undefined ? {} : { prefix });

  test("the first claim wins; later ones see busy, then done with the passive reply", async () => {
    const s = store();
    const first = await s.claim("msg:1", 10_000);
    if (first.status !== "claimed") throw new Error("expected a claim");
    expect(await s.claim("msg:1", 10_000)).toEqual({ status: "busy" });
    const reply = {
      MsgType: "transfer_customer_service",
      ToUserName: "o",
      FromUserName: "gh",
      CreateTime: 1,
    } as const;
    await s.complete("msg:1", first.lease, reply);
    expect(await s.claim("msg:1", 10_000)).toEqual({ status: "done", reply });
  });

  test("of many concurrent claims through two clients exactly one is granted", async () => {
    const a = store("shared:");
    const b = store("shared:");
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).claim("msg:race", 10_000)),
    );
    expect(claims.filter((c) => c.status === "claimed")).toHaveLength(1);
  });

  test("a lapsed claim is taken over, and its old holder can no longer settle it", async () => {
    const s = store();
    const stale = await s.claim("msg:lapse", 150);
    if (stale.status !== "claimed") throw new Error("expected a claim");
    await sleep(250);
    const fresh = await s.claim("msg:lapse", 10_000);
    expect(fresh.status).toBe("claimed");
    await s.release("msg:lapse", stale.lease);
    await s.complete("msg:lapse", stale.lease);
    expect(await s.claim("msg:lapse", 10_000)).toEqual({ status: "busy" });
  });

  test("a released claim can be claimed again", async () => {
    const s = store();
    const first = await s.claim("msg:rel", 10_000);
    if (first.status !== "claimed") throw new Error("expected a claim");
    await s.release("msg:rel", first.lease);
    expect((await s.claim("msg:rel", 10_000)).status).toBe("claimed");
  });

  test("while Redis is down the store rejects fast, the app still answers once, and it recovers", async () => {
    const sent: SendPayload[] = [];
    const app = createApp({
      router: createRouter().on("text", async ({ reply }) => void (await reply.text("收到"))),
      store: store(),
      log: silentLog,
    });
    const ports = {
      recipientOf: () => "o-outage",
      send: (p: SendPayload) => Promise.resolve(void sent.push(p)),
    };
    const push = (id: string) => ({
      ToUserName: "gh",
      FromUserName: "o",
      CreateTime: 1,
      MsgType: "text",
      Content: "x",
      MsgId: id,
    });
    expect(await app.handle(push("before"), ports)).toMatchObject({ status: "handled" });
    await redisStores.server().stop();
    try {
      expect(await app.handle(push("during"), ports)).toMatchObject({ status: "handled" });
      expect(await app.handle(push("during"), ports)).toMatchObject({ status: "duplicate" });
    } finally {
      await redisStores.server().start();
    }
    await sleep(300); // the client reconnects on its own
    expect(await app.handle(push("before"), ports)).toMatchObject({ status: "duplicate" });
    expect(sent).toHaveLength(2);
  }, 20_000);
});

describeWithRedis("two `npm run serve` processes sharing one Redis", () => {
  let redis: RedisUnderTest;
  let wechat: FakeWechatApi;
  const servers: { proc: ChildProcessWithoutNullStreams; url: string }[] = [];

  const serve = (): Promise<{ proc: ChildProcessWithoutNullStreams; url: string }> =>
    new Promise((resolve, reject) => {
      const proc = startKit(["serve"], {
        env: {
          ...process.env,
          PORT: "0",
          WECHAT_TOKEN: DEMO_SETTINGS.token,
          WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
          WECHAT_APPID: DEMO_SETTINGS.appid,
          WECHAT_APPSECRET: "test-secret-value",
          WECHAT_API_BASE: wechat.base,
          PUSH_DEDUPE_STORE: "redis",
          REDIS_URL: redis.url,
        },
      });
      let output = "";
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        const found = /listening on (http:\/\/\S+)/.exec(output);
        if (found?.[1] !== undefined) {
          clearTimeout(timer);
          resolve({ proc, url: found[1] });
        }
      };
      proc.stdout.on("data", collect);
      proc.stderr.on("data", collect);
    });

  beforeAll(async () => {
    redis = await startRedis();
    wechat = await startFakeWechatApi({ appid: DEMO_SETTINGS.appid, secret: "test-secret-value" });
    servers.push(...(await Promise.all([serve(), serve()])));
  }, 60_000);
  afterAll(async () => {
    for (const { proc } of servers) proc.kill("SIGTERM");
    await wechat.close();
    await redis.stop();
  });

  test("the same push delivered 4× concurrently across both instances gets one reply", async () => {
    const built = buildPushRequest({
      message: {
        ToUserName: "gh_x",
        FromUserName: "o-shared",
        CreateTime: 1714112445,
        MsgType: "text",
        Content: "你好",
        MsgId: "6054768590064713728",
      },
      mode: "secure",
      format: "json",
      settings: DEMO_SETTINGS,
    });
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => send((servers[i % 2] as { url: string }).url, built)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    await sleep(300);
    const replies = wechat.requests.filter((r) => r.path === "/cgi-bin/message/custom/send");
    expect(replies.map((r) => r.body)).toEqual([
      { touser: "o-shared", msgtype: "text", text: { content: ACKNOWLEDGEMENT } },
    ]);
  }, 30_000);
});
