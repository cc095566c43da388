// Entry of the cloud function: wires the production ports. Built into ../index.js by `npm run build`.
import { createApp } from "./app";
import { createMain } from "./cloud/main";
import { lazyCloudSdk } from "./cloud/sdk";
import { createConsoleLog } from "./core/log";

export const main = createMain(createApp(), {
  sdk: lazyCloudSdk(),
  log: createConsoleLog(),
});
