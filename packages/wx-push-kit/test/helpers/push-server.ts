import type { Server } from "node:http";
import { createApp } from "../../src/core/app";
import type { Store } from "../../src/core/dedupe";
import type { DedupeFailurePolicy } from "../../src/core/local-first-store";
import type { Log } from "../../src/core/log";
import { silentLog } from "../../src/core/log";
import type { Send, SendPayload } from "../../src/core/reply";
import type { Router } from "../../src/core/router";
import type { RetryPolicy } from "../../src/core/send-retry";
import type { HttpConfig } from "../../src/http/config";
import { createHttpHandler } from "../../src/http/handle";
import type { ServerLimits } from "../../src/server/node-server";
import { createPushServer } from "../../src/server/node-server";
import { close, listen } from "./http-client";

export interface TestServerOptions {
  router: Router;
  config: HttpConfig;
  send: Send;
  log?: Log;
  store?: Store;
  dedupeFailure?: DedupeFailurePolicy;
  /** Default: no in-process retry, so a transient failure is visible at once. */
  retry?: RetryPolicy;
  limits?: Partial<ServerLimits>;
}

/** The developer-server door as `npm run serve` wires it (app → HTTP handler → node server), ports injected. */
export function createTestServer(options: TestServerOptions): Server {
  const log = options.log ?? silentLog;
  const app = createApp({
    router: options.router,
    log,
    retry: options.retry ?? { attempts: 1, backoffMs: [] },
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.dedupeFailure === undefined ? {} : { dedupeFailure: options.dedupeFailure }),
  });
  return createPushServer(
    createHttpHandler({ app, config: options.config, log, send: options.send }),
    log,
    options.limits,
  );
}

/** A test server on loopback for the length of `run`, recording what it sends. */
export async function withTestServer(
  options: Omit<TestServerOptions, "send">,
  run: (base: string, sent: SendPayload[]) => Promise<void>,
): Promise<void> {
  const sent: SendPayload[] = [];
  const server = createTestServer({
    ...options,
    send: (payload) => Promise.resolve(void sent.push(payload)),
  });
  const base = await listen(server);
  try {
    await run(base, sent);
  } finally {
    await close(server);
  }
}
