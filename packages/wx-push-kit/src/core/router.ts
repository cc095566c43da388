import type { Log } from "./log";
import type { PassiveReply } from "./passive";
import type { Inbound, MessageOf, Route, RouteOrUnknown } from "./message";
import type { MessageRoute, NotificationRoute } from "./routes";
import { isNotificationRoute } from "./routes";
import { isPassiveReply } from "./passive";
import type { MessageReply, Reply, Send, SetTyping } from "./reply";
import { createReply } from "./reply";
import { mayHaveBeenDelivered } from "./send-errors";

export type { MessageRoute, NotificationRoute } from "./routes";

/** A user message gets `reply.transfer()` as well; an event's reply has none (a type error to try). */
export type ReplyFor<M> = M extends MessageOf<MessageRoute> ? MessageReply : Reply;

interface ContextBase<M> {
  message: M;
  /** The sender's openid: where replies go. */
  openid: string;
  log: Log;
}

/**
 * What a handler gets: the narrowed message, who sent it, a pre-addressed reply, a logger. Notifications
 * (media checks, subscription events) are not conversations: their context has no reply at all.
 */
export type PushContext<M> =
  M extends MessageOf<NotificationRoute> ? ContextBase<M> : ContextBase<M> & { reply: ReplyFor<M> };

/**
 * A handler for one route; `Handler<"text">` types a handler kept in its own file. It may return a passive
 * reply (`return reply.transfer()`), which the door answers the push with.
 */
export type Handler<R extends RouteOrUnknown> = (
  ctx: PushContext<MessageOf<R>>,
) => void | PassiveReply | Promise<void | PassiveReply>;

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
}

/** A test on the message of a route: a RegExp or a word tests a text's Content, a function anything. */
export type Matcher<R extends Route> = R extends "text"
  ? RegExp | string | ((message: MessageOf<R>) => boolean)
  : (message: MessageOf<R>) => boolean;

/** The context middleware sees: any push, with the route it was given. */
export type AnyContext = {
  [R in RouteOrUnknown]: PushContext<MessageOf<R>> & { route: R };
}[RouteOrUnknown];

/**
 * Runs around every handler, in registration order (logging, per-user limits, blocking, metrics). Call
 * `next()` to go on; not calling it stops the push there (no handler runs). A passive reply the handler
 * returns is kept by the router, so middleware need not pass it along.
 */
export type Middleware = (ctx: AnyContext, next: () => Promise<void>) => void | Promise<void>;

/** Told of every failure of a handler or a middleware, once. */
export type ErrorHandler = (error: HandlerError, ctx: AnyContext) => void | Promise<void>;

export interface Router {
  /** The plain handler of one route (or several); a route takes one plain handler only. */
  on<R extends Route>(route: R | readonly R[], handler: Handler<R>): Router;
  /**
   * A handler for the pushes of `route` that `matcher` accepts. Matchers of a route are tried in
   * registration order, the first match wins; with none, the route's plain handler runs.
   */
  on<R extends Route>(route: R, matcher: Matcher<R>, handler: Handler<R>): Router;
  /** Text whose Content matches: `hears(/人工|客服/, handler)` is `on("text", /人工|客服/, handler)`. */
  hears(pattern: RegExp | string, handler: Handler<"text">): Router;
  /** Registers the fallback for every push no route claims. */
  otherwise(handler: Handler<"unknown">): Router;
  use(middleware: Middleware): Router;
  /** One error boundary for handlers and middleware alike; the pipeline still decides about retries. */
  onError(handler: ErrorHandler): Router;
  /** Runs middleware and the chosen handler. Never throws: a failure comes back in `Outcome.error`. */
  dispatch(inbound: Inbound, ports: DispatchPorts): Promise<Outcome>;
  /** The routes that have a handler or a matcher, in registration order. */
  readonly routes: readonly Route[];
}

type AnyHandler = (ctx: unknown) => unknown;
type AnyTest = (message: unknown) => boolean;

export function createRouter(): Router {
  const plain = new Map<RouteOrUnknown, AnyHandler>();
  const matched = new Map<Route, { test: AnyTest; handler: AnyHandler }[]>();
  const middleware: Middleware[] = [];
  const errorHandlers: ErrorHandler[] = [];
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

  const choose = (inbound: Inbound): { route: RouteOrUnknown; handler: AnyHandler | undefined } => {
    if (inbound.route !== "unknown") {
      const hit = matched.get(inbound.route)?.find(({ test }) => test(inbound.message));
      if (hit !== undefined) return { route: inbound.route, handler: hit.handler };
      const own = plain.get(inbound.route);
      if (own !== undefined) return { route: inbound.route, handler: own };
    }
    return { route: "unknown", handler: plain.get("unknown") };
  };

  const router: Router = {
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
    async dispatch(inbound, { openid, send, log, typing }) {
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
      let ctx: AnyContext | undefined;
      let answer: PassiveReply | undefined;
      try {
        // Matchers are user code too: inside the boundary, like everything else that can throw.
        const chosen = choose(inbound);
        const fallback = chosen.route === "unknown" && inbound.route !== "unknown";
        const conversation = fallback || !isNotificationRoute(inbound.route);
        ctx = {
          route: fallback ? "unknown" : inbound.route,
          // The fallback gets what Handler<"unknown"> promises: the push whole, as `raw` too.
          message: fallback ? { ...inbound.message, raw: inbound.message } : inbound.message,
          openid,
          log,
          ...(conversation
            ? { reply: createReply(openid, counting, { typing, log, pushedTo: inbound.message.ToUserName }) }
            : {}),
        } as AnyContext;
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
        return outcome(answer === undefined ? {} : { reply: answer });
      } catch (cause) {
        const error = new HandlerError(inbound.route, cause);
        for (const onError of errorHandlers) {
          try {
            await onError(
              error,
              ctx ?? ({ route: inbound.route, message: inbound.message, openid, log } as AnyContext),
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
