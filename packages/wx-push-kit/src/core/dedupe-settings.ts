import type { DedupeFailurePolicy } from "./local-first-store";
import type { Env } from "./settings";

/** Where claims are kept: this process's memory, the CloudBase database (cloud), Redis (servers). */
export type DedupeStoreChoice = "memory" | "database" | "redis";

export interface DedupeSettings {
  store: DedupeStoreChoice;
  failure: DedupeFailurePolicy;
  redisUrl?: string;
  redisKeyPrefix?: string;
}

/** What a door offers: the cloud function has a database, a server has Redis. */
export interface DedupeChoices {
  stores: readonly DedupeStoreChoice[];
  default: DedupeStoreChoice;
}

export const CLOUD_DEDUPE: DedupeChoices = { stores: ["database", "memory"], default: "database" };
export const SERVER_DEDUPE: DedupeChoices = { stores: ["memory", "redis"], default: "memory" };

/**
 * PUSH_DEDUPE_STORE, PUSH_DEDUPE_FAIL, REDIS_URL and REDIS_KEY_PREFIX, read the same way by every door. A bad
 * value is named in `problems` and replaced by the safe default (this process's memory; answer while the store
 * is down): the cloud door logs the problems and keeps answering, a server refuses to start.
 */
export function readDedupeSettings(
  env: Env,
  choices: DedupeChoices,
): { settings: DedupeSettings; problems: string[] } {
  const problems: string[] = [];
  const quoted = choices.stores.map((store) => `"${store}"`);
  const asked = env["PUSH_DEDUPE_STORE"] ?? choices.default;
  let store = choices.stores.find((choice) => choice === asked);
  if (store === undefined) {
    problems.push(
      `[message-push] PUSH_DEDUPE_STORE 应为 ${quoted.join(" 或 ")} (must be ${quoted.join(" or ")} here), got "${asked}"`,
    );
    store = "memory";
  }
  const askedFailure = env["PUSH_DEDUPE_FAIL"] ?? "open";
  let failure: DedupeFailurePolicy = "open";
  if (askedFailure === "open" || askedFailure === "closed") failure = askedFailure;
  else
    problems.push(
      `[message-push] PUSH_DEDUPE_FAIL 应为 "open" 或 "closed" (must be "open" or "closed"), got "${askedFailure}"`,
    );
  const redisUrl = env["REDIS_URL"];
  if (store === "redis" && redisUrl === undefined) {
    problems.push("[message-push] PUSH_DEDUPE_STORE=redis 需要 REDIS_URL (e.g. redis://127.0.0.1:6379)");
    store = "memory";
  }
  const redisKeyPrefix = env["REDIS_KEY_PREFIX"];
  return {
    settings: {
      store,
      failure,
      ...(redisUrl === undefined ? {} : { redisUrl }),
      ...(redisKeyPrefix === undefined ? {} : { redisKeyPrefix }),
    },
    problems,
  };
}
