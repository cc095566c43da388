// What the bot remembers of each user between pushes: the session the bot keeps, the quota ledger the
// platform enforces, the hand-over to a person, and the pushes already applied. One record per user in the
// state store, read before the handler and written after it by compare-and-set: the handler's replies are
// held until the write succeeds, so a conflict (another instance, another message of the same user) reruns
// the handler on the fresh record instead of losing an update or replying twice.
import type { Inbound } from "./message";
import type { PassiveReply } from "./passive";
import type { SendPayload } from "./reply";
import { isMessageRoute, ROUTE_TABLE } from "./routes";

/**
 * How many customer-service messages a mini program may send, and for how long, after a user's action:
 * 5 within 48 h of a message, 2 within 1 minute of entering the chat; each action starts a new window.
 * Source: developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/send.html
 */
export interface QuotaLimits {
  afterMessage: { sends: number; windowMs: number };
  afterEnter: { sends: number; windowMs: number };
}

export const QUOTA: QuotaLimits = {
  afterMessage: { sends: 5, windowMs: 48 * 60 * 60 * 1000 },
  afterEnter: { sends: 2, windowMs: 60 * 1000 },
};

/** Opening hours of the human agents; outside them a request for a person gets `closedReply` instead. */
export interface BusinessHours {
  /** "09:00", local time in `timeZone`. */
  open: string;
  /** "21:00"; a close before the open spans midnight. */
  close: string;
  /** IANA name; default Asia/Shanghai. */
  timeZone?: string;
  /** Days of the week the agents work, 0 = Sunday; default every day. */
  days?: readonly number[];
  closedReply: string;
}

export interface HandoverOptions {
  /**
   * How long a hand-over holds: the agent closes the session or 30 minutes pass, and while the user waits
   * in the queue their messages still reach the bot. Source: …/customer-message/trans.html
   */
  windowMs?: number;
  /** Text that brings the user back to the bot before the window ends (e.g. /返回机器人|结束人工/). */
  resume?: RegExp | string;
  /** Said (at most once per `everyMs`) to a user who writes while handed over; default: nothing. */
  notice?: { text: string; everyMs: number };
  hours?: BusinessHours;
}

export interface SessionOptions<S> {
  /** A new user's session (and one whose session lapsed). */
  initial: () => S;
  /** Forgotten after this long without a message; default 24 hours. */
  ttlMs?: number;
}

/** What a bot keeps per user: all optional; a bot with none of them reads and writes no state. */
export interface ConversationOptions<S> {
  session?: SessionOptions<S>;
  /** The quota ledger: on with a session or a hand-over unless `false`; its limits are data. */
  quota?: QuotaLimits | boolean;
  /** The hand-over lifecycle after `reply.transfer()`: on with any state unless `false`. */
  handover?: HandoverOptions | boolean;
}

export const HANDOVER_WINDOW_MS = 30 * 60 * 1000;
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
/** How many applied pushes a record remembers, with what each sent: enough for WeChat's retries. */
const APPLIED_KEPT = 8;

/** A push already applied to the record: what it sent and answered, for a redelivery to repeat (never rerun). */
export interface Applied {
  key: string;
  outbox: SendPayload[];
  reply?: PassiveReply;
  /** Its sends failed before any went out (WeChat retries such a push): the retry sends them. */
  undelivered?: true;
}

/** The per-user record, as stored. */
export interface UserRecord {
  session?: { value: unknown; at: number };
  quota?: { kind: "message" | "enter"; at: number; sends: number };
  handover?: { since: number; noticeAt?: number };
  applied?: Applied[];
}

export const userKey = (openid: string) => `user:${openid}`;

/** The record's lifetime: the longest of what it holds (the 48-hour quota window, the session). */
export function recordTtl(options: ConversationOptions<unknown>): number {
  return Math.max(QUOTA.afterMessage.windowMs, options.session?.ttlMs ?? SESSION_TTL_MS) + 60 * 60 * 1000;
}

export function isStateful(options: ConversationOptions<unknown> | undefined): boolean {
  return (
    options !== undefined &&
    (options.session !== undefined || options.handover !== undefined || options.quota !== undefined)
  );
}

/** What a send came to: queued to go out once the push is recorded, or refused before any API call. */
export type SendResult =
  { status: "sent" } | { status: "over-budget"; window: "message" | "enter" | "none"; limit: number };

/** The hand-over as a handler sees it. */
export interface HandoverView {
  /** The user is with a person (or waiting for one): the bot's replies are withheld. */
  readonly active: boolean;
  /** When the hand-over began (ms). */
  readonly since: number | undefined;
  /** Brings the user back to the bot now: this push's replies go out. */
  end(): void;
}

/** One run of a handler on one record: what it changes, held until the record is written. */
export interface Turn {
  session: unknown;
  readonly handover: HandoverView;
  /** Queues a send, or refuses it when the quota says WeChat would. */
  send(payload: SendPayload): SendResult;
  /** What may still be sent now; undefined when the ledger could not be read (sends proceed). */
  remaining(): number | undefined;
  /** The hand-over, or (outside business hours) the configured reply instead. */
  transfer(make: () => PassiveReply): PassiveReply | undefined;
  /** The first send refused for the quota in this run, if any (the bot's onOverBudget is told of it). */
  readonly refusal: Extract<SendResult, { status: "over-budget" }> | undefined;
  readonly outbox: readonly SendPayload[];
  /** The record to write after the handler, with this push applied. */
  finish(
    key: string,
    reply: PassiveReply | undefined,
  ): { record: UserRecord; outbox: SendPayload[]; reply?: PassiveReply; withheld: boolean };
}

export interface TurnContext {
  inbound: Inbound;
  /** Where this push's replies go (the OPENID the platform vouches for, or the sender). */
  openid: string;
  /** The stored record, or undefined when there is none; `unknown` when it could not be read. */
  record: UserRecord | undefined | "unknown";
  options: ConversationOptions<unknown>;
  now: number;
  /** Told once, at the first send refused for the quota. */
  onOverBudget: (result: Extract<SendResult, { status: "over-budget" }>) => void;
}

/** A record read from the store, checked: what is not the kit's shape is treated as no record. */
export function asUserRecord(value: unknown): UserRecord | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
}

export function startTurn(context: TurnContext): Turn {
  const { inbound, options, now } = context;
  const stored = context.record === "unknown" ? undefined : context.record;
  const known = context.record !== "unknown";
  const limits =
    options.quota === false
      ? undefined
      : options.quota === true || options.quota === undefined
        ? QUOTA
        : options.quota;
  const handoverOptions =
    options.handover === false
      ? undefined
      : options.handover === true || options.handover === undefined
        ? {}
        : options.handover;
  const handoverWindow = handoverOptions?.windowMs ?? HANDOVER_WINDOW_MS;

  // The session: the stored one while fresh, else a new one.
  const sessionTtl = options.session?.ttlMs ?? SESSION_TTL_MS;
  const storedSession = stored?.session;
  const session =
    options.session === undefined
      ? undefined
      : storedSession !== undefined && now - storedSession.at < sessionTtl
        ? structuredClone(storedSession.value)
        : options.session.initial();

  // The quota window: a user's action (a message, entering the chat) starts a new one.
  const actedAt = actionTime(inbound.message.CreateTime * 1000, now);
  let quota = stored?.quota;
  if (isMessageRoute(inbound.route)) quota = { kind: "message", at: actedAt, sends: 0 };
  else if (inbound.route === "event.user_enter_tempsession") quota = { kind: "enter", at: actedAt, sends: 0 };

  // The hand-over: live while its window runs; the resume words end it.
  let handover =
    stored?.handover !== undefined && now - stored.handover.since < handoverWindow
      ? { ...stored.handover }
      : undefined;
  const text = inbound.route === "text" ? inbound.message.Content : undefined;
  if (handover !== undefined && text !== undefined && matches(handoverOptions?.resume, text))
    handover = undefined;
  const conversational = inbound.route === "unknown" || ROUTE_TABLE[inbound.route].kind !== "notification";
  const withheldAtStart = handover !== undefined && conversational;

  const outbox: SendPayload[] = [];
  let refusal: Extract<SendResult, { status: "over-budget" }> | undefined;
  let transferred: PassiveReply | undefined;
  let ended = false;
  const remaining = (): number | undefined => {
    if (limits === undefined || !known) return undefined;
    if (quota === undefined) return 0;
    const rule = quota.kind === "message" ? limits.afterMessage : limits.afterEnter;
    if (now - quota.at >= rule.windowMs) return 0;
    return Math.max(0, rule.sends - quota.sends - outbox.length);
  };
  const view: HandoverView = {
    get active() {
      return handover !== undefined && !ended;
    },
    get since() {
      return handover?.since;
    },
    end() {
      ended = true;
    },
  };

  const turn: Turn = {
    session,
    handover: view,
    get refusal() {
      return refusal;
    },
    get outbox() {
      return outbox;
    },
    remaining,
    send(payload) {
      const left = remaining();
      if (left !== undefined && left <= 0 && limits !== undefined) {
        const window = quota === undefined ? "none" : quota.kind;
        const limit =
          quota === undefined
            ? 0
            : quota.kind === "message"
              ? limits.afterMessage.sends
              : limits.afterEnter.sends;
        const refused = { status: "over-budget", window, limit } as const;
        if (refusal === undefined) context.onOverBudget(refused);
        refusal ??= refused;
        return refused;
      }
      outbox.push(payload);
      return { status: "sent" };
    },
    transfer(make) {
      const hours = handoverOptions?.hours;
      if (hours !== undefined && !isOpen(hours, now)) {
        turn.send({ touser: context.openid, msgtype: "text", text: { content: hours.closedReply } });
        return undefined;
      }
      transferred = make();
      return transferred;
    },
    finish(key, reply) {
      const withheld = withheldAtStart && !ended;
      // While handed over, the bot's replies are withheld (a notice at most), but a new transfer goes through.
      let sent = [...outbox];
      let nextHandover = ended ? undefined : handover;
      if (withheld) {
        sent = [];
        const notice = handoverOptions?.notice;
        if (
          notice !== undefined &&
          reply === undefined &&
          (nextHandover?.noticeAt === undefined || now - nextHandover.noticeAt >= notice.everyMs)
        ) {
          sent = [{ touser: context.openid, msgtype: "text", text: { content: notice.text } }];
          if (nextHandover !== undefined) nextHandover = { ...nextHandover, noticeAt: now };
        }
      }
      if (reply !== undefined && transferred !== undefined && handoverOptions !== undefined)
        nextHandover = { since: now };
      const applied: Applied = { key, outbox: sent, ...(reply === undefined ? {} : { reply }) };
      const record: UserRecord = {
        ...(options.session === undefined || withheld
          ? stored?.session === undefined
            ? {}
            : { session: stored.session }
          : { session: { value: turn.session, at: now } }),
        ...(quota === undefined ? {} : { quota: { ...quota, sends: quota.sends + sent.length } }),
        ...(nextHandover === undefined ? {} : { handover: nextHandover }),
        applied: [...(stored?.applied ?? []).filter((entry) => entry.key !== key), applied].slice(
          -APPLIED_KEPT,
        ),
      };
      // A passive reply is withheld with the rest; a new transfer is not.
      const answer = withheld && transferred === undefined ? undefined : reply;
      return { record, outbox: sent, withheld, ...(answer === undefined ? {} : { reply: answer }) };
    },
  };
  return turn;
}

/**
 * When the user acted: the push's CreateTime (WeChat's clock) when it is plausible, a few minutes old at most;
 * else (a recorded fixture replayed, a clock far off) the time the push arrived.
 */
function actionTime(createdAt: number, now: number): number {
  return createdAt <= now && now - createdAt <= 5 * 60 * 1000 ? createdAt : now;
}

/** The pushes of a record already applied: a redelivery never reruns its handler. */
export function appliedIn(record: UserRecord | undefined, key: string): Applied | undefined {
  return record?.applied?.find((entry) => entry.key === key);
}

/** The record with one applied push's delivery noted: failed (the retry sends it) or done. */
export function withDelivery(record: UserRecord, key: string, delivered: boolean): UserRecord {
  return {
    ...record,
    applied: (record.applied ?? []).map((entry) => {
      if (entry.key !== key) return entry;
      const { key: pushKey, outbox, reply } = entry;
      const rest: Applied = { key: pushKey, outbox, ...(reply === undefined ? {} : { reply }) };
      return delivered ? rest : { ...rest, undelivered: true as const };
    }),
  };
}

function matches(pattern: RegExp | string | undefined, text: string): boolean {
  if (pattern === undefined) return false;
  return typeof pattern === "string"
    ? text.includes(pattern)
    : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")).test(text);
}

/** Whether the agents are working at `at`, in the hours' time zone. */
export function isOpen(hours: BusinessHours, at: number): boolean {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: hours.timeZone ?? "Asia/Shanghai",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? "";
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(part("weekday"));
  const minutes = Number(part("hour")) * 60 + Number(part("minute"));
  const clock = (text: string) => {
    const [h = "0", m = "0"] = text.split(":");
    return Number(h) * 60 + Number(m);
  };
  const [open, close] = [clock(hours.open), clock(hours.close)];
  const inHours = open <= close ? minutes >= open && minutes < close : minutes >= open || minutes < close;
  // Past midnight in an overnight span, the day that opened it is the one to check.
  const openedOn = open > close && minutes < close ? (day + 6) % 7 : day;
  return inHours && (hours.days === undefined || hours.days.includes(openedOn));
}

/** A user's record as a person reads it (the playground's state panel). */
export interface UserView {
  session: unknown;
  /** The window the last action opened, what is left of it and until when (ms); none before any action. */
  quota: { window: "message" | "enter" | "none"; left: number; until?: number };
  handover: { active: boolean; since?: number; until?: number };
}

export function describeUser(value: unknown, options: ConversationOptions<unknown>, now: number): UserView {
  const record = asUserRecord(value) ?? {};
  const limits = options.quota === undefined || typeof options.quota === "boolean" ? QUOTA : options.quota;
  const windowMs =
    typeof options.handover === "object"
      ? (options.handover.windowMs ?? HANDOVER_WINDOW_MS)
      : HANDOVER_WINDOW_MS;
  const sessionTtl = options.session?.ttlMs ?? SESSION_TTL_MS;
  const quota = record.quota;
  const rule =
    quota === undefined ? undefined : quota.kind === "message" ? limits.afterMessage : limits.afterEnter;
  const handover = record.handover;
  const live = handover !== undefined && now - handover.since < windowMs;
  return {
    session:
      record.session !== undefined && now - record.session.at < sessionTtl ? record.session.value : undefined,
    quota:
      quota === undefined || rule === undefined
        ? { window: "none", left: 0 }
        : {
            window: quota.kind,
            left: now - quota.at >= rule.windowMs ? 0 : Math.max(0, rule.sends - quota.sends),
            until: quota.at + rule.windowMs,
          },
    handover: live
      ? { active: true, since: handover.since, until: handover.since + windowMs }
      : { active: false },
  };
}
