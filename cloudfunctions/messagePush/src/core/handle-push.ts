import type { Log } from "./log";
import type { AnyMessage, Inbound } from "./message";
import { parsePush, PushParseError } from "./parse";
import type { Outcome, Router } from "./router";
import type { Send } from "./reply";

export interface PushPorts {
  send: Send;
  log: Log;
  /** Who replies go to. The cloud door asks getWXContext(); a URL push names the sender in FromUserName. */
  recipientOf(message: AnyMessage): string;
}

export type PushResult =
  | { status: "handled"; inbound: Inbound; outcome: Outcome }
  | { status: "malformed"; error: PushParseError };

/**
 * The pipeline every door shares: parse → route → handle. Never throws: a malformed push and a failed
 * handler are reported in the result and logged once here, so each door only decides what to answer.
 */
export async function handlePush(
  raw: unknown,
  app: Router,
  ports: PushPorts,
): Promise<PushResult> {
  let inbound: Inbound;
  try {
    inbound = parsePush(raw);
  } catch (error) {
    if (!(error instanceof PushParseError)) throw error;
    ports.log.warn("malformed push ignored", {
      field: error.field,
      expected: error.expected,
    });
    return { status: "malformed", error };
  }
  const openid = ports.recipientOf(inbound.message);
  const outcome = await app.dispatch(inbound, {
    openid,
    send: ports.send,
    log: ports.log,
  });
  if (outcome.error !== undefined) {
    ports.log.error("handler failed", {
      route: outcome.route,
      sent: outcome.sent,
      error: outcome.error.message,
    });
  }
  return { status: "handled", inbound, outcome };
}
