import type { Log } from "./log";
import type { PassiveReply } from "./passive";
import type { Inbound, MessageOf, Route, RouteOrUnknown } from "./message";
import { isPassiveReply } from "./passive";
import type { MessageReply, Reply, Send, SetTyping } from "./reply";
import { createReply } from "./reply";

/** Routes whose pushes are user messages: only these can be handed to human agents (never events). */
export type MessageRoute = "text" | "image" | "miniprogrampage";

/** A user message gets `reply.transfer()` as well; an event's reply has none (a type error to try). */
export type ReplyFor<M> = M extends MessageOf<MessageRoute> ? MessageReply : Reply;

/** What a handler gets: the narrowed message, who sent it, a pre-addressed reply, a logger. */
export interface PushContext<M> {
  message: M;
  /** The sender's openid: where replies go. */
  openid: string;
  reply: ReplyFor<M>;
  log: Log;
}

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

export interface Router {
  /** Registers the handler of one route (or several); a route takes one handler only. */
  on<R extends Route>(route: R | readonly R[], handler: Handler<R>): Router;
  /** Registers the fallback for every push no route claims. */
  otherwise(handler: Handler<"unknown">): Router;
  /** Runs the handler of the push's route. Never throws: a failure comes back in `Outcome.error`. */
  dispatch(inbound: Inbound, ports: DispatchPorts): Promise<Outcome>;
  /** The routes that have a handler, in registration order. */
  readonly routes: readonly Route[];
}

type AnyHandler = (ctx: PushContext<never>) => unknown;

export function createRouter(): Router {
  const handlers = new Map<RouteOrUnknown, AnyHandler>();
  const register = (route: RouteOrUnknown, handler: AnyHandler) => {
    // One handler per route keeps the number of replies predictable (customer-service quotas are small).
    if (handlers.has(route)) throw new TypeError(`[message-push] "${route}" already has a handler`);
    handlers.set(route, handler);
  };

  const router: Router = {
    on(route, handler) {
      for (const one of typeof route === "string" ? [route] : route) register(one, handler);
      return router;
    },
    otherwise(handler) {
      register("unknown", handler);
      return router;
    },
    async dispatch(inbound, { openid, send, log, typing }) {
      const handler = handlers.get(inbound.route) ?? handlers.get("unknown");
      let sent = 0;
      const counting: Send = async (payload) => {
        await send(payload);
        sent += 1;
      };
      if (handler === undefined) return { route: inbound.route, sent };
      try {
        const ctx = {
          message: inbound.message,
          openid,
          reply: createReply(openid, counting, { typing, log, pushedTo: inbound.message.ToUserName }),
          log,
        };
        // Sound: the map is keyed by route and `on`/`otherwise` only accept the handler of that route.
        const answered: unknown = await (handler as (ctx: unknown) => unknown)(ctx);
        return { route: inbound.route, sent, ...(isPassiveReply(answered) ? { reply: answered } : {}) };
      } catch (error) {
        return {
          route: inbound.route,
          sent,
          error: new HandlerError(inbound.route, error),
        };
      }
    },
    get routes() {
      return [...handlers.keys()].filter((route): route is Route => route !== "unknown");
    },
  };
  return router;
}
