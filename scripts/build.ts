// Usage: npm run build [-- --bundle-sdk] [--sourcemap] [--outfile FILE]
// Bundles cloudfunctions/messagePush/src into cloudfunctions/messagePush/index.js, the file WeChat DevTools
// uploads and the cloud runtime loads. By default wx-server-sdk stays external: the cloud installs it from
// the function's package.json, and tests swap it at the module boundary. --bundle-sdk inlines and minifies
// it too (a faster cold start; see BENCHMARKS.md), at the price of that seam.
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { digestLine } from "./lib/freshness";
import { BUILT_ENTRY, HTTP_DOOR_ENTRY, SOURCE_ENTRY } from "./lib/function";

/** Marks a build with wx-server-sdk inlined: local replay cannot swap the SDK in such a build. */
export const BUNDLED_SDK_MARK = "// build: --bundle-sdk (wx-server-sdk inlined)";

export interface BuildOptions {
  outfile?: string;
  entry?: string;
  /** Inline wx-server-sdk and minify. */
  bundleSdk?: boolean;
  /**
   * Source maps beside the bundles (index.js.map): coverage of src/ through the built function. On by
   * default while coverage is being recorded (NODE_V8_COVERAGE), so a rebuild during a coverage run (by
   * replay or deploy) keeps what the run needs.
   */
  sourcemap?: boolean;
}

export async function buildFunction(options: BuildOptions = {}): Promise<void> {
  const {
    outfile = BUILT_ENTRY,
    entry = SOURCE_ENTRY,
    bundleSdk = false,
    sourcemap = process.env["NODE_V8_COVERAGE"] !== undefined,
  } = options;
  await Promise.all([
    bundle(entry, outfile, bundleSdk, sourcemap),
    // The HTTP door, required by index.js on the first HTTP-trigger request only.
    bundle(HTTP_DOOR_ENTRY, path.join(path.dirname(outfile), "http.js"), bundleSdk, sourcemap),
  ]);
}

async function bundle(entry: string, outfile: string, bundleSdk: boolean, sourcemap: boolean): Promise<void> {
  // A build without maps must not leave an old map beside it, pointing at other code.
  if (!sourcemap) fs.rmSync(`${outfile}.map`, { force: true });
  await build({
    ...(sourcemap ? { sourcemap: true, sourcesContent: false } : {}),
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The oldest runtime the cloud console still offers for new functions.
    target: "node16",
    external: bundleSdk ? ["./http.js"] : ["wx-server-sdk", "./http.js"],
    minify: bundleSdk,
    legalComments: "none",
    logLevel: "warning",
    banner: {
      js: `// Built from src/ by \`npm run build\`. Do not edit: change src/ and rebuild.\n${digestLine()}\n${bundleSdk ? BUNDLED_SDK_MARK : ""}`,
    },
  });
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      "bundle-sdk": { type: "boolean", default: false },
      sourcemap: { type: "boolean" },
      outfile: { type: "string" },
    },
  });
  buildFunction({
    bundleSdk: values["bundle-sdk"] === true,
    ...(values.sourcemap === undefined ? {} : { sourcemap: values.sourcemap }),
    ...(values.outfile === undefined ? {} : { outfile: path.resolve(values.outfile) }),
  }).catch((error: unknown) => {
    console.error(`构建失败 (build failed): ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
