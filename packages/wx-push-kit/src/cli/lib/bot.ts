import fs from "node:fs";
import path from "node:path";
import type { Router } from "../../core/router";
import { BOT_ENTRY, ROOT } from "./function";

/**
 * The project's bot, for the commands that run it in this process (serve, playground): `createBot` exported
 * by the function's src/bot.ts. Loaded through the same require hook the commands run under (tsx, jest).
 */
export function loadBot(entry = BOT_ENTRY): () => Router {
  const shown = path.relative(ROOT, entry) || entry;
  if (!fs.existsSync(entry))
    throw new Error(`找不到 ${shown}：它应导出 createBot() (no ${shown}: it should export createBot())`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's module, found at run time
  const loaded = require(entry) as { createBot?: unknown };
  if (typeof loaded.createBot !== "function")
    throw new Error(
      `${shown} 没有导出 createBot()：serve 和 playground 用它拿到你的路由 ` +
        `(${shown} exports no createBot(): serve and the playground take your routes from it)`,
    );
  return loaded.createBot as () => Router;
}
