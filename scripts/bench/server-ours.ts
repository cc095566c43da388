// Ours: the developer-server door as `npm run serve` builds it (demo settings, memory dedupe store), with
// a no-op send. Bundled by the benchmark and run with plain node.
import type { AddressInfo } from "node:net";
import { createApp } from "../../cloudfunctions/messagePush/src/app";
import { silentLog } from "../../cloudfunctions/messagePush/src/core/log";
import { createMemoryStore } from "../../cloudfunctions/messagePush/src/core/memory-store";
import { loadHttpConfig } from "../../cloudfunctions/messagePush/src/http/config";
import { createPushServer } from "../../cloudfunctions/messagePush/src/http/node";

const server = createPushServer({
  app: createApp(),
  config: loadHttpConfig({
    WECHAT_TOKEN: "AAAAA",
    WECHAT_ENCODING_AES_KEY: "A".repeat(43),
    WECHAT_APPID: "wxba5fad812f8e6fb9",
  }),
  send: () => Promise.resolve(),
  log: silentLog,
  store: createMemoryStore({ maxEntries: 100_000 }),
});
server.listen(0, "127.0.0.1", () =>
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`),
);
// Exit cleanly on SIGTERM so `node --cpu-prof` can write its profile.
process.once("SIGTERM", () => process.exit(0));
