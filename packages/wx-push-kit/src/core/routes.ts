import type { PushMap, Route } from "./message";

/** How the parser checks one field. */
export type Field =
  | "string"
  | "string?"
  | "id"
  | "id?"
  | "seconds"
  | "int"
  | "media-result"
  | "media-detail"
  | "subscribe-list";

/** Fields every push has; checked for all routes alike. */
type CommonField = "ToUserName" | "FromUserName" | "CreateTime" | "BusinessId" | "MsgType" | "Event";

/** The kinds a route may be: set by its message type, so a row cannot contradict its message. */
type KindOf<R extends Route> = PushMap[R]["MsgType"] extends "event" ? "event" | "notification" : "message";

export interface RouteRow<R extends Route> {
  /** The <MsgType, Event> tuple the platform routes on (callback config, console). */
  msgType: R extends `event.${string}` ? "event" : R;
  event: R extends `event.${infer E}` ? E : "";
  /** In legacy msgType 1 (客服消息), the customer-service pushes. */
  customerService: boolean;
  /**
   * What the push is, which decides what its handler may do: a user's "message" (reply, and hand over to a
   * person), a conversation "event" (reply only: 「对于其他任何事件都不应该转接」), or a "notification" (no
   * conversation: its handler has no reply at all). Only a push whose MsgType is not "event" can be a message:
   * calling a media-check result a message, or a text a notification, does not compile.
   */
  kind: KindOf<R>;
  /**
   * The identity of a push across retries: MsgId where there is one; else these fields (with sender, time
   * and kind), so that distinct pushes of one user in one second are not merged.
   */
  dedupeBy?: readonly string[];
  /** For people: the README table, CLI messages. */
  label: string;
  /** Every field of the route's message but the common ones: a new field without its row fails to compile. */
  fields: { [K in Exclude<keyof PushMap[R], CommonField>]-?: Field };
}

/**
 * The one table of modelled pushes. The parser validates by it, the route list and the callback-config
 * tuples come from it, and a test checks the README lists it. `satisfies` ties it to PushMap: a Route
 * without its row, or a row whose MsgType/Event disagree with the route's name, does not compile.
 * Source: developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/receive.html
 */
export const ROUTE_TABLE = {
  text: {
    msgType: "text",
    event: "",
    customerService: true,
    kind: "message",
    label: "文本 text",
    fields: { Content: "string", MsgId: "id?" },
  },
  image: {
    msgType: "image",
    event: "",
    customerService: true,
    kind: "message",
    label: "图片 image",
    fields: { PicUrl: "string", MediaId: "string", MsgId: "id?" },
  },
  miniprogrampage: {
    msgType: "miniprogrampage",
    event: "",
    customerService: true,
    kind: "message",
    label: "小程序卡片 mini-program card",
    fields: {
      MsgId: "id?",
      Title: "string",
      AppId: "string",
      PagePath: "string",
      ThumbUrl: "string",
      ThumbMediaId: "string",
    },
  },
  "event.user_enter_tempsession": {
    msgType: "event",
    event: "user_enter_tempsession",
    customerService: true,
    kind: "event",
    label: "进入客服会话 user entered the chat",
    fields: { SessionFrom: "string?" },
  },
  "event.wxa_media_check": {
    msgType: "event",
    event: "wxa_media_check",
    customerService: false,
    kind: "notification",
    label: "内容安全检测结果 media check result",
    // Several results per user per second are normal: trace_id names the upload (a From+CreateTime key lost them).
    dedupeBy: ["trace_id"],
    fields: {
      appid: "string",
      trace_id: "id",
      version: "int",
      result: "media-result",
      detail: "media-detail",
    },
  },
  "event.subscribe_msg_popup_event": {
    msgType: "event",
    event: "subscribe_msg_popup_event",
    customerService: false,
    kind: "notification",
    label: "订阅消息弹窗 subscription popup",
    dedupeBy: ["List"],
    fields: { List: "subscribe-list" },
  },
  "event.subscribe_msg_change_event": {
    msgType: "event",
    event: "subscribe_msg_change_event",
    customerService: false,
    kind: "notification",
    label: "订阅消息设置变更 subscription changed",
    dedupeBy: ["List"],
    fields: { List: "subscribe-list" },
  },
  "event.subscribe_msg_sent_event": {
    msgType: "event",
    event: "subscribe_msg_sent_event",
    customerService: false,
    kind: "notification",
    label: "订阅消息发送结果 subscription message sent",
    dedupeBy: ["List"],
    fields: { List: "subscribe-list" },
  },
} as const satisfies { [R in Route]: RouteRow<R> };

/** Every modelled route, in the table's order. */
export const ROUTES = Object.keys(ROUTE_TABLE) as Route[];

/** The <MsgType, Event> tuples that legacy msgType 1 (客服消息) stands for. */
export const CUSTOMER_SERVICE_TUPLES = ROUTES.filter((route) => ROUTE_TABLE[route].customerService).map(
  (route) => ({ msgType: ROUTE_TABLE[route].msgType, event: ROUTE_TABLE[route].event }),
);

export function isRoute(key: string): key is Route {
  return Object.prototype.hasOwnProperty.call(ROUTE_TABLE, key);
}

type Table = typeof ROUTE_TABLE;

/** Routes that are a user's messages: their reply can hand the conversation to a person. */
export type MessageRoute = { [R in Route]: Table[R]["kind"] extends "message" ? R : never }[Route];
/** Routes that are notifications, not conversations: their handlers get no reply. */
export type NotificationRoute = { [R in Route]: Table[R]["kind"] extends "notification" ? R : never }[Route];

/** Whether a route is a user's message (which carries a MsgId per the platform). */
export function isMessageRoute(route: Route | "unknown"): route is MessageRoute {
  return route !== "unknown" && ROUTE_TABLE[route].kind === "message";
}

/** Whether a route is a notification (its handler gets no reply). */
export function isNotificationRoute(route: Route | "unknown"): route is NotificationRoute {
  return route !== "unknown" && ROUTE_TABLE[route].kind === "notification";
}
