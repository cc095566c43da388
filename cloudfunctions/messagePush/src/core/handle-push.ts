import type { Store } from "./dedupe";
import { CLAIM_TTL_MS, dedupeKey } from "./dedupe";
import type { Log } from "./log";
import { createMemoryStore } from "./memory-store";
import type { RecentKeys } from "./recent-keys";
import { createRecentKeys } from "./recent-keys";
import type { AnyMessage, Inbound } from "./message";
import { parsePush, PushParseError } from "./parse";
import type { Send, SetTyping } from "./reply";
import type { Outcome, Router } from "./router";
import { classifyFailure, describeFailure } from "./send-errors";

export interface PushPorts {
  send: Send;
  log: Log;
  /** Who replies go to. The cloud door asks getWXContext(); a URL push names the sender in FromUserName. */
  recipientOf(message: AnyMessage): string;
  /** Where claims live. Defaults to one bounded in-memory store per process. */
  store?: Store;
  /** The typing indicator, for handlers that opt in with reply.typing(). */
  typing?: SetTyping;
}

export type PushResult =
  /** The handler ran. `retry`: nothing was sent and the failure was transient, so the claim was released. */
  | { status: "handled"; inbound: Inbound; outcome: Outcome; retry: boolean }
  /** Another delivery of this push was answered ("done") or is being answered ("busy"). */
  | { status: "duplicate"; inbound: Inbound; state: "done" | "busy" }
  /** The dedupe store failed: the push was not handled, so that no reply can go out twice. */
  | { status: "store-unavailable"; inbound: Inbound; error: unknown }
  | { status: "malformed"; error: PushParseError };

let processStore: Store | undefined;
/** Per store, the pushes this instance answered: kept even when the store could not record them. */
const answeredHere = new WeakMap<Store, RecentKeys>();

/**
 * The pipeline every door shares: parse → claim → route → complete or release. Never throws: each
 * outcome is logged once here and returned, so a door only decides what to answer.
 */
export async function handlePush(raw: unknown, app: Router, ports: PushPorts): Promise<PushResult> {
  const { log } = ports;
  let inbound: Inbound;
  try {
    inbound = parsePush(raw);
  } catch (error) {
    if (!(error instanceof PushParseError)) throw error;
    log.warn("malformed push ignored", {
      field: error.field,
      expected: error.expected,
    });
    return { status: "malformed", error };
  }

  const store = ports.store ?? (processStore ??= createMemoryStore());
  const key = dedupeKey(inbound.message);
  let answered = answeredHere.get(store);
  if (answered === undefined) answeredHere.set(store, (answered = createRecentKeys()));
  if (answered.has(key)) {
    log.info("duplicate push skipped", { key, state: "done" });
    return { status: "duplicate", inbound, state: "done" };
  }
  let claim;
  try {
    claim = await store.claim(key, CLAIM_TTL_MS);
  } catch (error) {
    // Fail closed: answering without a claim could answer twice; a redelivery can still succeed.
    log.error("dedupe store unavailable, push not handled", {
      key,
      error: messageOf(error),
    });
    return { status: "store-unavailable", inbound, error };
  }
  if (claim.status !== "claimed") {
    log.info("duplicate push skipped", { key, state: claim.status });
    return { status: "duplicate", inbound, state: claim.status };
  }

  const openid = ports.recipientOf(inbound.message);
  const outcome = await app.dispatch(inbound, {
    openid,
    send: ports.send,
    log,
    ...(ports.typing === undefined ? {} : { typing: ports.typing }),
  });
  // Release only when nothing went out: re-running a handler that already replied would reply twice.
  const retry =
    outcome.error !== undefined && outcome.sent === 0 && classifyFailure(outcome.error.cause) === "transient";
  if (outcome.error !== undefined) {
    log.error(retry ? "handler failed, released for a retry" : "handler failed, not retried", {
      key,
      route: outcome.route,
      sent: outcome.sent,
      reason: describeFailure(outcome.error.cause),
      error: outcome.error.message,
    });
  }
  // If the store cannot record "done", the claim lapses and a late redelivery could answer again; a
  // redelivery to this instance at least is caught here.
  if (!retry) answered.add(key);
  await settle(store, key, claim.lease, retry, log);
  return { status: "handled", inbound, outcome, retry };
}

async function settle(store: Store, key: string, lease: string, release: boolean, log: Log): Promise<void> {
  // One second try: a claim left behind lapses after CLAIM_TTL_MS and a late redelivery would answer again.
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    try {
      await (release ? store.release(key, lease) : store.complete(key, lease));
      return;
    } catch (error) {
      if (attempt === 2)
        log.error("dedupe store could not record the outcome", {
          key,
          error: messageOf(error),
        });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
