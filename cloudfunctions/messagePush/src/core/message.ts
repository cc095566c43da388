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

/** Route -> message: the one table the parser, router, fixtures and docs agree on. */
export interface PushMap {
  text: TextMessage;
  image: ImageMessage;
  miniprogrampage: MiniProgramPageMessage;
  "event.user_enter_tempsession": UserEnterTempSessionEvent;
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
