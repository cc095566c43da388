// Usage: npm run build [-- --lean-sdk | --full-sdk | --external-sdk] [--sourcemap | --no-sourcemap] [--outfile FILE]
// Bundles cloudfunctions/messagePush/src into the files WeChat DevTools uploads and the cloud runtime loads:
//   index.js    a two-line entry: turns source maps on, then loads bundle.js (maps must be on before it compiles);
//   bundle.js   the function, with wx-server-sdk inlined and minified (bundle.js.map beside it);
//   http.js     the HTTP-trigger door, loaded on the first HTTP request only (http.js.map beside it).
// SDK modes (BENCHMARKS.md, section 1, measures each):
//   lean (default)  the SDK inlined, minus the parts a push never reaches (see lib/sdk-stubs.ts);
//   --full-sdk      the whole SDK inlined (for cloud.ai);
//   --external-sdk  the SDK left out of the bundle and installed by the cloud from package.json.
// The mode chosen is kept in the function's package.json ("wxServerSdk"): every later build without a flag
// (npm install, npm test, replay, deploy) keeps it. The same file's dependencies list exactly what the cloud
// must install.
import type { OutputFile } from "esbuild";
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { digestLine } from "./lib/freshness";
import { BUILT_ENTRY, HTTP_DOOR_ENTRY, KIT_ROOT, SOURCE_ENTRY } from "./lib/function";
import { KIT_VERSION } from "../version";

/** The kit's sources: inlined into the bundles, mapped like the function's own. */
const KIT_SOURCE = path.join(KIT_ROOT, "src");
import { ownSourceMap } from "./lib/own-source-map";
import { leaveOutUnreachedSdkParts } from "./lib/sdk-stubs";
import { CLOUD_AI_MARKER } from "../ai/cloud-ai";

export const SDK_MODES = ["lean", "full", "external"] as const;
export type SdkMode = (typeof SDK_MODES)[number];

/** The key in the function's package.json that keeps the SDK mode between builds. */
export const SDK_MODE_KEY = "wxServerSdk";

export interface BuildOptions {
  /** Where index.js goes; bundle.js, http.js, their maps and package.json go beside it. */
  outfile?: string;
  entry?: string;
  /** Default: the mode kept in the function's package.json, else lean. */
  sdk?: SdkMode;
  /**
   * Source maps beside the bundles, turned on by index.js: readable stack traces in the cloud log. On by
   * default for the minified (inlined) builds. Off for --external-sdk, whose bundle is not minified: turning
   * node's map support on would also make every cold start parse the maps the SDK's own packages ship
   * (+0.05× the sample's cold start, BENCHMARKS.md).
   */
  sourcemap?: boolean;
}

export function installedSdkVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(require.resolve("wx-server-sdk/package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

export async function buildFunction(options: BuildOptions = {}): Promise<SdkMode> {
  const { outfile = BUILT_ENTRY, entry = SOURCE_ENTRY } = options;
  const folder = path.dirname(outfile);
  // Read (and refused if broken) before anything is written: a failed build leaves the last one whole.
  const manifest = readManifest(folder);
  const sdk = options.sdk ?? keptMode(manifest, folder);
  const sourcemap = options.sourcemap ?? sdk !== "external";
  const version = installedSdkVersion();
  const header = [
    "// Built from src/ by `npm run build`. Do not edit: change src/ and rebuild.",
    digestLine(),
    `// sdk: ${sdk} wx-server-sdk@${version}`,
    `// kit: wx-push-kit@${KIT_VERSION}`,
  ].join("\n");
  const ownRoots = [path.dirname(entry), KIT_SOURCE];
  // The lean build leaves cloud.ai out, unless the function uses it: then its part comes back (measured in
  // BENCHMARKS.md, section 1). Seen in the first pass's inputs; only an AI bot pays for a second one.
  let built = await Promise.all([
    bundle(entry, path.join(folder, "bundle.js"), sdk, sourcemap, header, false),
    bundle(HTTP_DOOR_ENTRY, path.join(folder, "http.js"), sdk, sourcemap, header, false),
  ]);
  const keepAi = sdk === "lean" && built.some(({ usesCloudAi }) => usesCloudAi);
  if (keepAi) {
    const aiHeader = header.replace(`// sdk: lean `, `// sdk: lean+ai `);
    built = await Promise.all([
      bundle(entry, path.join(folder, "bundle.js"), sdk, sourcemap, aiHeader, true),
      bundle(HTTP_DOOR_ENTRY, path.join(folder, "http.js"), sdk, sourcemap, aiHeader, true),
    ]);
  }
  for (const { outputs } of built) writeOutputs(outputs, sdk, ownRoots);
  writeAtomically(
    outfile,
    [
      keepAi ? header.replace(`// sdk: lean `, `// sdk: lean+ai `) : header,
      // Node 16.6+ has it; on an older runtime the function still runs, with minified stack traces.
      ...(sourcemap
        ? ['if (typeof process.setSourceMapsEnabled === "function") process.setSourceMapsEnabled(true);']
        : []),
      'module.exports = require("./bundle.js");',
      "",
    ].join("\n"),
  );
  // index.js is two lines with no map of its own; an older build may have left one.
  fs.rmSync(`${outfile}.map`, { force: true });
  writeManifest(folder, manifest, sdk, sdk === "external" ? { "wx-server-sdk": version } : {});
  return sdk;
}

interface Bundled {
  outputs: OutputFile[];
  /** The function's code calls cloud.ai (the kit's cloudAi adapter, or `.ai(` in its own source). */
  usesCloudAi: boolean;
}

async function bundle(
  entry: string,
  outfile: string,
  sdk: SdkMode,
  sourcemap: boolean,
  header: string,
  keepAi: boolean,
): Promise<Bundled> {
  // A build without maps must not leave an old map beside it, pointing at other code.
  if (!sourcemap) fs.rmSync(`${outfile}.map`, { force: true });
  const inlined = sdk !== "external";
  const { outputFiles, metafile } = await build({
    ...(sourcemap ? { sourcemap: true, sourcesContent: false } : {}),
    entryPoints: [entry],
    outfile,
    write: false,
    metafile: true,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The oldest runtime the cloud console still offers for new functions.
    target: "node16",
    external: inlined ? ["./http.js"] : ["wx-server-sdk", "./http.js"],
    plugins: sdk === "lean" ? [leaveOutUnreachedSdkParts({ keepAi })] : [],
    // Not while coverage is recorded: V8 counts by line, and a minified bundle is one line.
    minify: inlined && process.env["NODE_V8_COVERAGE"] === undefined,
    legalComments: "none",
    logLevel: "warning",
    banner: { js: header },
  });
  const code = outputFiles.find((output) => output.path.endsWith(".js"))?.text ?? "";
  return {
    outputs: outputFiles,
    usesCloudAi:
      code.includes(CLOUD_AI_MARKER) || ownCodeCallsAi(Object.keys(metafile.inputs), path.dirname(entry)),
  };
}

/** Whether the function's own source calls cloud.ai itself (`.ai(`), not through the kit's adapter. */
function ownCodeCallsAi(inputs: readonly string[], functionSource: string): boolean {
  const own = path.relative(process.cwd(), functionSource).split(path.sep).join("/");
  return inputs.some(
    (input) =>
      input.split(path.sep).join("/").startsWith(`${own}/`) &&
      /\.ai\s*\(/.test(fs.readFileSync(path.resolve(process.cwd(), input), "utf8")),
  );
}

function writeOutputs(outputs: readonly OutputFile[], sdk: SdkMode, ownRoots: readonly string[]): void {
  const inlined = sdk !== "external";
  for (const output of outputs)
    writeAtomically(
      output.path,
      inlined && output.path.endsWith(".map")
        ? ownSourceMap(output.text, path.dirname(output.path), ownRoots)
        : output.contents,
    );
}

/** Readers (a replay, a test, an upload) never see a half-written file while a build runs beside them. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, contents);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

interface Manifest {
  fields: Record<string, unknown>;
  /** The file's own indentation, kept when it is rewritten. */
  indent: string;
  exists: boolean;
}

function readManifest(folder: string): Manifest {
  const file = path.join(folder, "package.json");
  if (!fs.existsSync(file))
    return {
      fields: { name: path.basename(folder), private: true, main: "index.js" },
      indent: "  ",
      exists: false,
    };
  const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} 不是合法的 JSON (is not valid JSON): ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields))
    throw new Error(`${file} 应是一个 JSON 对象 (must be a JSON object)`);
  return {
    fields: fields as Record<string, unknown>,
    indent: /^([ \t]+)"/m.exec(text)?.[1] ?? "  ",
    exists: true,
  };
}

function keptMode(manifest: Manifest, folder: string): SdkMode {
  const kept = manifest.fields[SDK_MODE_KEY];
  if (kept === undefined) return "lean";
  if (SDK_MODES.includes(kept as SdkMode)) return kept as SdkMode;
  throw new Error(
    `${path.join(folder, "package.json")} 的 ${SDK_MODE_KEY} 应为 ${SDK_MODES.join(" / ")} (got ${JSON.stringify(kept)})`,
  );
}

/**
 * Keeps the mode, and lists what the cloud must install ("云端安装依赖"): nothing when the SDK is inlined,
 * the exact SDK version the tests ran against when it is not. Anything else listed is bundled into
 * bundle.js already, so the cloud need not install it: said, then dropped. Written only when it changes.
 */
function writeManifest(
  folder: string,
  manifest: Manifest,
  sdk: SdkMode,
  dependencies: Record<string, string>,
): void {
  const listed = manifest.fields["dependencies"];
  const dropped = Object.keys(typeof listed === "object" && listed !== null ? listed : {}).filter(
    (name) => !(name in dependencies),
  );
  for (const name of dropped.filter((name) => name !== "wx-server-sdk"))
    console.warn(
      `构建已把 ${name} 打包进 bundle.js，云端无需安装，已从 package.json 的 dependencies 移除 ` +
        `(${name} is bundled; removed from the cloud's dependencies)`,
    );
  const file = path.join(folder, "package.json");
  const text = `${JSON.stringify({ ...manifest.fields, [SDK_MODE_KEY]: sdk, dependencies }, null, manifest.indent)}\n`;
  if (!manifest.exists || fs.readFileSync(file, "utf8") !== text) writeAtomically(file, text);
}

const HELP = `用法 Usage: wx-push build [--lean-sdk | --full-sdk | --external-sdk] [--sourcemap | --no-sourcemap] [--outfile FILE]

把 cloudfunctions/<函数>/src 打包成开发者工具上传的文件 (index.js, bundle.js, http.js)。
Bundles the function's src/ into what DevTools uploads. The SDK mode chosen is kept in the function's package.json.`;

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        "lean-sdk": { type: "boolean" },
        "full-sdk": { type: "boolean" },
        "external-sdk": { type: "boolean" },
        // The option of the first version, when the lean build was not yet the default.
        "bundle-sdk": { type: "boolean" },
        sourcemap: { type: "boolean" },
        "no-sourcemap": { type: "boolean" },
        outfile: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    if (values["bundle-sdk"])
      throw new Error(
        "--bundle-sdk 已不需要：默认构建就内联 SDK；要内联完整的 SDK 用 --full-sdk " +
          "(the default build inlines the SDK now; --full-sdk inlines all of it)",
      );
    const modes = SDK_MODES.filter((mode) => values[`${mode}-sdk`] === true);
    if (modes.length > 1)
      throw new Error("--lean-sdk、--full-sdk、--external-sdk 只能选一个 (choose one SDK mode)");
    if (values.sourcemap && values["no-sourcemap"])
      throw new Error("--sourcemap 与 --no-sourcemap 只能选一个 (choose one)");
    await buildFunction({
      ...(modes[0] === undefined ? {} : { sdk: modes[0] }),
      ...(values.sourcemap ? { sourcemap: true } : {}),
      ...(values["no-sourcemap"] ? { sourcemap: false } : {}),
      ...(values.outfile === undefined ? {} : { outfile: path.resolve(values.outfile) }),
    });
    return 0;
  } catch (error) {
    console.error(`构建失败 (build failed): ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
