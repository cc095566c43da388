// The cloud function's entry, as the template's src/index.ts uses it: `export const main = createCloudFunction(createBot)`.
// Everything else the function needs (the dedupe store, the log, the HTTP-trigger door) is wired here from
// the environment, so a user's function folder holds only their bot.
import type { DedupeFailurePolicy } from "../core/local-first-store";
import type { DedupeSettings } from "../core/dedupe-settings";
import { CLOUD_DEDUPE, readDedupeSettings } from "../core/dedupe-settings";
import { messageOf } from "../core/local-first-store";
import type { Log } from "../core/log";
import { createConsoleLog } from "../core/log";
import { lazy } from "../core/lazy";
import { createApp } from "../core/app";
import type { Router } from "../core/router";
import type { Env } from "../core/settings";
import { settingsOf } from "../core/settings";
import { isHttpTriggerEvent } from "../http/trigger-event";
import type { TriggerDoor } from "./http-trigger-door";
import { createMain, stateStoreOf, storeOf } from "./main";
import type { StateStore } from "../core/state";
import type { CloudSdk } from "./sdk";
import { lazyCloudSdk } from "./sdk";
import type { CleanupDatabase } from "./cleanup";
import { isTimerEvent, removeExpired } from "./cleanup";
import { deadlineOf } from "./budget";

/** A cleanup run without a known limit stops within this (the platform's default function timeout). */
const CLEANUP_FALLBACK_MS = 3000;

export type { CloudAnswer, CloudMain } from "./main";
export type { CloudSdk, WxContext } from "./sdk";

/** What the runtime calls: `exports.main(event, context)`. Never rejects. */
export type CloudFunction = (event: unknown, context?: unknown) => Promise<unknown>;

export interface CloudFunctionOptions {
  /** Defaults to process.env (read once, when the function is loaded). */
  env?: Env;
  /** Defaults to wx-server-sdk, loaded and initialised on first use. */
  sdk?: () => CloudSdk;
  /**
   * Loads the HTTP-trigger door. Default: ./http.js beside the built bundle (a separate bundle, so a push
   * never loads signatures, AES or XML).
   */
  loadHttpDoor?: () => typeof import("./http-trigger-door");
}

/**
 * The function's `main`: a push (the message itself as `event`) goes through the pipeline to `bot`; an
 * HTTP-trigger request goes to the developer-server door. Whatever `event` is, an error is logged and
 * answered "success" (a rejected main is not documented to make the platform re-deliver).
 */
export function createCloudFunction(bot: () => Router, options: CloudFunctionOptions = {}): CloudFunction {
  const env = settingsOf(options.env ?? process.env);
  const log = createConsoleLog({
    secrets: [env["WECHAT_TOKEN"], env["WECHAT_ENCODING_AES_KEY"], env["WECHAT_APPSECRET"]],
  });
  const sdk = options.sdk ?? lazyCloudSdk();
  const { settings, ...stores } = dedupeSettings(env, sdk, log);
  const app = createApp({ router: bot(), log, ...stores });
  const cloudPush = createMain(app, { sdk, log, env });
  const httpTrigger = lazy((): TriggerDoor => {
    const { createTriggerDoor } = (options.loadHttpDoor ?? loadBundledHttpDoor)();
    return createTriggerDoor({ app, log, sdk, env });
  });
  /** The timer trigger's run: expired records out of the database (nothing to do with the memory store). */
  const cleanup = async (context: unknown) =>
    settings.store === "database"
      ? await removeExpired(() => sdk().database() as unknown as CleanupDatabase, {
          log,
          deadline: deadlineOf(context, Date.now(), CLEANUP_FALLBACK_MS),
        })
      : [];
  return async (event, context) => {
    try {
      if (isHttpTriggerEvent(event)) return await httpTrigger()(event, context);
      if (isTimerEvent(event)) return await cleanup(context);
      return await cloudPush(event, context);
    } catch (error) {
      log.error("云函数入口出错 main failed", { error: messageOf(error) });
      return "success";
    }
  };
}

function loadBundledHttpDoor(): typeof import("./http-trigger-door") {
  // Resolved beside bundle.js at run time: the build keeps "./http.js" out of the push bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, on purpose
  return require("./http.js") as typeof import("./http-trigger-door");
}

/** Claims and per-user state share one store. A bad PUSH_DEDUPE_* setting is reported and the safe default used: a typo must not stop the bot. */
function dedupeSettings(
  env: Env,
  sdk: () => CloudSdk,
  log: Log,
): {
  settings: DedupeSettings;
  store: ReturnType<typeof storeOf>;
  state: StateStore;
  dedupeFailure: DedupeFailurePolicy;
} {
  const { settings, problems } = readDedupeSettings(env, CLOUD_DEDUPE);
  for (const problem of problems) log.error(problem);
  return {
    settings,
    store: storeOf(settings, sdk, log),
    state: stateStoreOf(settings, sdk, log),
    dedupeFailure: settings.failure,
  };
}
