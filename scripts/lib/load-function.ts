import fs from "node:fs";
import Module from "node:module";
import type { CloudMain } from "../../server";
import { BUILT_ENTRY, FUNCTION_DIR } from "./function";
import type { RecordingSdk } from "./recording-sdk";

/**
 * Loads the built index.js with `require("wx-server-sdk")` answered by `sdk`: the module is put in
 * require's cache under the path the bundle resolves, so nothing inside the bundle is patched.
 */
export function loadBuiltFunction(sdk: RecordingSdk, entry = BUILT_ENTRY): CloudMain {
  if (!fs.existsSync(entry)) {
    throw new Error(`找不到 ${entry}，请先运行 npm run build (run \`npm run build\` first)`);
  }
  const sdkPath = require.resolve("wx-server-sdk", { paths: [FUNCTION_DIR] });
  const stub = new Module(sdkPath);
  stub.filename = sdkPath;
  stub.exports = sdk;
  stub.loaded = true;
  require.cache[sdkPath] = stub;
  delete require.cache[require.resolve(entry)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the built artifact on purpose
  const loaded = require(entry) as { main?: unknown };
  if (typeof loaded.main !== "function") throw new Error(`${entry} does not export main(event, context)`);
  return loaded.main as CloudMain;
}
