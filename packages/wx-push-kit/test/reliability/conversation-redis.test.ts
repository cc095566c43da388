// Sessions, the quota ledger and the hand-over at the developer-server door: two `wx-push serve` processes
// (the kit's stateful test bot) sharing a real redis-server, their replies sent over real HTTP to a stand-in
// for api.weixin.qq.com. What a user's next push finds comes only from Redis.
import { buildPushRequest } from "../../src/local/push-request";
import { CLOSED_REPLY } from "../fixtures/stateful-bot/bot";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import { send } from "../helpers/http-client";
import type { Serving } from "../helpers/kit-cli";
import { textPush } from "../helpers/pushes";
import type { RedisUnderTest } from "../helpers/redis-server";
import { redisAvailable, startRedis } from "../helpers/redis-server";
import { serveWithRedis, statefulProject } from "../helpers/stateful-project";

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis("two servers sharing Redis", () => {
  let redis: RedisUnderTest;
  let api: FakeWechatApi;
  let root = "";
  const servers: Serving[] = [];
  let a: Serving;
  let b: Serving;

  const serve = async (env: Record<string, string> = {}) => {
    const serving = await serveWithRedis(root, { redisUrl: redis.url, apiBase: api.base }, env);
    servers.push(serving);
    return serving;
  };

  beforeAll(async () => {
    ({ root } = statefulProject("redis-state"));
    [redis, api] = await Promise.all([startRedis(), startFakeWechatApi()]);
    [a, b] = await Promise.all([serve(), serve()]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await api.close();
    await redis.stop();
  });

  /** The texts sent to `user` since `from` (requests to custom/send), in the order they arrived. */
  const sentTo = (user: string, from = 0) =>
    api.requests
      .slice(from)
      .filter((request) => request.path === "/cgi-bin/message/custom/send")
      .map((request) => request.body as { touser: string; text?: { content: string } })
      .filter((body) => body.touser === user)
      .map((body) => body.text?.content);

  let sequence = 0;
  const say = (
    server: Serving,
    from: string,
    content: string,
    msgId = String(7_200_000_000 + (sequence += 1)),
  ) => send(server.url, textPush({ from, content, msgId }));

  test("a three-step flow alternating between the servers reaches the right step", async () => {
    const user = "o-redis-steps";
    await say(a, user, "甲");
    await say(b, user, "乙");
    await say(a, user, "丙");
    expect(sentTo(user)).toEqual(["测试：第 1 步 甲", "测试：第 2 步 甲/乙", "测试：第 3 步 甲/乙/丙"]);
  }, 30_000);

  test("two messages of one user at once on the two servers: one reruns on the conflict, none lost", async () => {
    // Redis frozen while both pushes arrive: their claims and reads of the record queue up and are answered
    // together, so both handlers run on the same version and one write is refused. On a loaded machine a
    // push may reach Redis only after the thaw (no conflict then): a few rounds, none may lose an update.
    const conflicts = () =>
      (a.output() + b.output()).split("another push of this user was recorded first").length - 1;
    for (let round = 1; round <= 3 && conflicts() === 0; round += 1) {
      const user = `o-redis-concurrent-${round}`;
      redis.pause();
      const both = Promise.all([say(a, user, "甲"), say(b, user, "乙")]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      redis.resume();
      expect((await both).map((answer) => answer.status)).toEqual([200, 200]);
      const sent = sentTo(user).sort();
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(/^测试：第 1 步 (甲|乙)$/);
      expect(sent[1]).toMatch(/^测试：第 2 步 (甲\/乙|乙\/甲)$/);
    }
    expect(conflicts()).toBeGreaterThan(0);
  }, 40_000);

  test("a redelivery to the other server is answered once; the flow advances once", async () => {
    const user = "o-redis-retry";
    await say(a, user, "甲", "7299000000000000001");
    await say(b, user, "甲", "7299000000000000001");
    await say(b, user, "乙");
    expect(sentTo(user)).toEqual(["测试：第 1 步 甲", "测试：第 2 步 甲/乙"]);
  }, 30_000);

  test("the TTL expires a session", async () => {
    const short = await serve({ TEST_SESSION_TTL_MS: "1000" });
    const user = "o-redis-ttl";
    await say(short, user, "甲");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await say(short, user, "乙");
    expect(sentTo(user)).toEqual(["测试：第 1 步 甲", "测试：第 1 步 乙"]);
  }, 40_000);

  test("quota: the 6th send after a message is refused before the API; entering allows 2", async () => {
    const user = "o-redis-quota";
    await say(a, user, "连发 6");
    expect(sentTo(user)).toHaveLength(5);
    expect(a.output()).toContain("over budget (message)");
    const from = api.requests.length;
    const entering = buildPushRequest({
      message: {
        ToUserName: "gh_97417a04a28d",
        FromUserName: user,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: "event",
        Event: "user_enter_tempsession",
        SessionFrom: "",
      },
      mode: "plaintext",
      format: "json",
      settings: { token: "AAAAA" },
    });
    await send(b.url, entering);
    expect(sentTo(user, from)).toEqual(["测试：欢迎 1", "测试：欢迎 2"]);
  }, 30_000);

  test("hand-over: silence while handed over, 「人工」 again transfers, the resume word brings the bot back", async () => {
    const user = "o-redis-handover";
    expect((await say(a, user, "转人工")).body).toContain("transfer_customer_service");
    expect((await say(b, user, "有人吗")).body).toBe("success");
    expect((await say(a, user, "人工")).body).toContain("transfer_customer_service");
    await say(b, user, "回到机器人");
    expect(sentTo(user)).toEqual(["测试：第 1 步 回到机器人"]);
  }, 30_000);

  test("hand-over: after its window the bot answers; out of hours the transfer is the configured reply", async () => {
    const quick = await serve({ TEST_HANDOVER_WINDOW_MS: "1000" });
    const user = "o-redis-window";
    await say(quick, user, "人工");
    await say(quick, user, "在吗");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await say(quick, user, "在吗?");
    expect(sentTo(user)).toEqual(["测试：第 1 步 在吗?"]);

    const closed = await serve({ TEST_AGENTS_CLOSED: "1" });
    const answer = await say(closed, "o-redis-night", "人工");
    expect(answer.body).toBe("success");
    expect(sentTo("o-redis-night")).toEqual([CLOSED_REPLY]);
  }, 60_000);
});
