// One handler tried on one message, in-process, with nothing sent anywhere: what it would send, the passive
// reply it returns, what it logs. For a unit test of a handler kept in its own file.
import type { Log } from "../core/log";
import { parsePush } from "../core/parse";
import type { PassiveReply } from "../core/passive";
import type { SendPayload } from "../core/reply";
import type { Handler } from "../core/router";
import { createRouter } from "../core/router";
import { startTurn } from "../core/conversation";
import type { MediaPort } from "../core/media";
import { createMediaAccess, createMediaResolver } from "../core/media";
import { createMemoryStateStore } from "../core/state";
import { systemClock } from "../core/clock";
import type { WxCloud } from "../cloud/sdk";

export interface HandlerRun {
  /** The customer-service messages the handler sent, as WeChat would receive them. */
  sends: SendPayload[];
  /** The passive reply it returned (e.g. the hand-over to a person), if any. */
  reply?: PassiveReply;
  /** What it logged, "level message" each. */
  logs: string[];
  /** The session as the handler left it (given one to start from). */
  session?: unknown;
}

export interface HandlerRunOptions {
  /** The user's session as the handler should find it (a bot with `session` in createRouter). */
  session?: unknown;
  /** What pictures become (uploads), and what `ctx.media.fetch` returns: a stand-in of the test's own. */
  media?: MediaPort;
  /** What `ctx.cloud()` returns: a stand-in of the test's own. */
  cloud?: () => WxCloud;
}

/**
 * Runs `handler` on `message` (the fields you give; ToUserName, FromUserName and CreateTime are filled in
 * when missing). A handler that throws makes this reject with what it threw.
 */
export async function runHandler(
  // Any route's handler: `Handler<"text">`, `Handler<"event.user_enter_tempsession">`…
  handler: (ctx: never) => unknown,
  message: Readonly<Record<string, unknown>>,
  options: HandlerRunOptions = {},
): Promise<HandlerRun> {
  const inbound = parsePush({
    ToUserName: "gh_test",
    FromUserName: "o-test-user",
    CreateTime: Math.floor(Date.now() / 1000),
    ...message,
  });
  const sends: SendPayload[] = [];
  const logs: string[] = [];
  const line = (level: string) => (text: string, fields?: Record<string, unknown>) =>
    void logs.push(`${level} ${text}${fields === undefined ? "" : ` ${JSON.stringify(fields)}`}`);
  const log: Log = { info: line("info"), warn: line("warn"), error: line("error") };
  const router = createRouter();
  const any = handler as unknown as Handler<"unknown">;
  if (inbound.route === "unknown") router.otherwise(any);
  else router.on(inbound.route, any as never);
  // With a session, the handler runs on a turn as in a bot that keeps state (no quota, no hand-over here).
  const given = options.session;
  const turn =
    "session" in options
      ? startTurn({
          inbound,
          openid: inbound.message.FromUserName,
          record: undefined,
          options: { session: { initial: () => structuredClone(given) }, quota: false, handover: false },
          now: Date.now(),
          onOverBudget: () => undefined,
        })
      : undefined;
  const outcome = await router.dispatch(inbound, {
    openid: inbound.message.FromUserName,
    send: (payload) => Promise.resolve(void sends.push(payload)),
    log,
    ...(turn === undefined ? {} : { turn }),
    ...(options.media === undefined
      ? {}
      : {
          media: {
            resolve: createMediaResolver({
              port: options.media,
              state: createMemoryStateStore(),
              clock: systemClock,
              log,
            }),
            access: createMediaAccess(options.media),
          },
        }),
    ...(options.cloud === undefined ? {} : { cloud: options.cloud }),
  });
  if (outcome.error !== undefined) throw outcome.error.cause;
  return {
    sends: turn === undefined ? sends : [...turn.outbox],
    logs,
    ...(outcome.reply === undefined ? {} : { reply: outcome.reply }),
    ...(turn === undefined ? {} : { session: turn.session }),
  };
}
