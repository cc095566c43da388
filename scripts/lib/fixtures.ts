import fs from "node:fs";
import path from "node:path";

/** Expands files and folders into the JSON files to replay, folders sorted by name. */
export function listEventFiles(targets: readonly string[]): string[] {
  return targets.flatMap((target) => {
    const stat = fs.statSync(target);
    if (!stat.isDirectory()) return [target];
    return fs
      .readdirSync(target)
      .filter((name) => name.endsWith(".json"))
      .sort()
      .map((name) => path.join(target, name));
  });
}

/** Reads a recorded event exactly as delivered; a syntax error names the file. */
export function readEvent(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: 不是合法的 JSON (not valid JSON): ${(error as Error).message}`, {
      cause: error,
    });
  }
}
