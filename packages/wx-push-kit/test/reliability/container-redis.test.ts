// The 云托管 (WeChat Cloud Run) door: `wx-push serve` with WX_PUSH_DOOR=container, as the Dockerfile runs it
// (the image itself is not built here: no container runtime on this machine, see the README). WeChat's path
// check gets 200; a push marked by x-wx-source is answered through the 开放接口服务 (no token); one without the
// header is refused; two containers sharing a real redis-server answer a push delivered four times once.
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import type { Serving } from "../helpers/kit-cli";
import { startServing } from "../helpers/kit-cli";
import type { RedisUnderTest } from "../helpers/redis-server";
import { redisAvailable, startRedis } from "../helpers/redis-server";
import { statefulProject } from "../helpers/stateful-project";

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis("the container door, two containers sharing Redis", () => {
  let redis: RedisUnderTest | undefined;
  let api: FakeWechatApi | undefined;
  let containers: Serving[] = [];
  let root = "";
  const server = (index: number): Serving => {
    const found = containers[index];
    if (found === undefined) throw new Error("the containers did not start");
    return found;
  };

  const container = (env: Record<string, string> = {}) =>
    startServing([], {
      cwd: root,
      env: {
        PATH: process.env["PATH"],
        WX_PUSH_ROOT: root,
        WX_PUSH_DOOR: "container",
        PORT: "0",
        WECHAT_API_BASE: api?.base ?? "",
        PUSH_DEDUPE_STORE: "redis",
        REDIS_URL: redis?.url ?? "",
        TEST_NO_QUOTA: "1",
        ...env,
      },
    });

  beforeAll(async () => {
    ({ root } = statefulProject("container"));
    [redis, api] = await Promise.all([startRedis(), startFakeWechatApi(undefined, { openApiService: true })]);
    containers = await Promise.all([container({ HOST: "127.0.0.1" }), container({ HOST: "127.0.0.1" })]);
  }, 90_000);

  afterAll(async () => {
    // Whatever started is stopped, even when a start failed: nothing may keep jest waiting.
    await Promise.all([...containers.map((one) => one.stop()), api?.close()]);
    await redis?.stop();
  });

  const post = (
    server: Serving,
    body: unknown,
    headers: Record<string, string> = { "x-wx-source": "wx-push" },
  ) =>
    fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, text: await response.text() }));
  const requests = () => api?.requests ?? [];
  const sends = (from: number) =>
    requests()
      .slice(from)
      .filter((request) => request.path === "/cgi-bin/message/custom/send");
  const push = (MsgId: string, Content = "你好") => ({
    ToUserName: "gh_97417a04a28d",
    FromUserName: "o-container-user",
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: "text",
    Content,
    MsgId,
  });

  test("the startup line says what it is: the container door, 开放接口服务 replies, Redis", async () => {
    const a = server(0);
    for (let waited = 0; !a.output().includes("去重 dedupe") && waited < 5_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.output()).toContain("云托管 container (x-wx-source)");
    expect(a.output()).toContain("开放接口服务 open API service (no token)");
    expect(a.output()).toContain("去重 dedupe: redis");
  });

  test("WeChat's path check (CheckContainerPath) gets 200; a GET is the health check", async () => {
    await expect(post(server(0), { action: "CheckContainerPath" })).resolves.toEqual({
      status: 200,
      text: "success",
    });
    const health = await fetch(server(0).url);
    expect(health.status).toBe(200);
  });

  test("a push with x-wx-source is answered through the 开放接口服务, without a token", async () => {
    const from = requests().length;
    await expect(post(server(0), push("7800000001"))).resolves.toEqual({ status: 200, text: "success" });
    const sent = sends(from);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.query).toEqual({});
    expect(sent[0]?.body).toMatchObject({ touser: "o-container-user", msgtype: "text" });
  });

  test("the same push without x-wx-source is refused, and nothing is sent", async () => {
    const from = requests().length;
    await expect(post(server(1), push("7800000002"), {})).resolves.toEqual({
      status: 401,
      text: "unauthorized",
    });
    expect(sends(from)).toHaveLength(0);
  });

  test("a push delivered four times, to both containers: answered once", async () => {
    const from = requests().length;
    const event = push("7800000003");
    const answers = await Promise.all([
      post(server(0), event),
      post(server(1), event),
      post(server(0), event),
      post(server(1), event),
    ]);
    expect(answers.map(({ status }) => status)).toEqual([200, 200, 200, 200]);
    expect(sends(from)).toHaveLength(1);
  });

  test("XML, or a body that is not JSON at all, is refused", async () => {
    const xml = await fetch(server(0).url, {
      method: "POST",
      headers: { "content-type": "text/xml", "x-wx-source": "wx-push" },
      body: "<xml><MsgType>text</MsgType></xml>",
    });
    expect(xml.status).toBe(400);
  });
});

test("in a container it listens on every interface of the container (0.0.0.0) unless HOST says otherwise", async () => {
  const { root } = statefulProject("container-host");
  const serving = await startServing([], {
    cwd: root,
    env: { PATH: process.env["PATH"], WX_PUSH_ROOT: root, WX_PUSH_DOOR: "container", PORT: "0" },
  });
  try {
    expect(serving.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
  } finally {
    await serving.stop();
  }
}, 60_000);
