// A push to a bot that keeps per-user state: read the user's record, run the handler on it with its replies
// held, write the record by compare-and-set (this push applied, with what it sends), then send. A conflict
// means another push of the same user was recorded meanwhile: the handler runs again on the fresh record,
// and nothing it held went out. A redelivery of a push already recorded sends what was recorded, without
// running the handler again.
import type { Clock } from "./clock";
import type { UserRecord } from "./conversation";
import { appliedIn, asUserRecord, recordTtl, startTurn, userKey, withDelivery } from "./conversation";
import type { DedupeFailurePolicy } from "./local-first-store";
import { messageOf } from "./local-first-store";
import type { Log } from "./log";
import type { Inbound } from "./message";
import type { PassiveReply } from "./passive";
import type { Send, SendPayload, UserLane } from "./reply";
import type { DispatchPorts, Outcome, Router } from "./router";
import { HandlerError } from "./router";
import { mayHaveBeenDelivered } from "./send-errors";
import type { StateStore, Versioned } from "./state";
import { withTimeLimit } from "./time-limit";

export interface StatefulRun {
  outcome: Outcome;
  reply?: PassiveReply;
  /** The closed policy, and the state store could not be read or written: nothing was done. */
  unavailable?: unknown;
  /** The push was already recorded (a redelivery): what it sent was sent again, no handler ran. */
  repeated?: true;
}

export interface StatefulDeps {
  router: Router;
  state: StateStore;
  policy: DedupeFailurePolicy;
  log: Log;
  clock: Clock;
}

/** How many times a handler is rerun after losing a write to another push of the same user. */
const ATTEMPTS = 5;
/** A state call slower than this counts as the store being down, like a dedupe call. */
const STATE_CALL_MS = 1500;

export async function dispatchWithState(
  deps: StatefulDeps,
  inbound: Inbound,
  key: string,
  ports: Omit<DispatchPorts, "log" | "turn"> & { lane: UserLane },
): Promise<StatefulRun> {
  const { router, state, policy, log, clock } = deps;
  const options = router.conversation ?? {};
  const recordKey = userKey(ports.openid);
  const bounded = <T>(work: Promise<T>) =>
    withTimeLimit(
      work,
      STATE_CALL_MS,
      () => new Error(`状态存储 ${STATE_CALL_MS} ms 内没有响应 state store gave no answer`),
    );
  const nothing = (): Outcome => ({ route: inbound.route, sent: 0 });
  /** Notes on the record whether an applied push's sends went out; best effort, by compare-and-set. */
  const noteDelivery = (record: UserRecord, version: number, done: boolean) =>
    bounded(state.write(recordKey, withDelivery(record, key, done), version, recordTtl(options)));

  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    let stored: Versioned | undefined | "unknown";
    try {
      stored = await bounded(state.read(recordKey));
    } catch (error) {
      if (policy === "closed") return { outcome: nothing(), unavailable: error };
      log.error(
        "状态存储不可读，本次按无状态处理（会话、额度未知）state store unreadable: handled without state",
        {
          error: messageOf(error),
        },
      );
      stored = "unknown";
    }
    const record: UserRecord | undefined | "unknown" =
      stored === "unknown" ? "unknown" : asUserRecord(stored?.value);
    const applied = record === "unknown" ? undefined : appliedIn(record, key);
    if (applied !== undefined && typeof record === "object" && typeof stored === "object") {
      const reply = applied.reply === undefined ? {} : { reply: applied.reply };
      // Another delivery of this push applied it (the claim was released, or the claim store was down): its
      // sends went out then, unless they failed before any did, in which case this retry sends them.
      if (applied.undelivered !== true) {
        log.info("推送已处理过，不再重复回复 push already applied: not answered again", { key });
        return { outcome: nothing(), repeated: true, ...reply };
      }
      log.info("推送已处理但回复未发出，现在发送 push applied, its replies unsent: sending them now", {
        key,
      });
      const outcome = await deliver(inbound, applied.outbox, ports);
      if (outcome.error === undefined)
        await noteDelivery(record, stored.version, true).catch(() => undefined);
      return { outcome, repeated: true, ...reply };
    }

    const turn = startTurn({
      inbound,
      openid: ports.openid,
      record,
      options,
      now: clock.now(),
      onOverBudget: (refused) =>
        log.warn("客服消息额度已用完，未发送 over the customer-service quota: not sent", {
          window: refused.window,
          limit: refused.limit,
        }),
    });
    const outcome = await router.dispatch(inbound, { ...ports, log, turn });
    // A handler that failed sent nothing (its replies were held) and changes nothing: the pipeline decides
    // about a retry, as for any handler error.
    if (outcome.error !== undefined) return { outcome };
    const finished = turn.finish(key, outcome.reply);

    let written: number | "conflict" | undefined;
    if (stored !== "unknown") {
      try {
        written = await bounded(state.write(recordKey, finished.record, stored?.version, recordTtl(options)));
      } catch (error) {
        if (policy === "closed") return { outcome: nothing(), unavailable: error };
        log.error(
          "状态存储写入失败，回复照常发出，本次的会话改动丢失 state store unwritable: replies go out, this push's state change is lost",
          { error: messageOf(error) },
        );
      }
      if (written === "conflict") {
        log.info(
          "同一用户的另一条推送先写入了状态，重新处理 another push of this user was recorded first: handled again",
          { key, attempt },
        );
        continue;
      }
    }
    if (finished.withheld && finished.reply === undefined)
      log.info("用户已转人工，机器人不作答 handed over to a person: the bot's replies are withheld", { key });
    const delivered = await deliver(inbound, finished.outbox, ports);
    // Nothing went out and nothing may have: WeChat's retry (the claim is released) is to send it all.
    if (delivered.sent === 0 && delivered.error !== undefined && delivered.uncertain === undefined)
      if (typeof written === "number")
        await noteDelivery(finished.record, written, false).catch((error: unknown) =>
          log.warn(
            "未能记下发送失败，重试时不会补发 could not note the failed sends: a retry will not resend",
            {
              error: messageOf(error),
            },
          ),
        );
    return { outcome: delivered, ...(finished.reply === undefined ? {} : { reply: finished.reply }) };
  }
  const error = new HandlerError(
    inbound.route,
    Object.assign(new Error(`the user's state kept changing under ${ATTEMPTS} attempts`), {
      code: "network",
    }),
  );
  log.error("同一用户的状态连续冲突，本次推送未处理 the user's state kept changing: push not handled", {
    key,
  });
  return { outcome: { route: inbound.route, sent: 0, error } };
}

/** The held replies, in order, each after the one before; the first that fails stops the rest. */
function deliver(
  inbound: Inbound,
  outbox: readonly SendPayload[],
  ports: { openid: string; send: Send; lane: UserLane },
): Promise<Outcome> {
  return ports.lane(ports.openid, () => deliverInOrder(inbound, outbox, ports.send));
}

async function deliverInOrder(
  inbound: Inbound,
  outbox: readonly SendPayload[],
  send: Send,
): Promise<Outcome> {
  let sent = 0;
  for (const payload of outbox) {
    try {
      await send(payload);
      sent += 1;
    } catch (cause) {
      return {
        route: inbound.route,
        sent,
        ...(mayHaveBeenDelivered(cause) ? { uncertain: 1 } : {}),
        error: new HandlerError(inbound.route, cause),
      };
    }
  }
  return { route: inbound.route, sent };
}
