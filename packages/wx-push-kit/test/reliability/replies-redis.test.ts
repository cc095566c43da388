// Pictures, incoming images and long answers at the developer-server door: two `wx-push serve` processes (the
// kit's stateful test bot) sharing a real redis-server, talking real HTTP to a stand-in for api.weixin.qq.com
// that takes multipart uploads (cgi-bin/media/upload) and hands pictures back (cgi-bin/media/get).
import { createHash } from "node:crypto";
import { BLUE_PNG, RED_PNG } from "../fixtures/stateful-bot/bot";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import { send } from "../helpers/http-client";
import type { Serving } from "../helpers/kit-cli";
import { buildPushRequest } from "../../src/local/push-request";
import { textPush } from "../helpers/pushes";
import type { RedisUnderTest } from "../helpers/redis-server";
import { redisAvailable, startRedis } from "../helpers/redis-server";
import { serveWithRedis, statefulProject } from "../helpers/stateful-project";

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describeWithRedis("pictures and long answers on two servers sharing Redis", () => {
  let redis: RedisUnderTest;
  let api: FakeWechatApi;
  let a: Serving;
  let b: Serving;

  beforeAll(async () => {
    const { root } = statefulProject("redis-replies");
    [redis, api] = await Promise.all([startRedis(), startFakeWechatApi()]);
    // Files named by the bot are read from the working directory: the function's folder here.
    const serve = () =>
      serveWithRedis(
        root,
        { redisUrl: redis.url, apiBase: api.base },
        { TEST_NO_QUOTA: "1" },
        `${root}/cloudfunctions/messagePush`,
      );
    [a, b] = await Promise.all([serve(), serve()]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await api.close();
    await redis.stop();
  });

  const since = (from: number) =>
    api.requests.slice(from).filter((request) => request.path.startsWith("/cgi-bin/m"));
  let sequence = 0;
  const say = (server: Serving, from: string, content: string) =>
    send(server.url, textPush({ from, content, msgId: String(7_400_000_000 + (sequence += 1)) }));

  test("bytes: one upload, one send naming its media_id; the same bytes on the other server upload nothing", async () => {
    const from = api.requests.length;
    await say(a, "o-https-picture", "图片");
    const [upload, message] = since(from);
    expect(upload).toMatchObject({
      path: "/cgi-bin/media/upload",
      query: { type: "image" },
      body: { media: { bytes: RED_PNG.length, sha256: sha256(RED_PNG) } },
    });
    const mediaId = [...api.media.keys()].at(-1);
    expect(message).toMatchObject({
      path: "/cgi-bin/message/custom/send",
      body: { touser: "o-https-picture", msgtype: "image", image: { media_id: mediaId } },
    });
    const again = api.requests.length;
    await say(b, "o-https-other", "图片");
    expect(since(again).map((request) => request.path)).toEqual(["/cgi-bin/message/custom/send"]);
  }, 30_000);

  test("a card's thumbnail from a file is uploaded once and named by the card", async () => {
    const from = api.requests.length;
    await say(a, "o-https-card", "卡片");
    const [upload, message] = since(from);
    expect(upload?.body).toEqual({ media: { bytes: BLUE_PNG.length, sha256: sha256(BLUE_PNG) } });
    expect(message?.body).toMatchObject({
      msgtype: "miniprogrampage",
      miniprogrampage: { title: "测试卡片", thumb_media_id: [...api.media.keys()].at(-1) },
    });
  }, 30_000);

  test("an incoming picture is fetched by its MediaId (media/get)", async () => {
    const mediaId = [...api.media.keys()][0] ?? "";
    const from = api.requests.length;
    const incoming = buildPushRequest({
      message: {
        ToUserName: "gh_97417a04a28d",
        FromUserName: "o-https-incoming",
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: "image",
        PicUrl: "https://example.invalid/p.png",
        MediaId: mediaId,
        MsgId: "7499000000000000001",
      },
      mode: "plaintext",
      format: "json",
      settings: { token: "AAAAA" },
    });
    await send(a.url, incoming);
    expect(since(from).map((request) => request.path)).toEqual([
      "/cgi-bin/media/get",
      "/cgi-bin/message/custom/send",
    ]);
    expect(since(from)[1]?.body).toMatchObject({
      text: { content: `测试：收到图片 ${RED_PNG.length} 字节 image/png` },
    });
  }, 30_000);

  test("a long answer goes out as ordered parts, each within the limit, labelled AI", async () => {
    const from = api.requests.length;
    await say(b, "o-https-long", "长文");
    const parts = since(from).map(
      (request) => request.body as { text: { content: string }; aimsgcontext?: unknown },
    );
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) {
      expect(Buffer.byteLength(part.text.content, "utf8")).toBeLessThanOrEqual(2000);
      expect(part.aimsgcontext).toEqual({ is_ai_msg: 1 });
    }
  }, 30_000);
});
