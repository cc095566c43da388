import type { Server } from "node:http";
import { createApp } from "../core/app";
import type { Store } from "../core/dedupe";
import type { StateStore } from "../core/state";
import { MEMORY_DONE_TTL_MS } from "../core/dedupe";
import { readDedupeSettings, SERVER_DEDUPE } from "../core/dedupe-settings";
import type { Log } from "../core/log";
import { createConsoleLog, createRedactor } from "../core/log";
import type { Env } from "../core/settings";
import { settingsOf } from "../core/settings";
import type { Send, SetTyping } from "../core/reply";
import type { Router } from "../core/router";
import type { Clock } from "../core/clock";
import { systemClock } from "../core/clock";
import type { HttpConfig } from "../http/config";
import { ConfigError, loadHttpConfig } from "../http/config";
import { createHttpHandler } from "../http/handle";
import { createHttpsSend, createHttpsTyping } from "./https-send";
import { createHttpsMedia } from "./https-media";
import { createPrintMedia } from "./print-media";
import type { MediaPort } from "../core/media";
import { createPushServer } from "./node-server";
import { apiBase } from "../wechat/client";
import type { TokenSource } from "../wechat/token";
import { createTokenSource } from "../wechat/token";

/** 云托管's 开放接口服务, reached from inside the container over http. */
export const OPEN_API_BASE = "http://api.weixin.qq.com";

export type { Env };

/** The self-hosted developer server, as `npm run serve` runs it, wired from the environment. */
export interface PushServer {
  server: Server;
  config: HttpConfig;
  /**
   * What replies do: "https" (cgi-bin/message/custom/send with a token), "open-api" (云托管's 开放接口服务:
   * the same call over http, no token), or "print" (no AppSecret).
   */
  replies: "https" | "open-api" | "print";
  store: "memory" | "redis";
  close(): Promise<void>;
}

export interface ServerOverrides {
  /** The bot: the routes and handlers pushes go to. */
  router: Router;
  log?: Log;
  /** Replaces the reply port (tests record what would be sent). */
  send?: Send;
  /** The one clock of the server: freshness, dedupe memory, deadlines and retry pauses. */
  clock?: Clock;
  /** Where per-user state lives (a bot that keeps state); default: Redis when chosen, else this process's memory. */
  state?: StateStore;
}

/** Throws ConfigError naming every problem; never echoes a secret. */
/**
 * How long an answered push is remembered when pushes are accepted up to `maxAgeS` from the server's clock.
 * A push signed at T arrives while the server reads T - maxAgeS (its clock behind WeChat's) and can be
 * replayed until the server reads T + maxAgeS: 2 × maxAgeS after it was answered. A minute more for margin.
 */
export function rememberFor(maxAgeS: number): number {
  return Math.max(MEMORY_DONE_TTL_MS, (2 * maxAgeS + 60) * 1000);
}

export function createServerFromEnv(given: Env, overrides: ServerOverrides): PushServer {
  const env = settingsOf(given);
  const config = loadHttpConfig(env);
  const clock = overrides.clock ?? systemClock;
  const problems: string[] = [];
  const redactor = createRedactor([
    env["WECHAT_TOKEN"],
    env["WECHAT_ENCODING_AES_KEY"],
    env["WECHAT_APPSECRET"],
  ]);
  const log = overrides.log ?? createConsoleLog({ prefix: "[serve]", redactor });
  const { settings: dedupe, problems: dedupeProblems } = readDedupeSettings(env, SERVER_DEDUPE);
  problems.push(...dedupeProblems);
  const maxConnections = Number(env["PUSH_MAX_CONNECTIONS"] ?? 1000);
  if (!Number.isInteger(maxConnections) || maxConnections < 1)
    problems.push("PUSH_MAX_CONNECTIONS 应为正整数 (a positive integer)");
  if (problems.length > 0) throw new ConfigError(problems);

  // Memory: the app's own memory is the store (no second layer), on the server's clock.
  let store: (Store & StateStore & { close?: () => Promise<void> }) | undefined;
  if (dedupe.store === "redis") {
    // Loaded only when chosen: the Redis client is never on any other path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createRedisStore } = require("./redis-store") as typeof import("./redis-store");
    // Namespaced by appid unless set: two mini programs sharing one Redis must not share one key space.
    const prefix = dedupe.redisKeyPrefix ?? `message-push:${config.appid ?? "default"}:`;
    store = createRedisStore({ url: dedupe.redisUrl ?? "", log, prefix });
  }

  const appid = config.appid;
  const secret = env["WECHAT_APPSECRET"] ?? "";
  let send: Send = (payload) =>
    Promise.resolve(log.info("未设置 WECHAT_APPSECRET，仅打印回复 (would send)", { ...payload }));
  let typing: SetTyping | undefined;
  let media: MediaPort = createPrintMedia(log);
  let replies: PushServer["replies"] = "print";
  if (config.door === "container") {
    // 开放接口服务: the container calls http://api.weixin.qq.com without a token; WeChat's gateway adds it
    // (the calls must be allowed in the console). developers.weixin.qq.com/miniprogram/dev/wxcloudrun/src/guide/weixin/open.html
    const base = (env["WECHAT_API_BASE"] ?? OPEN_API_BASE).replace(/\/+$/, "");
    const none: TokenSource = { get: () => Promise.resolve(""), invalidate: () => undefined };
    send = createHttpsSend(none, { base });
    typing = createHttpsTyping(none, { base });
    media = createHttpsMedia(none, { base });
    replies = "open-api";
  } else if (appid !== undefined && secret !== "") {
    const base = apiBase(env);
    const tokens = createTokenSource({ appid, secret, base, onToken: redactor.add });
    send = createHttpsSend(tokens, { base });
    typing = createHttpsTyping(tokens, { base });
    media = createHttpsMedia(tokens, { base });
    replies = "https";
  }
  const app = createApp({
    router: overrides.router,
    // Redis keeps the per-user state beside the claims, shared by every instance; else this one's memory.
    ...(store === undefined ? {} : { store, state: store }),
    ...(overrides.state === undefined ? {} : { state: overrides.state }),
    log,
    dedupeFailure: dedupe.failure,
    clock,
    ...(config.maxAgeS === undefined ? {} : { rememberMs: rememberFor(config.maxAgeS) }),
  });
  const handle = createHttpHandler({
    app,
    config,
    log,
    now: () => clock.now(),
    send: overrides.send ?? send,
    ...(typing === undefined ? {} : { typing }),
    media,
  });
  const server = createPushServer(handle, log, { maxConnections }, () => clock.now());
  return {
    server,
    config,
    replies,
    store: dedupe.store === "redis" ? "redis" : "memory",
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store?.close?.();
    },
  };
}
