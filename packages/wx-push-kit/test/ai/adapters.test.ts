// The model adapters against the loopback model stand-in, over real HTTP: what each sends (the conversation,
// a bearer key) and how it reads each protocol's stream; their failures are clear and never show the key.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cloudbaseAgent } from "../../src/ai/agent";
import { toPlainText } from "../../src/ai/markdown";
import type { ChatMessage, Model } from "../../src/ai/model";
import { answerOf, ModelError } from "../../src/ai/model";
import { openAiCompatible } from "../../src/ai/openai";
import { sseData } from "../../src/ai/sse";
import type { FakeModel } from "../../src/local/fake-model";
import { readRecordedAnswers, startFakeModel } from "../../src/local/fake-model";

const ANSWER = "## 退货\n\n**七天内**可以退货，详见 [帮助](https://example.com/help)。";
const KEY = "sk-test-secret-key-123";
let model: FakeModel;

beforeAll(async () => {
  model = await startFakeModel([{ question: "退货", answer: ANSWER }]);
});
afterAll(() => model.close());
beforeEach(() => {
  model.requests.length = 0;
  model.streamed.length = 0;
  model.behave({});
});

const noCloud = () => {
  throw new Error("no cloud here");
};
const conversation: ChatMessage[] = [
  { role: "system", content: "你是客服" },
  { role: "user", content: "你好" },
  { role: "assistant", content: "您好" },
  { role: "user", content: "怎么退货？" },
];
const ask = (adapter: Model, signal = new AbortController().signal) =>
  answerOf(adapter(conversation, { signal, cloud: noCloud }));

describe.each([
  [
    "an OpenAI-compatible endpoint",
    "openai",
    () => openAiCompatible({ baseUrl: `${model.url}/v1`, apiKey: KEY, model: "m" }),
  ],
  [
    "a CloudBase Agent (AG-UI)",
    "agent-ag-ui",
    () => cloudbaseAgent({ baseUrl: model.url, agentId: "ibot-test", apiKey: KEY }),
  ],
  [
    "a CloudBase Agent (ACP)",
    "agent-acp",
    () => cloudbaseAgent({ baseUrl: model.url, agentId: "ibot-test", apiKey: KEY, protocol: "acp" }),
  ],
] as const)("%s", (_name, protocol, adapter) => {
  test("streams the recorded answer, whole and in order", async () => {
    await expect(ask(adapter())).resolves.toBe(ANSWER);
    expect(model.requests).toEqual([
      expect.objectContaining({ protocol, question: "怎么退货？", authorized: true }),
    ]);
    expect(model.streamed[0]?.length).toBeGreaterThan(1);
    expect(model.streamed[0]?.join("")).toBe(ANSWER);
  });

  test("a refusal is a ModelError naming the status, never the key", async () => {
    model.behave({ failWith: 401 });
    const error = await ask(adapter()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).status).toBe(401);
    expect(String((error as Error).message)).not.toContain(KEY);
  });

  test("an abort stops the call", async () => {
    model.behave({ hang: true });
    const controller = new AbortController();
    const asked = ask(adapter(), controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(asked).rejects.toThrow();
  });
});

test("the OpenAI adapter sends the whole conversation and stream: true", async () => {
  await ask(openAiCompatible({ baseUrl: `${model.url}/v1/`, apiKey: KEY, model: "m" }));
  expect(model.requests[0]?.messages).toEqual(conversation);
});

test("the Agent over AG-UI gets the conversation; over ACP the last question", async () => {
  await ask(cloudbaseAgent({ baseUrl: model.url, agentId: "a", apiKey: KEY }));
  await ask(cloudbaseAgent({ baseUrl: model.url, agentId: "a", apiKey: KEY, protocol: "acp" }));
  expect(model.requests.map((request) => request.messages.length)).toEqual([4, 1]);
});

test("settings come from the environment at call time, and a missing one is named", async () => {
  const saved = { ...process.env };
  try {
    process.env["AI_BASE_URL"] = `${model.url}/v1`;
    process.env["AI_API_KEY"] = KEY;
    process.env["AI_MODEL"] = "m";
    const adapter = openAiCompatible();
    await expect(ask(adapter)).resolves.toBe(ANSWER);
    delete process.env["AI_API_KEY"];
    await expect(ask(adapter)).rejects.toThrow(/AI_API_KEY/);
  } finally {
    process.env = saved;
  }
});

test("a question with no recorded answer is refused by the stand-in (the bot's fallback follows)", async () => {
  const adapter = openAiCompatible({ baseUrl: `${model.url}/v1`, apiKey: KEY, model: "m" });
  const error = await answerOf(
    adapter([{ role: "user", content: "天气" }], { signal: new AbortController().signal, cloud: noCloud }),
  ).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(ModelError);
  expect((error as ModelError).status).toBe(404);
});

describe("sseData", () => {
  const streamOf = (...chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
  const all = async (body: ReadableStream<Uint8Array>) => {
    const events: string[] = [];
    for await (const data of sseData(body)) events.push(data);
    return events;
  };

  test("events split anywhere across chunks, CRLF or LF, multi-line data, comments ignored", async () => {
    await expect(
      all(streamOf('data: {"a"', ":1}\r\n\r\n: keep-alive\n\nda", "ta: one\ndata: two\n\ndata: [DONE]\n\n")),
    ).resolves.toEqual(['{"a":1}', "one\ntwo", "[DONE]"]);
  });

  test("a multi-byte character split between chunks arrives whole; a last event without a blank line counts", async () => {
    const bytes = new TextEncoder().encode("data: 退货\n\ndata: end");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 8));
        controller.enqueue(bytes.slice(8));
        controller.close();
      },
    });
    await expect(all(body)).resolves.toEqual(["退货", "end"]);
  });
});

describe("toPlainText", () => {
  test("Markdown becomes text WeChat shows well", () => {
    expect(toPlainText(ANSWER)).toBe("退货\n\n七天内可以退货，详见 帮助（https://example.com/help）。");
    expect(
      toPlainText("# 标题\n\n- 一\n- 二\n\n> 引用\n\n`code` and *em* ~~del~~\n\n---\n\n```js\nx = 1\n```"),
    ).toBe("标题\n\n• 一\n• 二\n\n引用\n\ncode and em del\n\nx = 1");
    expect(toPlainText("| 名称 | 价格 |\n|---|---|\n| 苹果 | 3 |")).toBe("名称  价格\n\n苹果  3");
  });

  test("plain text and arithmetic stay as they are", () => {
    expect(toPlainText("2 * 3 * 4 = 24，收到")).toBe("2 * 3 * 4 = 24，收到");
    expect(toPlainText("https://example.com/a_b_c")).toBe("https://example.com/a_b_c");
  });
});

test("recorded answers: a missing file is none, a malformed one is named", () => {
  expect(readRecordedAnswers("/nonexistent/answers.json")).toEqual([]);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "answers-"));
  const file = path.join(folder, "answers.json");
  fs.writeFileSync(file, JSON.stringify({ answers: [{ question: "", answer: 3 }] }));
  expect(() => readRecordedAnswers(file)).toThrow(/recorded answers are malformed .*answers\.0\.question/);
});
