import type { Log } from "./log";
import type { SendResult, Turn } from "./conversation";
import type { TransferToAgent } from "./passive";

// The body of customerServiceMessage.send (cloud call) and cgi-bin/message/custom/send (HTTPS): the same JSON.
// Source: developers.weixin.qq.com/miniprogram/dev/server/API/kf-mgnt/kf-message/api_sendcustommessage.html
// Keys are the documented lowercase ones on purpose: wx-server-sdk renames camelCase keys to snake_case.

export interface TextBody {
  /** May contain <a href="…" data-miniprogram-appid="…" data-miniprogram-path="…">…</a>. */
  content: string;
}
export interface ImageBody {
  /** From uploadTempMedia (valid 3 days). */
  media_id: string;
}
export interface LinkBody {
  title: string;
  description: string;
  url: string;
  thumb_url: string;
}
export interface MiniProgramPageBody {
  title: string;
  pagepath: string;
  /** An image media_id; 520×416 recommended. */
  thumb_media_id: string;
  appid?: string;
}

interface SendBase {
  /** The user's openid. */
  touser: string;
}

export type SendPayload =
  | (SendBase & { msgtype: "text"; text: TextBody })
  | (SendBase & { msgtype: "image"; image: ImageBody })
  | (SendBase & { msgtype: "link"; link: LinkBody })
  | (SendBase & {
      msgtype: "miniprogrampage";
      miniprogrampage: MiniProgramPageBody;
    });

/** The output port: production sends through WeChat, local runs and tests record. */
export type Send = (payload: SendPayload) => Promise<void>;

/** The typing indicator port: customerServiceMessage.setTyping / cgi-bin/message/custom/business/typing. */
export type SetTyping = (touser: string, command: "Typing" | "CancelTyping") => Promise<void>;

/** What a handler uses to answer; every method already knows who to answer. */
export interface Reply {
  /**
   * Each resolves when the message is sent, or, in a bot that keeps state, when it is queued to go out once
   * the push is recorded; `{ status: "over-budget" }` when the quota ledger says WeChat would refuse it
   * (45015/45047), in which case nothing is sent or called.
   */
  text(content: string): Promise<SendResult>;
  image(mediaId: string): Promise<SendResult>;
  link(link: LinkBody): Promise<SendResult>;
  miniProgramPage(page: MiniProgramPageBody): Promise<SendResult>;
  /**
   * How many messages may still be sent to this user now (the platform's quota, from the ledger: 5 within
   * 48 h of a message, 2 within a minute of entering); undefined when the bot keeps no ledger or it could
   * not be read.
   */
  remaining(): number | undefined;
  /**
   * Opt-in: shows "对方正在输入" until the next reply (or 15 s). Best effort: a failure (e.g. 45080, no
   * message from the user in the last 30 s) is logged and never stops the reply that follows.
   */
  typing(): Promise<void>;
}

/** A user message's reply: the API sends, plus the passive hand-over to human agents. */
export interface MessageReply extends Reply {
  /**
   * Hands the conversation to the human agents (网页版客服工具 / 客服小助手): `return reply.transfer()` from
   * the handler. No API message is sent; the agent answers. Source:
   * developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/trans.html
   * Outside the agents' business hours (a bot's `handover.hours`), the configured reply is sent instead and
   * this returns undefined.
   */
  transfer(): TransferToAgent | undefined;
}

export interface ReplyOptions {
  typing?: SetTyping | undefined;
  log?: Log | undefined;
  /** The push's ToUserName (appid or gh_ id): the FromUserName of a passive reply. */
  pushedTo?: string;
  now?: () => number;
  /** A bot that keeps state: sends are queued on its turn (and checked against the quota), transfers recorded. */
  turn?: Turn | undefined;
}

export function createReply(touser: string, send: Send, options: ReplyOptions = {}): MessageReply {
  const { typing: setTyping, log, pushedTo = "", now = Date.now, turn } = options;
  // Checked at each use, not here: building the reply must never fail a push the handler may not answer.
  const to = (): string => {
    if (touser === "")
      throw new TypeError(
        "[message-push] 没有可回复的 openid (cannot reply: the push has no openid to answer)",
      );
    return touser;
  };
  const sendTo = (payload: DistributiveOmit<SendPayload, "touser">): Promise<SendResult> =>
    Promise.resolve().then(async () => {
      const addressed = { touser: to(), ...payload };
      if (turn !== undefined) return turn.send(addressed);
      await send(addressed);
      return { status: "sent" };
    });
  const transfer = (): TransferToAgent => ({
    MsgType: "transfer_customer_service",
    ToUserName: to(),
    FromUserName: pushedTo,
    CreateTime: Math.floor(now() / 1000),
  });
  return {
    transfer: () => (turn === undefined ? transfer() : turn.transfer(transfer)),
    remaining: () => turn?.remaining(),
    text: (content) => sendTo({ msgtype: "text", text: { content: nonEmpty(content, "text content") } }),
    image: (mediaId) => sendTo({ msgtype: "image", image: { media_id: nonEmpty(mediaId, "media_id") } }),
    link: (link) => sendTo({ msgtype: "link", link: { ...link } }),
    miniProgramPage: (page) => sendTo({ msgtype: "miniprogrampage", miniprogrampage: { ...page } }),
    typing: async () => {
      if (setTyping === undefined || touser === "") return;
      try {
        await setTyping(touser, "Typing");
      } catch (error) {
        log?.warn("输入状态设置失败 typing indicator failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function nonEmpty(value: string, what: string): string {
  // WeChat rejects empty bodies with an errcode after a round trip; fail before spending the call.
  if (value === "") throw new TypeError(`[message-push] ${what} must not be empty`);
  return value;
}
