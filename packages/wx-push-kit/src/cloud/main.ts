import type { App } from "../core/app";
import type { Store } from "../core/dedupe";
import type { DedupeSettings } from "../core/dedupe-settings";
import { messageOf } from "../core/local-first-store";
import type { Log } from "../core/log";
import { createMemoryStore } from "../core/memory-store";
import type { PassiveReply } from "../core/passive";
import type { Send, SetTyping } from "../core/reply";
import { deadlineOf } from "./budget";
import { createDatabaseStore } from "./database-store";
import { createDatabaseStateStore } from "./database-state";
import type { StateStore } from "../core/state";
import { createMemoryStateStore } from "../core/state";
import type { CloudSdk } from "./sdk";
import { OPENAPI_TIMEOUT_MS } from "./sdk";
import type { WxCloud } from "./sdk";
import type { MediaPort } from "../core/media";
import { createCloudMedia } from "./media";

export interface CloudPorts {
  sdk: () => CloudSdk;
  log: Log;
  /** Defaults to customerServiceMessage.send through the SDK. */
  send?: Send;
  /** Defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => number;
  /** Pictures: uploads, files and incoming media. Default: through the SDK, files from beside the bundle. */
  media?: MediaPort;
}

/** What the function returns: the passive reply (e.g. the hand-over to human agents), else "success". */
export type CloudAnswer = PassiveReply | "success";
export type CloudMain = (event: unknown, context?: unknown) => Promise<CloudAnswer>;

/**
 * The cloud-push door: WeChat invokes the function with the message itself as `event` (unified JSON,
 * no signature: the platform authenticated it) and expects "success" or a passive reply. It never rejects:
 * a thrown function error is not documented to make the platform re-deliver, and would only hide the outcome.
 * Source: developers.weixin.qq.com/miniprogram/dev/wxcloud/guide/functions/openapi.html
 */
export function createMain(app: App, ports: CloudPorts): CloudMain {
  const env = ports.env ?? process.env;
  const now = ports.now ?? Date.now;
  const send = ports.send ?? createCloudSend(ports.sdk);
  const typing = createCloudTyping(ports.sdk);
  // Bundled, this module's folder is the function's (bundle.js sits beside index.js).
  const media = ports.media ?? createCloudMedia(ports.sdk, __dirname);
  const { log } = ports;
  return async (event, context) => {
    const startedAt = now();
    try {
      const wx = ports.sdk().getWXContext();
      const caller = clientCaller(wx.SOURCE);
      if (caller !== undefined && env["PUSH_ALLOW_CLIENT"] !== "1") {
        log.warn(
          "已拒绝：由小程序端调用，而不是消息推送 refused: invoked by a mini program, not by message push",
          {
            source: wx.SOURCE,
          },
        );
        return "success";
      }
      // The platform sets OPENID to the sender of a push. Without it nobody vouched for the recipient:
      // answering FromUserName would let anything that can invoke this function message any user.
      const openid = wx.OPENID ?? "";
      if (openid === "") {
        log.warn("没有 OPENID（不是微信推送的调用），不回复 no OPENID in the context: not a push, no reply", {
          source: wx.SOURCE ?? "",
        });
        return "success";
      }
      const result = await app.handle(event, {
        send,
        typing,
        media,
        // The SDK the function loaded is wx-server-sdk itself: the handler gets it whole.
        cloud: () => ports.sdk() as unknown as WxCloud,
        recipientOf: () => openid,
        deadline: deadlineOf(context, startedAt, OPENAPI_TIMEOUT_MS),
      });
      if (result.status === "handled" && result.retry) {
        // WeChat is not documented to redeliver a cloud push: say plainly that this one went unanswered.
        log.error("推送未能回复（发送一直失败）push stays unanswered: every send attempt failed", {
          route: result.outcome.route,
        });
      }
      if ((result.status === "handled" || result.status === "duplicate") && result.reply !== undefined) {
        return result.reply;
      }
      return "success";
    } catch (error) {
      log.error("云函数入口出错 cloud door failed", { error: messageOf(error) });
      return "success";
    }
  };
}

/**
 * Any mini program can `wx.cloud.callFunction` this function with a forged push as `data`; getWXContext()
 * then reports SOURCE "wx_client" (or "wx_devtools"), possibly chained ("wx_client,scf"). The SOURCE of a
 * real push is undocumented, so refuse the known client values (in any case) rather than allow-list a guess.
 */
export function clientCaller(source: unknown): string | undefined {
  if (typeof source !== "string") return undefined;
  return source
    .split(",")
    .map((part) => part.trim().toLowerCase())
    .find((part) => part === "wx_client" || part === "wx_devtools");
}

/** The dedupe store the cloud door uses: the CloudBase database (shared by instances), or this one's memory. */
export function storeOf(settings: DedupeSettings, sdk: () => CloudSdk, log: Log): Store {
  return settings.store === "database"
    ? createDatabaseStore(() => sdk().database(), { log })
    : createMemoryStore();
}

/** Where a bot that keeps state keeps its per-user records: beside the claims, in the same kind of store. */
export function stateStoreOf(settings: DedupeSettings, sdk: () => CloudSdk, log: Log): StateStore {
  return settings.store === "database"
    ? createDatabaseStateStore(() => sdk().database(), { log })
    : createMemoryStateStore();
}

export function createCloudTyping(sdk: () => CloudSdk): SetTyping {
  return async (touser, command) => {
    await sdk().openapi.customerServiceMessage.setTyping({ touser, command });
  };
}

export function createCloudSend(sdk: () => CloudSdk): Send {
  return async (payload) => {
    await sdk().openapi.customerServiceMessage.send(payload);
  };
}
