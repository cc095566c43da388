// AI replies at the cloud door, exactly once: the kit's stateful test bot answering through cloud.ai (混元 via
// CloudBase), BUILT (the lean build keeps the SDK's AI part for it), run by the REAL wx-server-sdk in two
// processes that share the CloudBase database stand-in; cloud.ai's gateway calls reach the model stand-in,
// which answers after 7 s, past WeChat's retry. Four deliveries of one push: one model call, one answer.
import fs from "node:fs";
import path from "node:path";
import type { FakeCloudBase } from "../../src/local/fake-cloudbase";
import type { Runner } from "../../src/testing/function-runner";
import { startSdkRunner, startStandIn } from "../../src/testing/function-runner";
import { AI_FALLBACK } from "../fixtures/stateful-bot/bot";
import { statefulProject } from "../helpers/stateful-project";

const ANSWER = "**退货**：七天内可以申请。\n\n1. 打开订单\n2. 点「退货」";
const SLOW_MS = 7_000;
/** The function's limit as the cloud hands it over (cloudbaserc.json's timeout): time for a slow model. */
const CONTEXT = { time_limit_in_ms: 20_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cloudbase: FakeCloudBase;
let a: Runner;
let b: Runner;
let entry = "";

beforeAll(async () => {
  ({ entry } = statefulProject("cloud-ai"));
  ({ cloudbase } = await startStandIn({ answers: [{ question: "退货", answer: ANSWER, delayMs: SLOW_MS }] }));
  const env = { FUNCTION_ENTRY: entry, PUSH_DEDUPE_STORE: "database", TEST_AI_MODEL: "cloud-ai" };
  [a, b] = await Promise.all([startSdkRunner(cloudbase, env), startSdkRunner(cloudbase, env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
  await cloudbase.close();
});

test("the lean build kept cloud.ai for this bot: its header says so", () => {
  expect(fs.readFileSync(path.join(path.dirname(entry), "index.js"), "utf8")).toContain("// sdk: lean+ai ");
});

const push = (Content: string, MsgId: string) => ({
  ToUserName: "gh_7f083739789a",
  FromUserName: "o-cloud-ai",
  CreateTime: Math.floor(Date.now() / 1000),
  MsgType: "text",
  MsgId,
  Content,
});
const sends = (from: number) =>
  cloudbase.calls.slice(from).filter((call) => call.apiName === "customerServiceMessage.send");

/** Invocations at 0 s (a), 1 s (b), 5 s (a) and once the first has answered (b): WeChat's retries. */
async function deliverFourTimes(event: ReturnType<typeof push>) {
  const fromCalls = cloudbase.calls.length;
  const fromModel = cloudbase.model.requests.length;
  const invoke = (runner: Runner) => runner.run(event, event.FromUserName, undefined, CONTEXT);
  const runs = [invoke(a)];
  await sleep(1_000);
  runs.push(invoke(b));
  await sleep(4_000);
  runs.push(invoke(a));
  for (let waited = 0; sends(fromCalls).length === 0 && waited < 12_000; waited += 100) await sleep(100);
  runs.push(invoke(b));
  const results = await Promise.all(runs);
  await sleep(500);
  return { results, sent: sends(fromCalls), modelCalls: cloudbase.model.requests.slice(fromModel) };
}

test("one model call through cloud.ai, one answer: plain, labelled AI, in order", async () => {
  const { results, sent, modelCalls } = await deliverFourTimes(push("问 怎么退货？", "7600000001"));
  expect(results.map((result) => result.threw)).toEqual([undefined, undefined, undefined, undefined]);
  expect(modelCalls).toHaveLength(1);
  expect(modelCalls[0]).toMatchObject({ protocol: "cloud-ai", question: "怎么退货？", authorized: true });
  expect(sent.map((call) => call.payload)).toEqual([
    {
      touser: "o-cloud-ai",
      msgtype: "text",
      text: { content: "退货：七天内可以申请。\n\n1. 打开订单\n2. 点「退货」" },
      aimsgcontext: { is_ai_msg: 1 },
    },
  ]);
}, 40_000);

test("the model failing after 7 s: one fallback reply, no second call", async () => {
  cloudbase.model.behave({ delayMs: SLOW_MS, failWith: 500 });
  try {
    const { sent, modelCalls } = await deliverFourTimes(push("问 还能退吗？", "7600000002"));
    expect(modelCalls).toHaveLength(1);
    expect(sent.map((call) => call.payload)).toEqual([
      { touser: "o-cloud-ai", msgtype: "text", text: { content: AI_FALLBACK } },
    ]);
  } finally {
    cloudbase.model.behave({});
  }
}, 40_000);

test("the function's limit bounds the model: with 3 s left, the fallback goes out in time", async () => {
  const from = cloudbase.calls.length;
  const started = Date.now();
  const { threw } = await a.run(push("问 退货慢吗？", "7600000003"), "o-cloud-ai", undefined, {
    time_limit_in_ms: 3_000,
  });
  expect(threw).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(3_000);
  expect(sends(from).map((call) => call.payload["text"])).toEqual([{ content: AI_FALLBACK }]);
}, 20_000);
