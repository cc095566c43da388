import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FUNCTION_DIR, KIT_ROOT, ROOT } from "./function";

/**
 * The function's type errors (`tsc --noEmit` on its src/, with the project's compiler options), one line each;
 * empty when it type-checks. esbuild strips types without checking them, so a build alone never catches a
 * handler that does not type-check. Only what is deployed is checked: a test of a handler the user deleted
 * does not stop a deploy. Incremental: after the first run, a check costs about a second.
 */
export function typeErrors(): string[] {
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", checkConfig()], {
    encoding: "utf8",
  });
  if (tsc.status === 0) return [];
  const errors = tsc.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
  return errors.length > 0
    ? errors
    : [`tsc 运行失败 (tsc failed): ${tsc.stderr.trim() || String(tsc.status)}`];
}

/** A tsconfig of the function's sources alone, extending the project's own (or the kit's). */
function checkConfig(): string {
  const own = path.join(ROOT, "tsconfig.json");
  const folder = path.join(
    os.tmpdir(),
    `wx-push-typecheck-${createHash("sha1").update(FUNCTION_DIR).digest("hex").slice(0, 12)}`,
  );
  fs.mkdirSync(folder, { recursive: true });
  const config = path.join(folder, "tsconfig.json");
  const text = JSON.stringify({
    extends: fs.existsSync(own) ? own : path.join(KIT_ROOT, "tsconfig.json"),
    compilerOptions: {
      // Found from this config's folder otherwise: the function's code needs node's types only.
      typeRoots: [path.dirname(path.dirname(require.resolve("@types/node/package.json")))],
      types: ["node"],
      noEmit: true,
      pretty: false,
      incremental: true,
      tsBuildInfoFile: path.join(folder, "function.tsbuildinfo"),
    },
    include: [path.join(FUNCTION_DIR, "src")],
  });
  if (!fs.existsSync(config) || fs.readFileSync(config, "utf8") !== text) fs.writeFileSync(config, text);
  return config;
}

/** A few lines for people; the rest is one command away. */
export function summarise(errors: readonly string[], shown = 5): string[] {
  const lines = errors
    .slice(0, shown)
    .map((line) => `  ${path.isAbsolute(line) ? path.relative(ROOT, line) : line}`);
  if (errors.length > shown)
    lines.push(`  … 另有 ${errors.length - shown} 个 (and ${errors.length - shown} more): npm run typecheck`);
  return lines;
}
