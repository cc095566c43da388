// Entry of the cloud function: wires the production ports. Built into ../index.js by `npm run build`.
import { createApp } from "./app";
import { createCloudSend, createCloudTyping, createMain, storeFromEnv } from "./cloud/main";
import { lazyCloudSdk } from "./cloud/sdk";
import { createConsoleLog } from "./core/log";
import type { HttpTriggerEvent } from "./http/trigger-event";
import { isHttpTriggerEvent } from "./http/trigger-event";

const app = createApp();
const sdk = lazyCloudSdk();
const log = createConsoleLog();
const store = storeFromEnv(process.env, sdk);
const cloudPush = createMain(app, { sdk, log, store });

type TriggerDoor = (event: HttpTriggerEvent) => Promise<unknown>;
let httpTrigger: TriggerDoor | undefined;

/** The HTTP door (signatures, AES, XML) is loaded on the first HTTP-trigger request only. */
function loadHttpTrigger(): TriggerDoor {
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy: the push path never pays for it */
  const { loadHttpConfig, ConfigError } = require("./http/config") as typeof import("./http/config");
  const { createTriggerHandler } = require("./http/trigger") as typeof import("./http/trigger");
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    const config = loadHttpConfig(process.env);
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
    log.error("HTTP trigger called but 消息推送 server settings are invalid", {
      problems: error.problems,
    });
    return () =>
      Promise.resolve({
        statusCode: 500,
        headers: {},
        body: "not configured",
        isBase64Encoded: false,
      });
  }
}

export async function main(event: unknown, context?: unknown): Promise<unknown> {
  if (isHttpTriggerEvent(event)) return (httpTrigger ??= loadHttpTrigger())(event);
  return cloudPush(event, context);
}
