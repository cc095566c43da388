// aiReply: one model call per push however often WeChat delivers it and whichever instance gets it; the
// answer labelled, plain, in order within the quota; the fallback when the model fails or is too slow.
import type { AiSession } from "../../src/ai/ai-reply";
import { aiReply, SEND_RESERVE_MS, TYPING_REFRESH_MS } from "../../src/ai/ai-reply";
import type { ChatMessage, Model } from "../../src/ai/model";
import type { DoorPorts } from "../../src/core/app";
import { createApp } from "../../src/core/app";
import type { Clock } from "../../src/core/clock";
import { createMemoryStore } from "../../src/core/memory-store";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { createMemoryStateStore } from "../../src/core/state";
import { createRecordingLog } from "../helpers/recording-log";

const FALLBACK = "测试：暂时无法回答";

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

/** A model the test answers by hand, counting its calls and keeping what each was asked. */
function manualModel() {
  const calls: { messages: readonly ChatMessage[]; signal: AbortSignal; answer: Deferred<string> }[] = [];
  const model: Model = (messages, { signal }) => {
    const answer = deferred<string>();
    calls.push({ messages, signal, answer });
    return answer.promise;
  };
  return { model, calls };
}

const text = (content: string, id = "9001") => ({
  ToUserName: "gh_test",
  FromUserName: "o-user",
  CreateTime: 1_700_000_000,
  MsgType: "text",
  Content: content,
  MsgId: id,
});

function doorPorts(sent: SendPayload[], extra: Partial<DoorPorts> = {}): DoorPorts {
  return {
    recipientOf: (message) => message.FromUserName,
    send: (payload) => Promise.resolve(void sent.push(payload)),
    ...extra,
  };
}

const until = async (condition: () => boolean) => {
  for (let waited = 0; !condition(); waited += 1) {
    if (waited > 500) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

/** Two instances of one bot sharing a dedupe store and a state store, as two servers share Redis. */
function twoInstances(router: () => ReturnType<typeof createRouter>, clock?: Clock) {
  const store = createMemoryStore(clock === undefined ? {} : { now: () => clock.now() });
  const state = createMemoryStateStore(clock === undefined ? undefined : () => clock.now());
  const log = createRecordingLog();
  const make = () =>
    createApp({ router: router(), store, state, log, ...(clock === undefined ? {} : { clock }) });
  return { a: make(), b: make(), log };
}

describe("exactly once", () => {
  test("deliveries during and after generation, on either instance: one model call, one labelled answer", async () => {
    const { model, calls } = manualModel();
    const { a, b } = twoInstances(() => createRouter().on("text", aiReply({ model, fallback: FALLBACK })));
    const sent: SendPayload[] = [];
    const first = a.handle(text("怎么退货？"), doorPorts(sent));
    await until(() => calls.length === 1);
    const during = await b.handle(text("怎么退货？"), doorPorts(sent));
    expect(during).toMatchObject({ status: "duplicate", state: "busy" });
    calls[0]?.answer.resolve("**七天内**可以退货。");
    await expect(first).resolves.toMatchObject({ status: "handled" });
    const after = await b.handle(text("怎么退货？"), doorPorts(sent));
    expect(after).toMatchObject({ status: "duplicate", state: "done" });
    expect(calls).toHaveLength(1);
    expect(sent).toEqual([
      {
        touser: "o-user",
        msgtype: "text",
        text: { content: "七天内可以退货。" },
        aimsgcontext: { is_ai_msg: 1 },
      },
    ]);
  });

  test("a failing model: one fallback reply (not labelled AI), and a redelivery calls it no more", async () => {
    const { model, calls } = manualModel();
    const { a, b, log } = twoInstances(() =>
      createRouter().on("text", aiReply({ model, fallback: FALLBACK })),
    );
    const sent: SendPayload[] = [];
    const first = a.handle(text("怎么退货？"), doorPorts(sent));
    await until(() => calls.length === 1);
    calls[0]?.answer.reject(new Error("model exploded"));
    await first;
    await b.handle(text("怎么退货？"), doorPorts(sent));
    expect(calls).toHaveLength(1);
    expect(sent).toEqual([{ touser: "o-user", msgtype: "text", text: { content: FALLBACK } }]);
    expect(log.find("fallback reply")[0]?.fields).toEqual({ error: "model exploded" });
  });

  test("an instance that died while generating: the next delivery gets the fallback, not a second call", async () => {
    let now = 1_000_000;
    const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
    const { model, calls } = manualModel();
    const { a, b } = twoInstances(
      () => createRouter().on("text", aiReply({ model, fallback: FALLBACK })),
      clock,
    );
    const sent: SendPayload[] = [];
    // Instance A is frozen mid-generation (its function hit its limit): its claim and its mark lapse.
    const frozen = a.handle(text("怎么退货？"), doorPorts(sent, { deadline: now + 5_000 }));
    await until(() => calls.length === 1);
    now += 60_000;
    await b.handle(text("怎么退货？"), doorPorts(sent, { deadline: now + 5_000 }));
    expect(calls).toHaveLength(1);
    expect(sent).toEqual([{ touser: "o-user", msgtype: "text", text: { content: FALLBACK } }]);
    // (The frozen instance never wakes in the cloud; here it is let go.)
    calls[0]?.answer.reject(new Error("frozen"));
    await frozen;
  });

  test("a rerun after a state conflict reuses the answer: the model is called once", async () => {
    const { model, calls } = manualModel();
    const state = createMemoryStateStore();
    let conflicts = 1;
    const conflicting = {
      read: (key: string) => state.read(key),
      write: (key: string, value: unknown, expected: number | undefined, ttl: number) =>
        key.startsWith("user:") && conflicts-- > 0
          ? state
              .write(key, { other: true }, expected, ttl)
              .then(() => state.write(key, value, expected, ttl))
          : state.write(key, value, expected, ttl),
    };
    const router = createRouter<AiSession>({ session: { initial: () => ({}) }, quota: false }).on(
      "text",
      aiReply({ model, fallback: FALLBACK }),
    );
    const sent: SendPayload[] = [];
    const handled = createApp({ router, state: conflicting }).handle(text("怎么退货？"), doorPorts(sent));
    await until(() => calls.length === 1);
    calls[0]?.answer.resolve("可以退货");
    await handled;
    expect(calls).toHaveLength(1);
    expect(sent.map((payload) => (payload.msgtype === "text" ? payload.text.content : ""))).toEqual([
      "可以退货",
    ]);
  });
});

describe("within the platform's rules", () => {
  test("the model gets the push's time less the send reserve; too slow, it is aborted and the fallback sent", async () => {
    const { model, calls } = manualModel();
    const router = createRouter().on("text", aiReply({ model, fallback: FALLBACK }));
    const sent: SendPayload[] = [];
    const started = Date.now();
    await createApp({ router }).handle(
      text("慢问题"),
      doorPorts(sent, { deadline: started + SEND_RESERVE_MS + 150 }),
    );
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(SEND_RESERVE_MS);
    expect(sent).toEqual([{ touser: "o-user", msgtype: "text", text: { content: FALLBACK } }]);
  });

  test("no time left: the model is not called at all", async () => {
    const { model, calls } = manualModel();
    const router = createRouter().on("text", aiReply({ model, fallback: FALLBACK }));
    const sent: SendPayload[] = [];
    await createApp({ router }).handle(text("问"), doorPorts(sent, { deadline: Date.now() + 500 }));
    expect(calls).toHaveLength(0);
    expect(sent).toHaveLength(1);
  });

  test("the typing indicator is on while the model works, renewed before it lapses", async () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const { model, calls } = manualModel();
      const typing: string[] = [];
      const router = createRouter().on("text", aiReply({ model, fallback: FALLBACK }));
      const sent: SendPayload[] = [];
      const handled = createApp({ router }).handle(
        text("问"),
        doorPorts(sent, { typing: (_user, command) => Promise.resolve(void typing.push(command)) }),
      );
      await jest.advanceTimersByTimeAsync(TYPING_REFRESH_MS * 2 + 500);
      calls[0]?.answer.resolve("好的");
      await handled;
      await jest.advanceTimersByTimeAsync(TYPING_REFRESH_MS * 2);
      expect(typing).toEqual(["Typing", "Typing", "Typing"]);
    } finally {
      jest.useRealTimers();
    }
  });

  test("a long answer: parts in order, each labelled, within the quota (the rest refused, not sent)", async () => {
    const paragraphs = Array.from(
      { length: 8 },
      (_, index) => `第${index + 1}段：${"很长的回答。".repeat(110)}`,
    );
    const model: Model = () => Promise.resolve(paragraphs.join("\n\n"));
    const router = createRouter<AiSession>({ session: { initial: () => ({}) } }).on(
      "text",
      aiReply({ model, fallback: FALLBACK, maxParts: 10 }),
    );
    const sent: SendPayload[] = [];
    await createApp({ router }).handle(text("详细说说"), doorPorts(sent));
    expect(sent).toHaveLength(5);
    expect(sent.every((payload) => payload.aimsgcontext?.is_ai_msg === 1)).toBe(true);
    const contents = sent.map((payload) => (payload.msgtype === "text" ? payload.text.content : ""));
    const firstParagraphs = contents.map((part) => /第(\d)段/.exec(part)?.[1]);
    expect(firstParagraphs).toEqual([...firstParagraphs].sort());
    expect(contents.join("\n\n")).toBe(paragraphs.join("\n\n").slice(0, contents.join("\n\n").length));
  });

  test("a user with a person is not answered by the model; 「人工」 still transfers in an AI bot", async () => {
    const { model, calls } = manualModel();
    const router = createRouter<AiSession>({ session: { initial: () => ({}) } })
      .hears("人工", ({ reply }) => reply.transfer())
      .on("text", aiReply({ model, fallback: FALLBACK }));
    const app = createApp({ router });
    const sent: SendPayload[] = [];
    const transferred = await app.handle(text("转人工", "1"), doorPorts(sent));
    expect(transferred).toMatchObject({ status: "handled", reply: { MsgType: "transfer_customer_service" } });
    await app.handle(text("还在吗", "2"), doorPorts(sent));
    expect(calls).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });
});

describe("the conversation", () => {
  test("history from the session, bounded by turns; the instructions first", async () => {
    const asked: (readonly ChatMessage[])[] = [];
    const model: Model = (messages) => {
      asked.push(messages);
      return Promise.resolve(`答${asked.length}`);
    };
    const router = createRouter<AiSession>({ session: { initial: () => ({}) }, quota: false }).on(
      "text",
      aiReply({ model, fallback: FALLBACK, instructions: "你是客服", historyTurns: 2 }),
    );
    const app = createApp({ router });
    for (let index = 1; index <= 4; index += 1)
      await app.handle(text(`问${index}`, String(index)), doorPorts([]));
    expect(asked[3]).toEqual([
      { role: "system", content: "你是客服" },
      { role: "user", content: "问2" },
      { role: "assistant", content: "答2" },
      { role: "user", content: "问3" },
      { role: "assistant", content: "答3" },
      { role: "user", content: "问4" },
    ]);
  });

  test("history bounded by characters too; the question can be taken from the text", async () => {
    const asked: (readonly ChatMessage[])[] = [];
    const model: Model = (messages) => {
      asked.push(messages);
      return Promise.resolve("好".repeat(30));
    };
    const router = createRouter<AiSession>({ session: { initial: () => ({}) }, quota: false }).on(
      "text",
      aiReply({
        model,
        fallback: FALLBACK,
        historyChars: 40,
        question: (message) => message.Content.replace(/^问：/, ""),
      }),
    );
    const app = createApp({ router });
    await app.handle(text("问：一", "1"), doorPorts([]));
    await app.handle(text("问：二", "2"), doorPorts([]));
    await app.handle(text("问：三", "3"), doorPorts([]));
    expect(asked[1]?.map((message) => message.content)).toEqual(["一", "好".repeat(30), "二"]);
    expect(asked[2]?.map((message) => message.content)).toEqual(["二", "好".repeat(30), "三"]);
  });
});
