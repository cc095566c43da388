import type { Store } from "./dedupe";
import { CLAIM_TTL_MS, dedupeKey } from "./dedupe";
import type { DedupeFailurePolicy } from "./local-first-store";
import { createLocalFirstStore, messageOf } from "./local-first-store";
import type { Log } from "./log";
import { silentLog } from "./log";
import { createMemoryStore } from "./memory-store";
import type { AnyMessage, Inbound } from "./message";
import { parsePush, PushParseError } from "./parse";
import { isMessageRoute } from "./routes";
import { isStateful } from "./conversation";
import type { StateStore } from "./state";
import { createMemoryStateStore } from "./state";
import { dispatchWithState } from "./stateful-dispatch";
import { createUserLanes } from "./user-lane";
import { onceFor } from "./once";
import type { Media, MediaPort } from "./media";
import type { WxCloud } from "../cloud/sdk";
import { createMediaAccess, createMediaResolver } from "./media";
import type { PassiveReply } from "./passive";
import type { Send, SetTyping } from "./reply";
import type { Outcome, Router } from "./router";
import type { Clock } from "./clock";
import { systemClock } from "./clock";
import type { RetryPolicy } from "./send-retry";
import { DEFAULT_RETRY, retryingCall, retryingSend, withinDeadline } from "./send-retry";
import { classifyFailure, describeFailure, errcodeOf } from "./send-errors";

export interface AppOptions {
  router: Router;
  /** Where claims live; shared by every instance in production. Default: this process's memory. */
  store?: Store;
  log?: Log;
  /** While the store fails: "open" (default) answers, deduplicating in memory; "closed" stays silent. */
  dedupeFailure?: DedupeFailurePolicy;
  /** In-process retries of transient send failures. */
  retry?: RetryPolicy;
  clock?: Clock;
  /**
   * Where per-user records live (sessions, the quota ledger, the hand-over), for a bot that keeps state:
   * the same store as the claims in production. Default: this process's memory.
   */
  state?: StateStore;
  /**
   * How long this instance remembers an answered push (default two minutes, WeChat's retries take ~15 s).
   * With a freshness window (PUSH_MAX_AGE_S) it must cover the window, or a replay inside it would answer again.
   */
  rememberMs?: number;
}

/** What a door hands the app with each push. */
export interface DoorPorts {
  send: Send;
  /** Who replies go to. The cloud door asks getWXContext(); a URL push names the sender in FromUserName. */
  recipientOf(message: AnyMessage): string;
  typing?: SetTyping;
  /** Absolute time (ms) by which this push's work must end; sends and retries never run past it. */
  deadline?: number;
  /** Uploads pictures, reads files, fetches incoming media: what the door can do with media. */
  media?: MediaPort;
  /** wx-server-sdk, for handlers (`ctx.cloud()`), where the door has it. */
  cloud?: () => WxCloud;
}

export type PushResult =
  /** The handler ran. `retry`: nothing was sent and the failure was transient, so the claim was released. */
  | { status: "handled"; inbound: Inbound; outcome: Outcome; retry: boolean; reply?: PassiveReply }
  /**
   * Another delivery of this push was answered ("done", with its passive reply) or is being answered
   * ("busy"). `retry`: busy under the closed policy, where a claim nobody holds any more must not end the
   * push: the door asks WeChat to deliver again.
   */
  | { status: "duplicate"; inbound: Inbound; state: "done" | "busy"; reply?: PassiveReply; retry: boolean }
  /** The dedupe store failed under the "closed" policy: not handled, so nothing can go out twice. */
  | { status: "store-unavailable"; inbound: Inbound; error: unknown }
  | { status: "malformed"; error: PushParseError };

export interface App {
  /** parse → claim → route → complete or release. Never throws: each outcome is logged once and returned. */
  handle(raw: unknown, ports: DoorPorts): Promise<PushResult>;
  readonly router: Router;
}

/**
 * A claim holds at least CLAIM_TTL_MS, and past the push's own deadline: a slow handler (a model that takes
 * 15 s in a function allowed 20 s) is never overtaken by a redelivery while it still works.
 */
export function claimTtl(deadline: number | undefined, now: number): number {
  return deadline === undefined ? CLAIM_TTL_MS : Math.max(CLAIM_TTL_MS, deadline - now + 1000);
}

/** One app per process: it owns the routes, the dedupe store and what this instance answered. */
export function createApp(options: AppOptions): App {
  const { router, log = silentLog, retry = DEFAULT_RETRY, clock = systemClock } = options;
  const now = () => clock.now();
  const state = options.state ?? createMemoryStateStore(now);
  const lane = createUserLanes();
  /** The door's media port under the push's deadline: uploads and fetches retried like sends, never past it. */
  const mediaTools = (port: MediaPort, deadline: number | undefined) => {
    const bounded: MediaPort = {
      upload: retryingCall((media: Media) => port.upload(media), retry, deadline, clock, true),
      read: (source) => withinDeadline(() => port.read(source), deadline, clock),
      fetch: retryingCall((mediaId: string) => port.fetch(mediaId), retry, deadline, clock, true),
    };
    return {
      resolve: createMediaResolver({ port: bounded, state, clock, log }),
      access: createMediaAccess(bounded),
    };
  };
  // This instance's memory first (what it answered, even when the shared store could not record it), then
  // the shared store, if any, between instances.
  const store =
    options.store === undefined
      ? createMemoryStore({
          now,
          ...(options.rememberMs === undefined ? {} : { doneTtlMs: options.rememberMs }),
        })
      : createLocalFirstStore(options.store, options.dedupeFailure ?? "open", log, now, options.rememberMs);

  async function handle(raw: unknown, ports: DoorPorts): Promise<PushResult> {
    let inbound: Inbound;
    try {
      inbound = parsePush(raw);
    } catch (error) {
      const parseError =
        error instanceof PushParseError
          ? error
          : new PushParseError("(push)", "a readable object", undefined);
      log.warn("推送格式不对，已忽略 malformed push ignored", {
        field: parseError.field,
        expected: parseError.expected,
      });
      return { status: "malformed", error: parseError };
    }
    const key = dedupeKey(inbound.message);
    if (
      isMessageRoute(inbound.route) &&
      !("MsgId" in inbound.message && inbound.message.MsgId !== undefined)
    ) {
      log.warn("消息没有 MsgId，按发送者+时间去重 message without MsgId, deduplicated by sender and time", {
        key,
      });
    }

    let claim;
    try {
      claim = await store.claim(key, claimTtl(ports.deadline, now()));
    } catch (error) {
      log.error(
        "去重存储不可用，本次推送未处理（PUSH_DEDUPE_FAIL=closed）dedupe store unavailable, push not handled",
        {
          key,
          error: messageOf(error),
        },
      );
      return { status: "store-unavailable", inbound, error };
    }
    if (claim.status !== "claimed")
      return duplicate(inbound, key, claim.status, claim.status === "done" ? claim.reply : undefined);

    const dispatchPorts = {
      openid: ports.recipientOf(inbound.message),
      send: retryingSend(ports.send, retry, ports.deadline, clock),
      lane,
      ...(ports.media === undefined ? {} : { media: mediaTools(ports.media, ports.deadline) }),
      ...(ports.cloud === undefined ? {} : { cloud: ports.cloud }),
      once: onceFor(key, {
        state,
        log,
        now,
        until: () => ports.deadline ?? now() + CLAIM_TTL_MS,
      }),
      timeLeft: () => (ports.deadline === undefined ? Infinity : ports.deadline - now()),
      log,
      ...(ports.typing === undefined ? {} : { typing: boundedTyping(ports.typing, ports.deadline, clock) }),
    };
    let outcome: Outcome;
    let reply: PassiveReply | undefined;
    if (isStateful(router.conversation)) {
      const run = await dispatchWithState(
        { router, state, policy: options.dedupeFailure ?? "open", log, clock },
        inbound,
        key,
        dispatchPorts,
      );
      if (run.unavailable !== undefined) {
        await settle(key, claim.lease, true, undefined);
        log.error(
          "状态存储不可用，本次推送未处理（PUSH_DEDUPE_FAIL=closed）state store unavailable, push not handled",
          {
            key,
            error: messageOf(run.unavailable),
          },
        );
        return { status: "store-unavailable", inbound, error: run.unavailable };
      }
      outcome = run.outcome;
      reply = run.reply;
    } else {
      outcome = await router.dispatch(inbound, dispatchPorts);
      reply = outcome.reply;
    }
    // Release only when nothing went out, nor may have: re-running a handler that already replied (or
    // whose reply timed out on the way, possibly delivered) would reply twice.
    const released =
      outcome.error !== undefined &&
      outcome.sent === 0 &&
      outcome.uncertain === undefined &&
      classifyFailure(outcome.error.cause) === "transient";
    if (outcome.error !== undefined) {
      log.error(
        released
          ? "处理失败（暂时性错误），等待微信重试 handler failed, released for a retry"
          : outcome.uncertain !== undefined
            ? "发送结果未知（超时），不再重发以免重复回复 send outcome unknown (timed out): not resent, to avoid a duplicate"
            : "处理失败，不再重试 handler failed, not retried",
        {
          key,
          route: outcome.route,
          sent: outcome.sent,
          reason: describeFailure(outcome.error.cause),
          error: outcome.error.message,
          ...whereThrown(outcome.error.cause),
        },
      );
    }
    await settle(key, claim.lease, released, reply);
    return {
      status: "handled",
      inbound,
      outcome,
      retry: released,
      ...(reply === undefined ? {} : { reply }),
    };
  }

  function duplicate(
    inbound: Inbound,
    key: string,
    state: "done" | "busy",
    reply: PassiveReply | undefined,
  ): PushResult {
    log.info("重复推送，已跳过 duplicate push skipped", { key, state });
    const retry = state === "busy" && (options.dedupeFailure ?? "open") === "closed";
    return { status: "duplicate", inbound, state, retry, ...(reply === undefined ? {} : { reply }) };
  }

  async function settle(key: string, lease: string, release: boolean, reply: PassiveReply | undefined) {
    // One second try: a claim left behind lapses after CLAIM_TTL_MS and a late redelivery would answer again.
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        await (release ? store.release(key, lease) : store.complete(key, lease, reply));
        return;
      } catch (error) {
        if (attempt === 2)
          log.error("去重存储未能记录结果 dedupe store could not record the outcome", {
            key,
            error: messageOf(error),
          });
      }
    }
  }

  return { handle, router };
}

/** The typing indicator within the push's deadline too: it must not hold the push past its time. */
function boundedTyping(typing: SetTyping, deadline: number | undefined, clock: Clock): SetTyping {
  return (touser, command) => withinDeadline(() => typing(touser, command), deadline, clock);
}

/**
 * Where a handler's own bug was thrown: the top frames of its stack, which the build's source maps turn into
 * src/*.ts lines in the cloud log. Not for WeChat's answers (an errcode says all there is) nor non-errors.
 */
function whereThrown(cause: unknown): { at?: string } {
  if (!(cause instanceof Error) || errcodeOf(cause) !== undefined || cause.stack === undefined) return {};
  const frames = cause.stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 3)
    .map((line) => line.trim().slice("at ".length));
  return frames.length === 0 ? {} : { at: frames.join(" ← ") };
}
