import type { Server } from "node:http";
import { createApp } from "../../src/core/app";
import type { Store } from "../../src/core/dedupe";
import type { DedupeFailurePolicy } from "../../src/core/local-first-store";
import type { Log } from "../../src/core/log";
import { silentLog } from "../../src/core/log";
import type { Send } from "../../src/core/reply";
import type { Router } from "../../src/core/router";
import type { RetryPolicy } from "../../src/core/send-retry";
import type { HttpConfig } from "../../src/http/config";
import { createHttpHandler } from "../../src/http/handle";
import type { ServerLimits } from "../../src/server/node-server";
import { createPushServer } from "../../src/server/node-server";

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
