// Usage: npm run build
// Bundles cloudfunctions/messagePush/src into cloudfunctions/messagePush/index.js, the file WeChat DevTools
// uploads and the cloud runtime loads. wx-server-sdk stays external: the cloud installs it from the
// function's package.json, and tests swap it at the module boundary.
import { build } from "esbuild";
import { BUILT_ENTRY, SOURCE_ENTRY } from "./lib/function";

export async function buildFunction(outfile = BUILT_ENTRY): Promise<void> {
  await build({
    entryPoints: [SOURCE_ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The oldest runtime the cloud console still offers for new functions.
    target: "node16",
    external: ["wx-server-sdk"],
    legalComments: "none",
    logLevel: "warning",
    banner: {
      js: "// Built from src/ by `npm run build`. Do not edit: change src/ and rebuild.",
    },
  });
}

if (require.main === module) {
  buildFunction().catch((error: unknown) => {
    console.error(`构建失败 (build failed): ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
