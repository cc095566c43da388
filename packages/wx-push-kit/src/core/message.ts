// Customer-service (客服消息) pushes a mini program receives, with WeChat's own field names.
// Source: developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/receive.html

interface PushBase {
  /** Cloud push: the mini program's appid. URL push: its original id (gh_…). */
  ToUserName: string;
  /** The sender's openid. */
  FromUserName: string;
  /** Unix time in seconds. */
  CreateTime: number;
  /** Present on pushes for a customer-service sub-merchant (客服子商户). */
  BusinessId?: string;
}

export interface TextMessage extends PushBase {
  MsgType: "text";
  Content: string;
  /** 64-bit id, always a string here (JSON numbers would lose digits). Absent only in unusual pushes. */
  MsgId?: string;
}

export interface ImageMessage extends PushBase {
  MsgType: "image";
  /** System-generated link to the picture. */
  PicUrl: string;
  /** Fetch the file with getTempMedia (cgi-bin/media/get). */
  MediaId: string;
  MsgId?: string;
}

export interface MiniProgramPageMessage extends PushBase {
  MsgType: "miniprogrampage";
  MsgId?: string;
  Title: string;
  AppId: string;
  PagePath: string;
  /** Temporary CDN link of the card's cover. */
  ThumbUrl: string;
  ThumbMediaId: string;
}

export interface UserEnterTempSessionEvent extends PushBase {
  MsgType: "event";
  Event: "user_enter_tempsession";
  /** The `session-from` of the <button open-type="contact"> the user tapped. */
  SessionFrom?: string;
}

// Notifications: platform events that are not conversations (nothing is sent back for them).

/**
 * The asynchronous result of security.mediaCheckAsync (content security of an uploaded picture or audio).
 * Version 2 payload as reported in the developer community (2025); the mediaCheckAsync page
 * (miniprogram/dev/server/API/sec-center/sec-check/api_mediacheckasync) documents the same fields.
 * Several results for one user can come in the same second: deduplicated by trace_id.
 */
export interface MediaCheckEvent extends PushBase {
  MsgType: "event";
  Event: "wxa_media_check";
  appid: string;
  /** The trace_id mediaCheckAsync returned: which upload this result is for. */
  trace_id: string;
  version: number;
  /** The verdict: suggest "risky" | "pass" | "review"; label 100 = normal, others a category. */
  result: { suggest: string; label: number };
  /** Per strategy. Unconfirmed beyond the community report: kept as sent, fields checked when present. */
  detail: { strategy: string; errcode: number; suggest?: string; label?: number; prob?: number }[];
}

/** One template in a subscription event. Source: miniprogram/dev/framework/open-ability/subscribe-message.html */
export interface SubscribeItem {
  TemplateId: string;
  /** "accept" | "reject" (popup, change); "ban" is reported for templates banned by the platform. */
  SubscribeStatusString?: string;
  /** Popup: 0 = shown after a tap on the page, 1 = after payment (as the docs list them). */
  PopupScene?: string;
  /** Sent: the message id, the result code and its status text. */
  MsgID?: string;
  ErrorCode?: string;
  ErrorStatus?: string;
}

interface SubscribeEventBase extends PushBase {
  MsgType: "event";
  /** Always an array here, whether the push carried one item (a bare object) or several. */
  List: SubscribeItem[];
}
/** The user accepted or rejected templates in the subscription popup. */
export interface SubscribePopupEvent extends SubscribeEventBase {
  Event: "subscribe_msg_popup_event";
}
/** The user changed a subscription in the settings page. */
export interface SubscribeChangeEvent extends SubscribeEventBase {
  Event: "subscribe_msg_change_event";
}
/** A subscription message send finished (ErrorCode 0 = delivered). */
export interface SubscribeSentEvent extends SubscribeEventBase {
  Event: "subscribe_msg_sent_event";
}

/** Route -> message: the one table the parser, router, fixtures and docs agree on. */
export interface PushMap {
  text: TextMessage;
  image: ImageMessage;
  miniprogrampage: MiniProgramPageMessage;
  "event.user_enter_tempsession": UserEnterTempSessionEvent;
  "event.wxa_media_check": MediaCheckEvent;
  "event.subscribe_msg_popup_event": SubscribePopupEvent;
  "event.subscribe_msg_change_event": SubscribeChangeEvent;
  "event.subscribe_msg_sent_event": SubscribeSentEvent;
}

export type Route = keyof PushMap;

/** A well-formed push this template does not model (e.g. other events); kept whole for the fallback. */
export interface UnknownPush extends PushBase {
  MsgType: string;
  Event?: string;
  MsgId?: string;
  raw: Readonly<Record<string, unknown>>;
}

export type RouteOrUnknown = Route | "unknown";
export type MessageOf<R extends RouteOrUnknown> = R extends Route ? PushMap[R] : UnknownPush;

/** A parsed push, tagged by route so that both the modelled and the unknown case narrow exactly. */
export type Inbound = {
  [R in RouteOrUnknown]: { route: R; message: MessageOf<R> };
}[RouteOrUnknown];

/** Any message the router can hand to a handler. */
export type AnyMessage = PushMap[Route] | UnknownPush;
