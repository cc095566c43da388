// Coverage of the processes the tests spawn (CLIs under tsx, the built function under node), read from
// NODE_V8_COVERAGE and mapped through the source maps node recorded, back to the TypeScript files.
// Only scripts that came with a source map are read: a .ts file the jest workers ran through ts-jest has
// none here, and its V8 offsets point into ts-jest's output, not the file; jest's own coverage has those.
// Limit: code a bundle leaves out (an export nothing imports) has no coverage there to say it did not run.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CoverageMap } from "istanbul-lib-coverage";
import libCoverage from "istanbul-lib-coverage";
import v8ToIstanbul from "v8-to-istanbul";

interface ScriptCoverage {
  url: string;
  functions: Parameters<ReturnType<typeof v8ToIstanbul>["applyCoverage"]>[0];
}
/** A source map as v8-to-istanbul takes it; node's cache holds it parsed from the file's own map. */
type SourceMapData = Extract<
  NonNullable<Parameters<typeof v8ToIstanbul>[2]>,
  { sourceMap: unknown }
>["sourceMap"]["sourcemap"];
interface SourceMapEntry {
  lineLengths: number[];
  /** The source map as node read it (null when the comment pointed nowhere). */
  data: SourceMapData | null;
}
interface ProcessCoverage {
  result: ScriptCoverage[];
  "source-map-cache"?: Record<string, SourceMapEntry>;
}

/** Whether a mapped source file belongs in the report. */
export type Include = (file: string) => boolean;

export async function childCoverage(directory: string, include: Include): Promise<CoverageMap> {
  const map = libCoverage.createCoverageMap({});
  if (!fs.existsSync(directory)) return map;
  for (const name of fs.readdirSync(directory)) {
    if (!name.endsWith(".json")) continue;
    let process: ProcessCoverage;
    try {
      process = JSON.parse(fs.readFileSync(path.join(directory, name), "utf8")) as ProcessCoverage;
    } catch {
      // A process killed while writing its record leaves it cut short: what it ran is lost, the rest stands.
      console.warn(`覆盖率记录不完整，已跳过 (a coverage record cut short, skipped): ${name}`);
      continue;
    }
    const maps = process["source-map-cache"] ?? {};
    for (const script of process.result) {
      if (!script.url.startsWith("file://")) continue;
      const file = fileURLToPath(script.url);
      if (file.includes(`${path.sep}node_modules${path.sep}`)) continue;
      // Only what node recorded a map for: the built function, and the CLIs tsx compiled. (What jest's
      // workers ran, the built function included, is jest's own coverage: scripts/coverage.ts.)
      const mapped = maps[script.url];
      if (mapped?.data == null) continue;
      // What ran may not be on disk (tsx compiled it in memory): a text of the same line lengths is all the
      // conversion needs to turn V8's offsets into lines and columns. Not spaces: they would be trimmed.
      const ran = mapped.lineLengths.map((length) => ".".repeat(length)).join("\n");
      const converter = v8ToIstanbul(file, 0, { source: ran, sourceMap: { sourcemap: mapped.data } });
      await converter.load();
      converter.applyCoverage(script.functions);
      for (const [source, coverage] of Object.entries(converter.toIstanbul()))
        if (include(source)) map.merge({ [source]: coverage });
      converter.destroy();
    }
  }
  return map;
}
