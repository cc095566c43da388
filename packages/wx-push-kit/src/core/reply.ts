import type { Log } from "./log";
import type { SendResult, Turn } from "./conversation";
import type { TransferToAgent } from "./passive";
import { splitText } from "./long-text";
import type { MediaSource, ResolveMedia } from "./media";

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

/** A card as a handler writes it: the thumbnail as a media_id, or as a picture to upload. */
export type MiniProgramPageInput =
  MiniProgramPageBody | (Omit<MiniProgramPageBody, "thumb_media_id"> & { thumb: MediaSource });

interface SendBase {
  /** The user's openid. */
  touser: string;
  /**
   * Marks the message as AI-generated: WeChat shows 「内容由第三方AI生成」 under it (added 2025-11; China's
   * labelling rules for AI-generated content apply since 2025-09-01). Source: the send page above.
   */
  aimsgcontext?: { is_ai_msg: 0 | 1 };
  /** A sub-merchant's business id, for a mini program whose customer service is split by business. */
  businessid?: string;
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

/** How a message is sent. */
export interface SendOptions {
  /** Labels it as AI-generated (`aimsgcontext: { is_ai_msg: 1 }`). */
  ai?: boolean;
  /** Sends it as this sub-merchant (`businessid`), as the push's `BusinessId` names it. */
  businessid?: string;
}

export interface TextOptions extends SendOptions {
  /**
   * A text longer than one message (2000 UTF-8 bytes) is sent as parts, in order; at most this many
   * (default 5, the quota after a message), the rest dropped with a warning.
   */
  maxParts?: number;
}

/** Runs `work` alone for `touser`: one push's messages never interleave with another's to the same user. */
export type UserLane = <T>(touser: string, work: () => Promise<T>) => Promise<T>;

/** What a handler uses to answer; every method already knows who to answer. */
export interface Reply {
  /**
   * Each resolves when the message is sent, or, in a bot that keeps state, when it is queued to go out once
   * the push is recorded; `{ status: "over-budget" }` when the quota ledger says WeChat would refuse it
   * (45015/45047), in which case nothing is sent or called.
   */
  text(content: string, options?: TextOptions): Promise<SendResult>;
  /**
   * A picture: a media_id, or bytes / a file / a cloud fileID, uploaded as temporary media first (once per
   * picture: the media_id is reused by the content's digest for 2.5 days).
   */
  image(source: MediaSource, options?: SendOptions): Promise<SendResult>;
  link(link: LinkBody, options?: SendOptions): Promise<SendResult>;
  /** A mini-program card; its thumbnail as a media_id (`thumb_media_id`) or any picture source (`thumb`). */
  miniProgramPage(page: MiniProgramPageInput, options?: SendOptions): Promise<SendResult>;
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
  /** Keeps this push's messages together for the user (default: none, as in a lone handler test). */
  lane?: UserLane | undefined;
  /** Turns a picture into a media_id (the door's upload, cached); without it only media_ids are accepted. */
  media?: ResolveMedia | undefined;
}

export function createReply(touser: string, send: Send, options: ReplyOptions = {}): MessageReply {
  const { typing: setTyping, log, pushedTo = "", now = Date.now, turn } = options;
  const lane: UserLane = options.lane ?? ((_touser, work) => work());
  const mediaIdOf = (source: MediaSource): Promise<string> => {
    if (typeof source === "string") return Promise.resolve(nonEmpty(source, "media_id"));
    if (options.media === undefined)
      return Promise.reject(
        new TypeError(
          "[message-push] 这里不能上传图片，请传 media_id (this door cannot upload: pass a media_id)",
        ),
      );
    return options.media(source);
  };
  // Checked at each use, not here: building the reply must never fail a push the handler may not answer.
  const to = (): string => {
    if (touser === "")
      throw new TypeError(
        "[message-push] 没有可回复的 openid (cannot reply: the push has no openid to answer)",
      );
    return touser;
  };
  const labelled = (options: SendOptions | undefined) => ({
    ...(options?.ai === true ? { aimsgcontext: { is_ai_msg: 1 as const } } : {}),
    ...(options?.businessid === undefined ? {} : { businessid: options.businessid }),
  });
  /** The messages in order, the first refused or failed one ending the run (what follows is not sent). */
  const sendAll = (payloads: DistributiveOmit<SendPayload, "touser">[]): Promise<SendResult> =>
    Promise.resolve().then(() => {
      const addressed = payloads.map((payload) => ({ touser: to(), ...payload }));
      if (turn !== undefined) {
        for (const payload of addressed) {
          const result = turn.send(payload);
          if (result.status !== "sent") return result;
        }
        return { status: "sent" as const };
      }
      return lane(to(), async () => {
        for (const payload of addressed) await send(payload);
        return { status: "sent" as const };
      });
    });
  const sendTo = (payload: DistributiveOmit<SendPayload, "touser">) => sendAll([payload]);
  const transfer = (): TransferToAgent => ({
    MsgType: "transfer_customer_service",
    ToUserName: to(),
    FromUserName: pushedTo,
    CreateTime: Math.floor(now() / 1000),
  });
  return {
    transfer: () => (turn === undefined ? transfer() : turn.transfer(transfer)),
    remaining: () => turn?.remaining(),
    text: (content, options) => {
      const { parts, truncated } = splitText(
        nonEmpty(content, "text content"),
        options?.maxParts === undefined ? {} : { maxParts: options.maxParts },
      );
      if (truncated)
        log?.warn("文本过长，超出的部分未发送 text too long: the rest was not sent", {
          parts: parts.length,
          chars: content.length,
        });
      return sendAll(
        parts.map((part) => ({ msgtype: "text", text: { content: part }, ...labelled(options) })),
      );
    },
    image: async (source, options) =>
      sendTo({ msgtype: "image", image: { media_id: await mediaIdOf(source) }, ...labelled(options) }),
    link: (link, options) => sendTo({ msgtype: "link", link: { ...link }, ...labelled(options) }),
    miniProgramPage: async (page, options) => {
      const { thumb, ...rest } = "thumb" in page ? page : { ...page, thumb: page.thumb_media_id };
      const body: MiniProgramPageBody = { ...rest, thumb_media_id: await mediaIdOf(thumb) };
      return sendTo({ msgtype: "miniprogrampage", miniprogrampage: body, ...labelled(options) });
    },
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
