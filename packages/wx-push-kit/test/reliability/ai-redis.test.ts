// AI replies at the developer-server door, exactly once: two `wx-push serve` processes (the kit's stateful
// test bot, its model an OpenAI-compatible endpoint) sharing a real redis-server; the model stand-in answers
// after 7 s, past WeChat's 5-second retry. The push is delivered four times, to both servers, as WeChat's
// retries would: one model call, one labelled answer; with the model failing, one fallback and no second call.
import { AI_FALLBACK } from "../fixtures/stateful-bot/bot";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import type { Answer } from "../helpers/http-client";
import { send } from "../helpers/http-client";
import type { Serving } from "../helpers/kit-cli";
import { textPush } from "../helpers/pushes";
import type { RedisUnderTest } from "../helpers/redis-server";
import { redisAvailable, startRedis } from "../helpers/redis-server";
import { serveWithRedis, statefulProject } from "../helpers/stateful-project";
import type { FakeModel } from "../../src/local/fake-model";
import { modelEnvironment, startFakeModel } from "../../src/local/fake-model";

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const ANSWER = "## 退货说明\n\n**七天内**可以申请退货，详见 [帮助中心](https://example.com/help)。";
const SLOW_MS = 7_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis("AI replies on two servers sharing Redis, the model slower than WeChat's retry", () => {
  let redis: RedisUnderTest;
  let api: FakeWechatApi;
  let model: FakeModel;
  let a: Serving;
  let b: Serving;

  beforeAll(async () => {
    const { root } = statefulProject("redis-ai");
    [redis, api, model] = await Promise.all([
      startRedis(),
      startFakeWechatApi(),
      startFakeModel([{ question: "退货", answer: ANSWER, delayMs: SLOW_MS }]),
    ]);
    const serve = () =>
      serveWithRedis(root, { redisUrl: redis.url, apiBase: api.base }, modelEnvironment(model.url));
    [a, b] = await Promise.all([serve(), serve()]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all([api.close(), model.close()]);
    await redis.stop();
  });

  const sends = (from: number) =>
    api.requests.slice(from).filter((request) => request.path === "/cgi-bin/message/custom/send");

  /** One push, delivered at 0 s (a), 1 s (b), 5 s (a) and, once the first is answered, again (b). */
  async function deliverFourTimes(content: string, msgId: string) {
    const push = textPush({ from: "o-ai-user", content, msgId });
    const fromApi = api.requests.length;
    const fromModel = model.requests.length;
    const answers: Promise<Answer>[] = [send(a.url, push)];
    await sleep(1_000);
    answers.push(send(b.url, push));
    await sleep(4_000);
    answers.push(send(a.url, push));
    for (let waited = 0; sends(fromApi).length === 0 && waited < 10_000; waited += 100) await sleep(100);
    answers.push(send(b.url, push));
    const statuses = (await Promise.all(answers)).map((answer) => answer.status);
    // Give any stray second generation time to show itself before counting.
    await sleep(500);
    return { statuses, sent: sends(fromApi), modelCalls: model.requests.slice(fromModel) };
  }

  test("one model call, one answer: plain text, labelled AI, every delivery answered 200", async () => {
    const { statuses, sent, modelCalls } = await deliverFourTimes("问 怎么退货？", "7500000001");
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(modelCalls).toHaveLength(1);
    expect(modelCalls[0]).toMatchObject({ protocol: "openai", question: "怎么退货？", authorized: true });
    expect(modelCalls[0]?.messages[0]).toEqual({ role: "system", content: "测试：你是客服" });
    expect(sent.map((request) => request.body)).toEqual([
      {
        touser: "o-ai-user",
        msgtype: "text",
        text: { content: "退货说明\n\n七天内可以申请退货，详见 帮助中心（https://example.com/help）。" },
        aimsgcontext: { is_ai_msg: 1 },
      },
    ]);
  }, 40_000);

  test("the model failing after 7 s: one fallback reply, no second call", async () => {
    model.behave({ delayMs: SLOW_MS, failWith: 500 });
    try {
      const { sent, modelCalls } = await deliverFourTimes("问 还能退吗？", "7500000002");
      expect(modelCalls).toHaveLength(1);
      expect(sent.map((request) => request.body)).toEqual([
        { touser: "o-ai-user", msgtype: "text", text: { content: AI_FALLBACK } },
      ]);
    } finally {
      model.behave({});
    }
  }, 40_000);

  test("the next question gets the last answer as history, from the session in Redis", async () => {
    model.behave({ delayMs: 0 });
    const from = model.requests.length;
    await send(b.url, textPush({ from: "o-ai-user", content: "问 退货要多久？", msgId: "7500000003" }));
    for (let waited = 0; model.requests.length === from && waited < 10_000; waited += 50) await sleep(50);
    expect(model.requests[from]?.messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
  }, 40_000);
});
