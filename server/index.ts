// The one public entry of the product for the tools: the CLIs in scripts/ (and their helpers) import from
// here, never from deep modules, so the function's and the server's insides can move without breaking them.
export type { CloudMain } from "../cloudfunctions/messagePush/src/cloud/main";
export type { CloudSdk, WxContext } from "../cloudfunctions/messagePush/src/cloud/sdk";
export type {
  DedupeCollection,
  DedupeDatabase,
  DedupeRecord,
} from "../cloudfunctions/messagePush/src/cloud/database-store";
export { createApp } from "../cloudfunctions/messagePush/src/core/app";
export { createBot } from "../cloudfunctions/messagePush/src/bot";
export type { Redactor } from "../cloudfunctions/messagePush/src/core/log";
export { createRedactor, silentLog } from "../cloudfunctions/messagePush/src/core/log";
export { isPassiveReply } from "../cloudfunctions/messagePush/src/core/passive";
export type { SendPayload } from "../cloudfunctions/messagePush/src/core/reply";
export { CUSTOMER_SERVICE_TUPLES, ROUTE_TABLE, ROUTES } from "../cloudfunctions/messagePush/src/core/routes";
export { classifyFailure } from "../cloudfunctions/messagePush/src/core/send-errors";
export type { BodyFormat } from "../cloudfunctions/messagePush/src/http/body";
export { decodeBody } from "../cloudfunctions/messagePush/src/http/body";
export { parsePush } from "../cloudfunctions/messagePush/src/core/parse";
export type { PushMode } from "../cloudfunctions/messagePush/src/http/config";
export { ConfigError, loadHttpConfig } from "../cloudfunctions/messagePush/src/http/config";
export { createHttpHandler } from "../cloudfunctions/messagePush/src/http/handle";
export { signature } from "../cloudfunctions/messagePush/src/http/signature";
export { decodeAesKey, decrypt, encrypt } from "../cloudfunctions/messagePush/src/http/wx-crypto";
export { createServerFromEnv } from "./create-server";
export { settingsOf } from "../cloudfunctions/messagePush/src/core/settings";
export { apiBase, postWechatApi, WechatApiError, WechatTransportError } from "./wechat-api/client";
export { createTokenSource } from "./wechat-api/token";
