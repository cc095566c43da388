// The HTTP-trigger door as its own bundle (http.js beside index.js): index.js requires it on the first
// HTTP request only, so a push never loads signatures, AES, XML or JSON-bigint code.
import { createCloudMedia } from "./media";
import type { WxCloud } from "./sdk";
import type { App } from "../core/app";
import { messageOf } from "../core/local-first-store";
import type { Log } from "../core/log";
import { ConfigError, loadHttpConfig } from "../http/config";
import { createHttpHandler } from "../http/handle";
import type { HttpTriggerResponse } from "../http/trigger";
import { handleTrigger } from "../http/trigger";
import type { HttpTriggerEvent } from "../http/trigger-event";
import { deadlineOf } from "./budget";
import { createCloudSend, createCloudTyping } from "./main";
import type { CloudSdk } from "./sdk";
import { OPENAPI_TIMEOUT_MS } from "./sdk";

export interface TriggerDoorDeps {
  app: App;
  log: Log;
  sdk: () => CloudSdk;
  env: Readonly<Record<string, string | undefined>>;
}

export type TriggerDoor = (event: HttpTriggerEvent, context?: unknown) => Promise<HttpTriggerResponse>;

export function createTriggerDoor(deps: TriggerDoorDeps): TriggerDoor {
  const { app, log, sdk } = deps;
  let config;
  try {
    config = loadHttpConfig(deps.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error(
      "HTTP 触发器收到请求，但消息推送服务器配置无效 HTTP trigger called but the 消息推送 settings are invalid",
      {
        problems: error.problems,
      },
    );
    return () =>
      Promise.resolve({ statusCode: 500, headers: {}, body: "not configured", isBase64Encoded: false });
  }
  const handle = createHttpHandler({
    app,
    config,
    log,
    send: createCloudSend(sdk),
    typing: createCloudTyping(sdk),
    media: createCloudMedia(sdk, __dirname),
    cloud: () => sdk() as unknown as WxCloud,
  });
  return async (event, context) => {
    try {
      // The function's own time limit bounds the work too: it is frozen once it returns or times out.
      return await handleTrigger(event, handle, deadlineOf(context, Date.now(), OPENAPI_TIMEOUT_MS));
    } catch (error) {
      log.error("HTTP 触发器出错 HTTP trigger failed", { error: messageOf(error) });
      return { statusCode: 500, headers: {}, body: "internal error", isBase64Encoded: false };
    }
  };
}
