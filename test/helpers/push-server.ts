import type { Server } from "node:http";
import { createApp } from "../../cloudfunctions/messagePush/src/core/app";
import type { Store } from "../../cloudfunctions/messagePush/src/core/dedupe";
import type { DedupeFailurePolicy } from "../../cloudfunctions/messagePush/src/core/local-first-store";
import type { Log } from "../../cloudfunctions/messagePush/src/core/log";
import { silentLog } from "../../cloudfunctions/messagePush/src/core/log";
import type { Send } from "../../cloudfunctions/messagePush/src/core/reply";
import type { Router } from "../../cloudfunctions/messagePush/src/core/router";
import type { RetryPolicy } from "../../cloudfunctions/messagePush/src/core/send-retry";
import type { HttpConfig } from "../../cloudfunctions/messagePush/src/http/config";
import { createHttpHandler } from "../../cloudfunctions/messagePush/src/http/handle";
import type { ServerLimits } from "../../server/node-server";
import { createPushServer } from "../../server/node-server";

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
