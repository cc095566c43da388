import { createHash } from "node:crypto";
import type { AnyMessage } from "./message";
import { isRoute, ROUTE_TABLE } from "./routes";
import type { PassiveReply } from "./passive";

/**
 * The identity of a push across WeChat's retries: MsgId when the push has one, else
 * FromUserName + CreateTime + MsgType/Event (plus what a notification says), as the platform recommends:
 * 「有msgid的消息推荐使用msgid排重。事件类型消息推荐使用FromUserName + CreateTime 排重」.
 */
export function dedupeKey(message: AnyMessage): string {
  if ("MsgId" in message && message.MsgId !== undefined) return `msg:${message.MsgId}`;
  const kind = "Event" in message && message.Event !== undefined ? message.Event : message.MsgType;
  const base = `from:${message.FromUserName}:${message.CreateTime}:${kind}`;
  // Notifications name what tells two of them apart (a media check's trace_id; what a subscription event
  // says): several of one user in one second are normal and must not merge.
  const route = message.MsgType === "event" ? `event.${kind}` : kind;
  const by = isRoute(route) ? (ROUTE_TABLE[route] as { dedupeBy?: readonly string[] }).dedupeBy : undefined;
  if (by === undefined) return base;
  const fields = message as unknown as Record<string, unknown>;
  return `${base}:${by.map((field) => (typeof fields[field] === "string" ? fields[field] : digest(JSON.stringify(fields[field])))).join(":")}`;
}

function digest(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 16);
}

/**
 * A claim is a lease: only its holder can complete or release it, and it lapses at its TTL. "done" carries
 * the passive reply the first delivery answered with, so a redelivery gets the same answer.
 */
export type Claim =
  { status: "claimed"; lease: string } | { status: "done"; reply?: PassiveReply } | { status: "busy" };

/**
 * The dedupe port. `claim` is atomic across every instance that shares the store: of two concurrent
 * claims of one key, exactly one gets "claimed". An expired claim (its holder died) can be taken over.
 */
export interface Store {
  claim(key: string, ttlMs: number): Promise<Claim>;
  /** The push was answered (or can never be): later deliveries are duplicates and get `reply` again. */
  complete(key: string, lease: string, reply?: PassiveReply): Promise<void>;
  /** Nothing was sent and a retry may succeed: the next delivery handles the push again. */
  release(key: string, lease: string): Promise<void>;
}

/** How long a claim holds: longer than one attempt can run (function timeout 5 s), so a live attempt is never overtaken. */
export const CLAIM_TTL_MS = 10_000;
/** How long a shared store remembers an answered push: far beyond WeChat's retries (all within ~15 s). */
export const DONE_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long one process's memory remembers an answered push. WeChat's three tries come within ~15 s; two
 * minutes covers them with room to spare and bounds memory by time (≈ rate × 2 min).
 */
export const MEMORY_DONE_TTL_MS = 2 * 60 * 1000;
