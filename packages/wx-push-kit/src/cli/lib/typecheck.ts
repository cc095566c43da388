import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "./function";

/**
 * The project's type errors (`tsc --noEmit`, strict), one line each; empty when it type-checks. esbuild
 * strips types without checking them, so a build alone never catches a handler that does not type-check.
 * Incremental: after the first run, a check costs about a second.
 */
export function typeErrors(): string[] {
  const tsc = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "tsc"),
    [
      "--noEmit",
      "--pretty",
      "false",
      "--incremental",
      "--tsBuildInfoFile",
      path.join(ROOT, "node_modules", ".cache", "tsc", "project.tsbuildinfo"),
      "-p",
      ROOT,
    ],
    { encoding: "utf8" },
  );
  if (tsc.status === 0) return [];
  const errors = tsc.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
  return errors.length > 0
    ? errors
    : [`tsc 运行失败 (tsc failed): ${tsc.stderr.trim() || String(tsc.status)}`];
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
