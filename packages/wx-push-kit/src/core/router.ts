import type { Log } from "./log";
import type { PassiveReply } from "./passive";
import type { Inbound, MessageOf, Route, RouteOrUnknown } from "./message";
import type { MessageRoute, NotificationRoute } from "./routes";
import { isNotificationRoute } from "./routes";
import { isPassiveReply } from "./passive";
import type { ConversationOptions, HandoverView, SendResult, Turn } from "./conversation";
import type { MessageReply, Reply, Send, SetTyping, UserLane } from "./reply";
import { createReply } from "./reply";
import { mayHaveBeenDelivered } from "./send-errors";
import type { MediaAccess, ResolveMedia } from "./media";
import { NO_MEDIA_ACCESS } from "./media";
import type { WxCloud } from "../cloud/sdk";
import type { Once } from "./once";
import { runNow } from "./once";

export type { MessageRoute, NotificationRoute } from "./routes";

/** Where there is no wx-server-sdk (a developer server, a lone handler test). */
const noCloud = (): WxCloud => {
  throw new Error(
    "[message-push] 这里没有云开发 SDK：ctx.cloud() 只在云函数中可用 (no wx-server-sdk here: ctx.cloud() works in the cloud function)",
  );
};

/** The hand-over as a bot without state sees it: never live. */
const NO_HANDOVER: HandoverView = { active: false, since: undefined, end: () => undefined };

/** A user message gets `reply.transfer()` as well; an event's reply has none (a type error to try). */
export type ReplyFor<M> = M extends MessageOf<MessageRoute> ? MessageReply : Reply;

interface ContextBase<M, S> {
  message: M;
  /** The sender's openid: where replies go. */
  openid: string;
  log: Log;
  /**
   * This user's session, as the bot declared it (`createRouter({ session: { initial } })`): read before the
   * handler, written after it. Change it in place; undefined in a bot without sessions.
   */
  session: S;
  /** The hand-over to a person: whether it is live (the bot's replies are then withheld), and a way to end it. */
  handover: HandoverView;
  /** An incoming picture's bytes by its MediaId (`message.MediaId`): `await media.fetch(message.MediaId)`. */
  media: MediaAccess;
  /**
   * wx-server-sdk, initialised (the cloud function, its replay and the playground's cloud door): the
   * database, storage, other cloud calls. On a developer server there is none: it throws, saying so.
   */
  cloud(): WxCloud;
  /**
   * Runs `produce` at most once for this push, whoever handles it: its result is kept with the push, so a
   * redelivery or a rerun gets the same result without producing it again (a model's answer, an order
   * created). In a lone handler test it simply runs.
   */
  once: Once;
  /**
   * How long this push may still work (ms): until the invocation's limit in the cloud, the work limit on a
   * developer server; Infinity where there is none. Slow work (a model) stops in time to answer.
   */
  timeLeft(): number;
}

/**
 * What a handler gets: the narrowed message, who sent it, a pre-addressed reply, a logger. Notifications
 * (media checks, subscription events) are not conversations: their context has no reply at all.
 */
export type PushContext<M, S = unknown> =
  M extends MessageOf<NotificationRoute> ? ContextBase<M, S> : ContextBase<M, S> & { reply: ReplyFor<M> };

/**
 * A handler for one route; `Handler<"text">` types a handler kept in its own file. It may return a passive
 * reply (`return reply.transfer()`), which the door answers the push with.
 */
export type Handler<R extends RouteOrUnknown, S = unknown> = (
  ctx: PushContext<MessageOf<R>, S>,
) => HandlerResult | Promise<HandlerResult>;

/** What a handler may return: nothing, a passive reply (`return reply.transfer()`), or a send's result. */
export type HandlerResult = void | undefined | PassiveReply | SendResult;

/** A handler threw or rejected; `cause` is what it threw. */
export class HandlerError extends Error {
  override readonly name = "HandlerError";
  constructor(
    readonly route: RouteOrUnknown,
    cause: unknown,
  ) {
    super(
      `[message-push] the ${route} handler failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** What happened to one push. `dispatch` reports failures here instead of throwing. */
export interface Outcome {
  route: RouteOrUnknown;
  /** How many replies the handler sent successfully. */
  sent: number;
  /** Sends that failed with no answer from WeChat (timed out, reset): they may have been delivered. */
  uncertain?: number;
  /** The passive reply the handler answered with, if any. */
  reply?: PassiveReply;
  error?: HandlerError;
}

export interface DispatchPorts {
  openid: string;
  send: Send;
  log: Log;
  typing?: SetTyping;
  /** A bot that keeps state: the user's record for this run (session, quota, hand-over), sends held on it. */
  turn?: Turn;
  /** Keeps this push's messages to the user together (the app's per-user lanes). */
  lane?: UserLane;
  /** The door's media: pictures to media_ids for sends, incoming pictures for handlers. */
  media?: { resolve: ResolveMedia; access: MediaAccess };
  /** wx-server-sdk, where the door has it. */
  cloud?: () => WxCloud;
  /** Work done at most once for this push (see PushContext.once). */
  once?: Once;
  /** How long this push may still work (see PushContext.timeLeft). */
  timeLeft?: () => number;
}

/**
 * A test on the message of a route: a RegExp or a word tests a text's Content, a function anything (it is
 * given the handler's context too: `(message, { session }) => session.step === "order"`).
 */
export type Matcher<R extends Route, S = unknown> = R extends "text"
  ? RegExp | string | ((message: MessageOf<R>, ctx: PushContext<MessageOf<R>, S>) => boolean)
  : (message: MessageOf<R>, ctx: PushContext<MessageOf<R>, S>) => boolean;

/** The context middleware sees: any push, with the route it was given. */
export type AnyContext<S = unknown> = {
  [R in RouteOrUnknown]: PushContext<MessageOf<R>, S> & { route: R };
}[RouteOrUnknown];

/**
 * Runs around every handler, in registration order (logging, per-user limits, blocking, metrics). Call
 * `next()` to go on; not calling it stops the push there (no handler runs). A passive reply the handler
 * returns is kept by the router, so middleware need not pass it along.
 */
export type Middleware<S = unknown> = (ctx: AnyContext<S>, next: () => Promise<void>) => void | Promise<void>;

/** Told of every failure of a handler or a middleware, once. */
export type ErrorHandler<S = unknown> = (error: HandlerError, ctx: AnyContext<S>) => void | Promise<void>;

/**
 * Told when a send is refused because the platform's quota for this user is spent (once per push): ask the
 * user to write again (a message opens a new window), or fall back to a subscription message.
 */
export type OverBudgetHandler<S = unknown> = (
  refused: Extract<SendResult, { status: "over-budget" }>,
  ctx: AnyContext<S>,
) => void | Promise<void>;

export interface Router<S = unknown> {
  /** The plain handler of one route (or several); a route takes one plain handler only. */
  on<R extends Route>(route: R | readonly R[], handler: Handler<R, S>): Router<S>;
  /**
   * A handler for the pushes of `route` that `matcher` accepts. Matchers of a route are tried in
   * registration order, the first match wins; with none, the route's plain handler runs.
   */
  on<R extends Route>(route: R, matcher: Matcher<R, S>, handler: Handler<R, S>): Router<S>;
  /** Text whose Content matches: `hears(/人工|客服/, handler)` is `on("text", /人工|客服/, handler)`. */
  hears(pattern: RegExp | string, handler: Handler<"text", S>): Router<S>;
  /** Registers the fallback for every push no route claims. */
  otherwise(handler: Handler<"unknown", S>): Router<S>;
  use(middleware: Middleware<S>): Router<S>;
  /** One error boundary for handlers and middleware alike; the pipeline still decides about retries. */
  onError(handler: ErrorHandler<S>): Router<S>;
  onOverBudget(handler: OverBudgetHandler<S>): Router<S>;
  /** Runs middleware and the chosen handler. Never throws: a failure comes back in `Outcome.error`. */
  dispatch(inbound: Inbound, ports: DispatchPorts): Promise<Outcome>;
  /** The routes that have a handler or a matcher, in registration order. */
  readonly routes: readonly Route[];
  /** What the bot keeps per user (sessions, the quota ledger, the hand-over), if anything. */
  readonly conversation: ConversationOptions<S> | undefined;
}

type AnyHandler = (ctx: unknown) => unknown;
type AnyTest = (message: unknown, ctx: unknown) => boolean;

/**
 * A router; with `options`, a bot that keeps per-user state (its session's type is taken from
 * `session.initial`), the quota ledger and the hand-over lifecycle.
 */
export function createRouter<S = unknown>(options?: ConversationOptions<S>): Router<S> {
  const plain = new Map<RouteOrUnknown, AnyHandler>();
  const matched = new Map<Route, { test: AnyTest; handler: AnyHandler }[]>();
  const middleware: Middleware<S>[] = [];
  const errorHandlers: ErrorHandler<S>[] = [];
  const overBudgetHandlers: OverBudgetHandler<S>[] = [];
  const register = (route: RouteOrUnknown, handler: AnyHandler) => {
    // One plain handler per route keeps the number of replies predictable (customer-service quotas are small).
    if (plain.has(route))
      throw new TypeError(
        `[message-push] 路由 "${route}" 已经有处理函数：一个路由只能注册一个；按内容分流请用 on("${route}", 匹配条件, 处理函数) ` +
          `("${route}" already has a handler: register one per route, or add a matcher)`,
      );
    plain.set(route, handler);
  };
  const testOf = (matcher: unknown): AnyTest => {
    if (typeof matcher === "function") return matcher as AnyTest;
    const pattern = matcher instanceof RegExp ? matcher : undefined;
    const word = typeof matcher === "string" ? matcher : undefined;
    return (message) => {
      const content = (message as { Content?: unknown }).Content;
      if (typeof content !== "string") return false;
      // A fresh lastIndex each time: a /g or /y pattern would otherwise match every other push only.
      if (pattern !== undefined)
        return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")).test(content);
      return word !== undefined && content.includes(word);
    };
  };

  const choose = (
    inbound: Inbound,
    ctx: unknown,
  ): { route: RouteOrUnknown; handler: AnyHandler | undefined } => {
    if (inbound.route !== "unknown") {
      const hit = matched.get(inbound.route)?.find(({ test }) => test(inbound.message, ctx));
      if (hit !== undefined) return { route: inbound.route, handler: hit.handler };
      const own = plain.get(inbound.route);
      if (own !== undefined) return { route: inbound.route, handler: own };
    }
    return { route: "unknown", handler: plain.get("unknown") };
  };

  const router: Router<S> = {
    conversation: options,
    on(route: Route | readonly Route[], second: unknown, third?: unknown) {
      if (third === undefined) {
        for (const one of typeof route === "string" ? [route] : route) register(one, second as AnyHandler);
      } else {
        const one = route as Route;
        matched.set(one, [
          ...(matched.get(one) ?? []),
          { test: testOf(second), handler: third as AnyHandler },
        ]);
      }
      return router;
    },
    hears(pattern, handler) {
      return router.on("text", pattern, handler);
    },
    otherwise(handler) {
      register("unknown", handler as AnyHandler);
      return router;
    },
    use(one) {
      middleware.push(one);
      return router;
    },
    onError(handler) {
      errorHandlers.push(handler);
      return router;
    },
    onOverBudget(handler) {
      overBudgetHandlers.push(handler);
      return router;
    },
    async dispatch(
      inbound,
      {
        openid,
        send,
        log,
        typing,
        turn,
        lane,
        media,
        cloud = noCloud,
        once = runNow,
        timeLeft = () => Infinity,
      },
    ) {
      let sent = 0;
      let uncertain = 0;
      const counting: Send = async (payload) => {
        try {
          await send(payload);
        } catch (error) {
          if (mayHaveBeenDelivered(error)) uncertain += 1;
          throw error;
        }
        sent += 1;
      };
      const outcome = (extra: Partial<Outcome> = {}): Outcome => ({
        route: inbound.route,
        sent,
        ...(uncertain === 0 ? {} : { uncertain }),
        ...extra,
      });
      let ctx: AnyContext<S> | undefined;
      let answer: PassiveReply | undefined;
      const reply = createReply(openid, counting, {
        typing,
        log,
        pushedTo: inbound.message.ToUserName,
        turn,
        lane,
        media: media?.resolve,
      });
      const base = {
        openid,
        log,
        session: turn?.session as S,
        handover: turn?.handover ?? NO_HANDOVER,
        media: media?.access ?? NO_MEDIA_ACCESS,
        cloud,
        once,
        timeLeft,
      };
      try {
        // Matchers are user code too: inside the boundary, like everything else that can throw.
        const routed = {
          ...base,
          route: inbound.route,
          message: inbound.message,
          ...(isNotificationRoute(inbound.route) ? {} : { reply }),
        };
        const chosen = choose(inbound, routed);
        const fallback = chosen.route === "unknown" && inbound.route !== "unknown";
        ctx = (
          fallback
            ? // The fallback gets what Handler<"unknown"> promises: the push whole, as `raw` too.
              { ...base, route: "unknown", message: { ...inbound.message, raw: inbound.message }, reply }
            : routed
        ) as AnyContext<S>;
        const context = ctx;
        const run = async (index: number): Promise<void> => {
          const next = middleware[index];
          if (next === undefined) {
            if (chosen.handler === undefined) return;
            const returned = await chosen.handler(context);
            if (isPassiveReply(returned)) answer = returned;
            return;
          }
          let downstream: Promise<void> | undefined;
          await next(context, () => {
            // Calling next twice would run the handler twice: two replies for one push.
            if (downstream !== undefined)
              throw new TypeError("[message-push] next() 只能调用一次 (next() called twice)");
            downstream = run(index + 1);
            return downstream;
          });
          // A middleware that called next() without awaiting it: the push is not done until the handler is.
          await downstream;
        };
        await run(0);
        if (turn !== undefined) {
          // A handler may replace the session rather than change it in place.
          turn.session = context.session;
          const refused = turn.refusal;
          if (refused !== undefined)
            for (const onOverBudget of overBudgetHandlers) await onOverBudget(refused, context);
        }
        return outcome(answer === undefined ? {} : { reply: answer });
      } catch (cause) {
        const error = new HandlerError(inbound.route, cause);
        for (const onError of errorHandlers) {
          try {
            await onError(
              error,
              ctx ?? ({ ...base, route: inbound.route, message: inbound.message } as AnyContext<S>),
            );
          } catch (inner) {
            // An error handler's own failure must not hide the first one.
            log.error("onError 处理函数自身出错 an onError handler failed", {
              error: inner instanceof Error ? inner.message : String(inner),
            });
          }
        }
        return outcome({ error });
      }
    },
    get routes() {
      return [...new Set<RouteOrUnknown>([...plain.keys(), ...matched.keys()])].filter(
        (route): route is Route => route !== "unknown",
      );
    },
  };
  return router;
}
