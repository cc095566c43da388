// Ours: the developer-server door as `npm run serve` builds it (demo settings, memory dedupe store), with
// a no-op send. Bundled by the benchmark and run with plain node.
import type { AddressInfo } from "node:net";
import { silentLog } from "../../src/core/log";
import { createServerFromEnv } from "../../src/server/create-server";
import { createBot } from "../../test/fixture-project/cloudfunctions/messagePush/src/bot";

const { server } = createServerFromEnv(
  { WECHAT_TOKEN: "AAAAA", WECHAT_ENCODING_AES_KEY: "A".repeat(43), WECHAT_APPID: "wxba5fad812f8e6fb9" },
  { router: createBot(), log: silentLog, send: () => Promise.resolve() },
);
server.listen(0, "127.0.0.1", () =>
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`),
);
// Exit cleanly on SIGTERM so `node --cpu-prof` can write its profile.
process.once("SIGTERM", () => process.exit(0));
