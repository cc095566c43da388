// Your bot as WeChat runs it, for your own tests: every recorded event replayed through the BUILT function
// (index.js, what DevTools uploads) and the real wx-server-sdk, its cloud calls sent over loopback to the
// CloudBase stand-in. Each event is a fresh delivery to a cold instance, as `npm run replay` does it.
import { parsePush, PushParseError } from "../core/parse";
import type { FakeCloudBase } from "../local/fake-cloudbase";
import { CLOUD_CONTEXT } from "../local/cloud-replay";
import type { ConversationFixture, EventFixture } from "./event-fixtures";
import {
  loadConversationFixtures,
  loadEventFixtures,
  mustStaySilent,
  recorded,
  senderOf,
} from "./event-fixtures";
import type { Runner } from "./function-runner";
import { startSdkRunner, startStandIn } from "./function-runner";

/** What one delivery did: what went to WeChat (each cloud call and its body) and what main() returned. */
export interface Replayed {
  returned: unknown;
  calls: { apiName: string; payload: unknown }[];
}

export interface Replay {
  /** Delivers `event` as a fresh push (a cold instance); the sender is its FromUserName. */
  deliver(fixture: EventFixture): Promise<Replayed>;
  /**
   * Delivers a conversation's pushes in order to one instance, cold for the first: what the bot remembers
   * of the user (its session, the quota, a hand-over) carries from step to step.
   */
  converse(fixture: ConversationFixture): Promise<Replayed[]>;
}

/**
 * Inside a test file: starts the stand-in and the function before the tests and stops them after. Each
 * delivery is checked against the rules every bot keeps: a fixture's name starts with the route it parses
 * to (`text.price.json`), and `malformed.*` / `unknown.*` pushes are never answered.
 */
export function useReplay(): Replay {
  let cloudbase: FakeCloudBase | undefined;
  let runner: Runner | undefined;
  beforeAll(async () => {
    ({ cloudbase } = await startStandIn());
    runner = await startSdkRunner(cloudbase);
  }, 30_000);
  afterAll(async () => {
    await runner?.stop();
    await cloudbase?.close();
  });
  return {
    deliver({ name, event }) {
      checkName(name, event);
      return deliverOne(name, event, true);
    },
    async converse({ name, steps }) {
      const replayed: Replayed[] = [];
      for (const [index, step] of steps.entries())
        replayed.push(await deliverOne(`${name} [${index + 1}]`, step, index === 0));
      return replayed;
    },
  };

  async function deliverOne(name: string, event: unknown, fresh: boolean): Promise<Replayed> {
    if (runner === undefined) throw new Error("useReplay(): deliver() runs inside a test");
    const { returned, threw, calls, logs } = await runner.run(
      event,
      senderOf(event) ?? "o-not-a-push",
      undefined,
      CLOUD_CONTEXT,
      fresh,
    );
    if (threw !== undefined) throw new Error(`${name}: main() threw ${threw}\n${logs.join("\n")}`);
    if (mustStaySilent(name) && calls.length > 0)
      throw new Error(
        `${name}: ${name.split(".")[0]} 推送不应回复，却发送了 ${calls.length} 条 (must not be answered)`,
      );
    return recorded(returned, calls) as Replayed;
  }
}

/** Every recorded conversation of the project (test/fixtures/conversations); none without the folder. */
export function conversationFixtures(folder?: string): ConversationFixture[] {
  return loadConversationFixtures(folder);
}

/** Every recorded event of the project (test/fixtures/events), read as the replay command reads it. */
export function eventFixtures(folder?: string): EventFixture[] {
  return loadEventFixtures(folder);
}

/** A fixture's name says what it is: the route it parses to, or malformed./unknown. */
function checkName(name: string, event: unknown): void {
  if (name.startsWith("malformed.")) {
    try {
      parsePush(event);
    } catch (error) {
      if (error instanceof PushParseError) return;
      throw error;
    }
    throw new Error(
      `${name}: 以 malformed. 开头，但它是合法的推送 (named malformed.*, yet it parses): rename it`,
    );
  }
  let route: string;
  try {
    route = parsePush(event).route;
  } catch (error) {
    throw new Error(
      `${name}: 推送格式不对 (${error instanceof Error ? error.message : String(error)})；` +
        `故意的话请改名为 malformed.${name} (a malformed push: if on purpose, name it malformed.${name})`,
      { cause: error },
    );
  }
  if (!name.startsWith(`${route}.`))
    throw new Error(
      `${name}: 事件文件名要以它的路由开头：这是 ${route}，请改名为 ${route}.${name} ` +
        `(a fixture's name starts with its route: this one is ${route}, so rename it ${route}.${name})`,
    );
}
