// The one public entry of the product for the tools: the CLIs in scripts/ (and their helpers) import from
// here, never from deep modules, so the function's and the server's insides can move without breaking them.
export type { CloudMain } from "../cloud/main";
export type { CloudSdk, WxContext } from "../cloud/sdk";
export type { DedupeCollection, DedupeDatabase, DedupeRecord } from "../cloud/database-store";
export { createApp } from "../core/app";
export type { Redactor } from "../core/log";
export { createRedactor, silentLog } from "../core/log";
export { isPassiveReply } from "../core/passive";
export type { SendPayload } from "../core/reply";
export { CUSTOMER_SERVICE_TUPLES, ROUTE_TABLE, ROUTES } from "../core/routes";
export { classifyFailure } from "../core/send-errors";
export type { BodyFormat } from "../http/body";
export { decodeBody } from "../http/body";
export { parsePush } from "../core/parse";
export type { PushMode } from "../http/config";
export { ConfigError, loadHttpConfig } from "../http/config";
export { createHttpHandler } from "../http/handle";
export { signature } from "../http/signature";
export { decodeAesKey, decrypt, encrypt } from "../http/wx-crypto";
export { createServerFromEnv } from "./create-server";
export { settingsOf } from "../core/settings";
export { apiBase, postWechatApi, WechatApiError, WechatTransportError } from "../wechat/client";
export { createTokenSource } from "../wechat/token";
