// Entry of the cloud function: wires the production ports. Built into ../index.js by `npm run build`.
import { createApp } from "./app";
import { createMain, storeFromEnv } from "./cloud/main";
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

/** The HTTP door (signatures, AES, XML) lives in ../http.js, loaded on the first HTTP-trigger request. */
function loadHttpTrigger(): TriggerDoor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, on purpose
  const { createTriggerDoor } = require("./http.js") as typeof import("./http/door");
  return createTriggerDoor({ app, store, log, sdk, env: process.env });
}

export async function main(event: unknown, context?: unknown): Promise<unknown> {
  if (isHttpTriggerEvent(event)) return (httpTrigger ??= loadHttpTrigger())(event);
  return cloudPush(event, context);
}
