import type { Log } from "./log";
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
  text(content: string): Promise<void>;
  image(mediaId: string): Promise<void>;
  link(link: LinkBody): Promise<void>;
  miniProgramPage(page: MiniProgramPageBody): Promise<void>;
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
   */
  transfer(): TransferToAgent;
}

export interface ReplyOptions {
  typing?: SetTyping | undefined;
  log?: Log | undefined;
  /** The push's ToUserName (appid or gh_ id): the FromUserName of a passive reply. */
  pushedTo?: string;
  now?: () => number;
}

export function createReply(touser: string, send: Send, options: ReplyOptions = {}): MessageReply {
  if (touser === "") throw new TypeError("[message-push] cannot reply: the push has no openid to answer");
  const { typing: setTyping, log, pushedTo = "", now = Date.now } = options;
  return {
    transfer: () => ({
      MsgType: "transfer_customer_service",
      ToUserName: touser,
      FromUserName: pushedTo,
      CreateTime: Math.floor(now() / 1000),
    }),
    text: (content) =>
      send({
        touser,
        msgtype: "text",
        text: { content: nonEmpty(content, "text content") },
      }),
    image: (mediaId) =>
      send({
        touser,
        msgtype: "image",
        image: { media_id: nonEmpty(mediaId, "media_id") },
      }),
    link: (link) => send({ touser, msgtype: "link", link: { ...link } }),
    miniProgramPage: (page) =>
      send({
        touser,
        msgtype: "miniprogrampage",
        miniprogrampage: { ...page },
      }),
    typing: async () => {
      if (setTyping === undefined) return;
      try {
        await setTyping(touser, "Typing");
      } catch (error) {
        log?.warn("typing indicator failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}

function nonEmpty(value: string, what: string): string {
  // WeChat rejects empty bodies with an errcode after a round trip; fail before spending the call.
  if (value === "") throw new TypeError(`[message-push] ${what} must not be empty`);
  return value;
}
