// wx-push-kit: what a bot is written with. Light on purpose (no I/O, no parsers): the cloud function's push
// path loads this and the router only. The doors live in their own entries: wx-push-kit/cloud (the cloud
// function), wx-push-kit/server (the self-hosted developer server), wx-push-kit/testing (for your tests).
export type {
  AnyContext,
  DispatchPorts,
  ErrorHandler,
  Handler,
  HandlerResult,
  Matcher,
  MessageRoute,
  NotificationRoute,
  Middleware,
  Outcome,
  OverBudgetHandler,
  PushContext,
  ReplyFor,
  Router,
} from "./core/router";
export { createRouter, HandlerError } from "./core/router";
export type {
  AnyMessage,
  ImageMessage,
  Inbound,
  MediaCheckEvent,
  MessageOf,
  MiniProgramPageMessage,
  PushMap,
  Route,
  RouteOrUnknown,
  SubscribeChangeEvent,
  SubscribeItem,
  SubscribePopupEvent,
  SubscribeSentEvent,
  TextMessage,
  UnknownPush,
  UserEnterTempSessionEvent,
} from "./core/message";
export type {
  ImageBody,
  LinkBody,
  MessageReply,
  MiniProgramPageBody,
  MiniProgramPageInput,
  Reply,
  Send,
  SendOptions,
  SendPayload,
  SetTyping,
  TextBody,
  TextOptions,
} from "./core/reply";
export { MAX_PARTS, PART_BYTES, splitText } from "./core/long-text";
export type { PassiveReply, TransferToAgent } from "./core/passive";
export type {
  BusinessHours,
  ConversationOptions,
  HandoverOptions,
  HandoverView,
  QuotaLimits,
  SendResult,
  SessionOptions,
} from "./core/conversation";
export { HANDOVER_WINDOW_MS, QUOTA, SESSION_TTL_MS } from "./core/conversation";
export type { StateStore, Versioned } from "./core/state";
export { createMemoryStateStore } from "./core/state";
export type { Log } from "./core/log";
export { ROUTE_TABLE, ROUTES } from "./core/routes";
export { KIT_VERSION } from "./version";
export type { ImageType, Media, MediaAccess, MediaSource } from "./core/media";
export { MAX_IMAGE_BYTES } from "./core/media";
export type { WxCloud } from "./cloud/sdk";
export type { Once, OnceReason } from "./core/once";
export { OnceError } from "./core/once";
