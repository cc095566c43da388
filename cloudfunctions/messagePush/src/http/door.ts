// The HTTP-trigger door as its own bundle (http.js beside index.js): index.js requires it on the first
// HTTP request only, so a push never loads signatures, AES, XML or JSON-bigint code (measured: requiring
// index.js drops from ~4 ms to ~1 ms).
import type { CloudSdk } from "../cloud/sdk";
import { createCloudSend, createCloudTyping } from "../cloud/main";
import type { Store } from "../core/dedupe";
import type { Log } from "../core/log";
import type { Router } from "../core/router";
import { ConfigError, loadHttpConfig } from "./config";
import type { HttpTriggerResponse } from "./trigger";
import { createTriggerHandler } from "./trigger";
import type { HttpTriggerEvent } from "./trigger-event";

export interface TriggerDoorDeps {
  app: Router;
  store: Store;
  log: Log;
  sdk: () => CloudSdk;
  env: Readonly<Record<string, string | undefined>>;
}

export function createTriggerDoor(
  deps: TriggerDoorDeps,
): (event: HttpTriggerEvent) => Promise<HttpTriggerResponse> {
  const { app, store, log, sdk } = deps;
  try {
    const config = loadHttpConfig(deps.env);
    return createTriggerHandler({
      app,
      config,
      log,
      store,
      send: createCloudSend(sdk),
      typing: createCloudTyping(sdk),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error("HTTP trigger called but 消息推送 server settings are invalid", { problems: error.problems });
    return () =>
      Promise.resolve({ statusCode: 500, headers: {}, body: "not configured", isBase64Encoded: false });
  }
}
