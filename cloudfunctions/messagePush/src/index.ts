// Entry of the cloud function: wires the production ports. Built into ../index.js by `npm run build`.
import { createBot } from "./bot";
import type { TriggerDoor } from "./cloud/http-trigger-door";
import { createMain, dedupeFailureFromEnv, storeFromEnv } from "./cloud/main";
import { lazyCloudSdk } from "./cloud/sdk";
import { createApp } from "./core/app";
import type { DedupeFailurePolicy } from "./core/local-first-store";
import { messageOf } from "./core/local-first-store";
import type { Log } from "./core/log";
import { createConsoleLog } from "./core/log";
import { lazy } from "./core/lazy";
import { createMemoryStore } from "./core/memory-store";
import { settingsOf } from "./core/settings";
import { isHttpTriggerEvent } from "./http/trigger-event";

const env = settingsOf(process.env);
const log = createConsoleLog({
  secrets: [env["WECHAT_TOKEN"], env["WECHAT_ENCODING_AES_KEY"], env["WECHAT_APPSECRET"]],
});
const sdk = lazyCloudSdk();
const app = createApp({ router: createBot(), log, ...dedupeSettings(log) });
const cloudPush = createMain(app, { sdk, log });
const httpTrigger = lazy((): TriggerDoor => {
  // The HTTP door (signatures, AES, XML) lives in ../http.js, loaded on the first HTTP-trigger request.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, on purpose
  const { createTriggerDoor } = require("./http.js") as typeof import("./cloud/http-trigger-door");
  return createTriggerDoor({ app, log, sdk, env });
});

/** Never rejects, whatever `event` is: an error is logged and answered "success". */
export async function main(event: unknown, context?: unknown): Promise<unknown> {
  try {
    if (isHttpTriggerEvent(event)) return await httpTrigger()(event, context);
    return await cloudPush(event, context);
  } catch (error) {
    log.error("云函数入口出错 main failed", { error: messageOf(error) });
    return "success";
  }
}

/** A bad PUSH_DEDUPE_* setting is reported and the safe default used: a typo must not stop the bot. */
function dedupeSettings(log: Log): {
  store: ReturnType<typeof storeFromEnv>;
  dedupeFailure: DedupeFailurePolicy;
} {
  let store;
  let dedupeFailure: DedupeFailurePolicy = "open";
  try {
    store = storeFromEnv(env, sdk, log);
  } catch (error) {
    log.error(messageOf(error));
    store = createMemoryStore();
  }
  try {
    dedupeFailure = dedupeFailureFromEnv(env);
  } catch (error) {
    log.error(messageOf(error));
  }
  return { store, dedupeFailure };
}
