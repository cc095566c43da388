// Usage: npm run build [-- --full-sdk | --external-sdk] [--sourcemap | --no-sourcemap] [--outfile FILE]
// Bundles cloudfunctions/messagePush/src into the files WeChat DevTools uploads and the cloud runtime loads:
//   index.js    a two-line entry: turns source maps on, then loads bundle.js (maps must be on before it compiles);
//   bundle.js   the function, with wx-server-sdk inlined and minified (bundle.js.map beside it);
//   http.js     the HTTP-trigger door, loaded on the first HTTP request only (http.js.map beside it).
// SDK modes (BENCHMARKS.md, section 1, measures each):
//   lean (default)  the SDK inlined, minus the parts a push never reaches (see lib/sdk-stubs.ts);
//   --full-sdk      the whole SDK inlined (for cloud storage, cloud.ai, data models, custom login);
//   --external-sdk  the SDK left out of the bundle and installed by the cloud from package.json.
// The function's package.json is written to list exactly what the cloud must install.
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { digestLine } from "./lib/freshness";
import { BUILT_ENTRY, HTTP_DOOR_ENTRY, SOURCE_ENTRY } from "./lib/function";
import { leaveOutUnreachedSdkParts } from "./lib/sdk-stubs";

export type SdkMode = "lean" | "full" | "external";

/** The line in index.js that records how it was built: `// sdk: lean wx-server-sdk@4.0.2`. */
const SDK_MARK = "// sdk: ";

export interface BuildOptions {
  /** Where index.js goes; bundle.js, http.js, their maps and package.json go beside it. */
  outfile?: string;
  entry?: string;
  sdk?: SdkMode;
  /**
   * Source maps beside the bundles, turned on by index.js: readable stack traces in the cloud log. On by
   * default for the minified (inlined) builds. Off for --external-sdk, whose bundle is not minified: turning
   * node's map support on would also make every cold start parse the maps the SDK's own packages ship
   * (+0.05× the sample's cold start, BENCHMARKS.md). On whenever coverage is being recorded.
   */
  sourcemap?: boolean;
}

export function installedSdkVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(require.resolve("wx-server-sdk/package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

/** How the build at `entry` was made; undefined when there is none or it predates the mark. */
export function builtSdkMode(entry = BUILT_ENTRY): SdkMode | undefined {
  if (!fs.existsSync(entry)) return undefined;
  const found = /^\/\/ sdk: (lean|full|external) /m.exec(fs.readFileSync(entry, "utf8").slice(0, 600));
  return found?.[1] as SdkMode | undefined;
}

export async function buildFunction(options: BuildOptions = {}): Promise<void> {
  const { outfile = BUILT_ENTRY, entry = SOURCE_ENTRY, sdk = "lean" } = options;
  const sourcemap =
    options.sourcemap ?? (sdk !== "external" || process.env["NODE_V8_COVERAGE"] !== undefined);
  const folder = path.dirname(outfile);
  const version = installedSdkVersion();
  const header = [
    "// Built from src/ by `npm run build`. Do not edit: change src/ and rebuild.",
    digestLine(),
    `${SDK_MARK}${sdk} wx-server-sdk@${version}`,
  ].join("\n");
  await Promise.all([
    bundle(entry, path.join(folder, "bundle.js"), sdk, sourcemap, header),
    bundle(HTTP_DOOR_ENTRY, path.join(folder, "http.js"), sdk, sourcemap, header),
  ]);
  writeAtomically(
    outfile,
    [
      header,
      // Node 16.6+ has it; on an older runtime the function still runs, with minified stack traces.
      sourcemap
        ? 'if (typeof process.setSourceMapsEnabled === "function") process.setSourceMapsEnabled(true);'
        : "",
      'module.exports = require("./bundle.js");',
      "",
    ]
      .filter((line, index, lines) => line !== "" || index === lines.length - 1)
      .join("\n"),
  );
  // index.js is two lines with no map of its own; an older build may have left one.
  fs.rmSync(`${outfile}.map`, { force: true });
  writeDependencies(folder, sdk === "external" ? { "wx-server-sdk": version } : {});
}

async function bundle(
  entry: string,
  outfile: string,
  sdk: SdkMode,
  sourcemap: boolean,
  header: string,
): Promise<void> {
  // A build without maps must not leave an old map beside it, pointing at other code.
  if (!sourcemap) fs.rmSync(`${outfile}.map`, { force: true });
  const inlined = sdk !== "external";
  const { outputFiles } = await build({
    ...(sourcemap ? { sourcemap: true, sourcesContent: false } : {}),
    entryPoints: [entry],
    outfile,
    write: false,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The oldest runtime the cloud console still offers for new functions.
    target: "node16",
    external: inlined ? ["./http.js"] : ["wx-server-sdk", "./http.js"],
    plugins: sdk === "lean" ? [leaveOutUnreachedSdkParts] : [],
    minify: inlined,
    legalComments: "none",
    logLevel: "warning",
    banner: { js: header },
  });
  for (const output of outputFiles) writeAtomically(output.path, output.contents);
}

/** Readers (a replay, a test, an upload) never see a half-written file while a build runs beside them. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

/**
 * The function's package.json lists what the cloud must install ("云端安装依赖"): nothing when the SDK is
 * inlined, the exact SDK version the tests ran against when it is not. Written only when it changes.
 */
function writeDependencies(folder: string, dependencies: Record<string, string>): void {
  const file = path.join(folder, "package.json");
  const manifest: Record<string, unknown> = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>)
    : { name: path.basename(folder), private: true, main: "index.js" };
  const text = `${JSON.stringify({ ...manifest, dependencies }, null, 2)}\n`;
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) writeAtomically(file, text);
}

if (require.main === module) {
  try {
    const { values } = parseArgs({
      options: {
        "full-sdk": { type: "boolean", default: false },
        "external-sdk": { type: "boolean", default: false },
        sourcemap: { type: "boolean" },
        "no-sourcemap": { type: "boolean" },
        outfile: { type: "string" },
      },
    });
    if (values["full-sdk"] && values["external-sdk"])
      throw new Error("--full-sdk 与 --external-sdk 只能选一个 (choose one of --full-sdk, --external-sdk)");
    buildFunction({
      sdk: values["full-sdk"] ? "full" : values["external-sdk"] ? "external" : "lean",
      ...(values.sourcemap === true ? { sourcemap: true } : {}),
      ...(values["no-sourcemap"] === true ? { sourcemap: false } : {}),
      ...(values.outfile === undefined ? {} : { outfile: path.resolve(values.outfile) }),
    }).catch(fail);
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): void {
  console.error(`构建失败 (build failed): ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
