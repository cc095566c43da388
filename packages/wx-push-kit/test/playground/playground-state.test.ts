// The playground's state panel and clock, as a person uses them with a bot that keeps state (the kit's
// stateful test bot, `wx-push playground` in a child process): the session, the quota left and the hand-over
// change as the chat goes on, and moving the clock on makes the 30-minute and 1-minute rules happen.
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { startKit } from "../helpers/kit-cli";
import { RECORDED_ANSWER, statefulProject } from "../helpers/stateful-project";

interface StateAnswer {
  offsetMs: number;
  keepsState: boolean;
  user: {
    session?: { step: number; answers: string[] };
    quota: { window: string; left: number };
    handover: { active: boolean };
  };
}

let child: ChildProcessWithoutNullStreams;
let base = "";

beforeAll(async () => {
  const { root } = statefulProject("playground-state");
  child = startKit(["playground"], { cwd: root, env: { ...process.env, WX_PUSH_ROOT: root, PORT: "0" } });
  let output = "";
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`playground did not start:\n${output}`)), 60_000);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /playground on (http:\/\/\S+?)(?:（|\s)/.exec(output);
      if (found?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(found[1]);
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
  });
}, 90_000);

afterAll(() => void child.kill("SIGTERM"));

const post = async (path: string, body: object) => {
  const response = await fetch(new URL(path, base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
};
const say = async (content: string, kind = "text") => {
  const { body } = await post("/api/message", {
    kind,
    content,
    mode: "secure",
    format: "json",
    door: "http",
    scenario: "normal",
  });
  const { deliveries, state } = body as {
    deliveries: { sends: { text?: { content: string } }[] }[];
    state: StateAnswer;
  };
  return { sent: deliveries.flatMap((d) => d.sends.map((send) => send.text?.content)), state };
};
const advance = async (advanceMs: number) => (await post("/api/clock", { advanceMs })).body as StateAnswer;

test("the panel follows the session, the quota and the hand-over; the clock makes the windows pass", async () => {
  const first = await say("你好");
  expect(first.sent).toEqual(["测试：第 1 步 你好"]);
  expect(first.state).toMatchObject({
    keepsState: true,
    user: {
      session: { step: 1, answers: ["你好"] },
      quota: { window: "message", left: 4 },
      handover: { active: false },
    },
  });

  expect((await say("人工")).state.user.handover.active).toBe(true);
  const waiting = await say("在吗");
  expect(waiting.sent).toEqual([]);
  // 31 minutes later the hand-over is over and the bot answers again.
  expect((await advance(31 * 60 * 1000)).user.handover.active).toBe(false);
  expect((await say("回来了")).sent).toEqual(["测试：第 2 步 你好/回来了"]);

  // Entering the chat allows 2 in a minute: the bot's third greeting is refused; a minute later none is left.
  const entered = await say("", "enter");
  expect(entered.sent).toEqual(["测试：欢迎 1", "测试：欢迎 2"]);
  expect(entered.state.user.quota).toMatchObject({ window: "enter", left: 0 });
  const later = await advance(48 * 60 * 60 * 1000);
  expect(later.offsetMs).toBe(31 * 60 * 1000 + 48 * 60 * 60 * 1000);
  // 48 hours on, the session (24 hours) is forgotten.
  expect(later.user.session).toBeUndefined();
}, 60_000);

test("the clock moves forward only, a week at most, from this machine's pages only", async () => {
  expect((await post("/api/clock", { advanceMs: -1 })).status).toBe(400);
  expect((await post("/api/clock", { advanceMs: 8 * 24 * 60 * 60 * 1000 })).status).toBe(400);
  const foreign = await fetch(new URL("/api/clock", base), {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://evil.example" },
    body: JSON.stringify({ advanceMs: 1 }),
  });
  expect(foreign.status).toBe(403);
});

test.each(["http", "cloud"])(
  "an AI answer on the %s door: the model's request and stream shown once, the labelled answer sent once",
  async (door) => {
    const { body } = await post("/api/message", {
      kind: "text",
      content: `问 怎么退货？(${door})`,
      mode: "secure",
      format: "json",
      door,
      scenario: "retry3",
    });
    const { deliveries } = body as {
      deliveries: {
        model: { request: { question: string; messages: { role: string }[] }; streamed: string[] }[];
        sends: { text?: { content: string }; aimsgcontext?: { is_ai_msg: number } }[];
      }[];
    };
    expect(deliveries.map((d) => d.model.length)).toEqual([1, 0, 0]);
    const [call] = deliveries[0]?.model ?? [];
    expect(call?.request.question).toBe(`怎么退货？(${door})`);
    expect(call?.request.messages[0]?.role).toBe("system");
    expect(call?.streamed.join("")).toBe(RECORDED_ANSWER);
    expect(deliveries.flatMap((d) => d.sends)).toEqual([
      expect.objectContaining({
        text: { content: "退货：收到商品 7 天内可以申请。" },
        aimsgcontext: { is_ai_msg: 1 },
      }),
    ]);
  },
  30_000,
);
