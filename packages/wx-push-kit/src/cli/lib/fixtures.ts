import fs from "node:fs";
import path from "node:path";

/** Expands files and folders into the JSON files to replay, folders sorted by name; missing ones are reported. */
export function listEventFiles(targets: readonly string[]): { files: string[]; missing: string[] } {
  const missing = targets.filter((target) => !fs.existsSync(target));
  const files = targets
    .filter((target) => fs.existsSync(target))
    .flatMap((target) => {
      const stat = fs.statSync(target);
      if (!stat.isDirectory()) return [target];
      return fs
        .readdirSync(target)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => path.join(target, name));
    });
  return { files, missing };
}

type JsonParser = { parse(text: string): unknown };
// A 64-bit MsgId written as a bare number (as a JSON body really carries it) stays exact: big integers are
// read as text, the way the developer-server door reads pushes. json-bigint is what wx-server-sdk uses too.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- json-bigint ships no ES module
const json = (require("json-bigint") as (options: object) => JsonParser)({ storeAsString: true });

/** Reads a recorded event as delivered (64-bit numbers kept exact); a syntax error names the file. */
export function readEvent(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return json.parse(text);
  } catch (error) {
    const detail =
      error instanceof Error ? error.message : String((error as { message?: unknown }).message ?? error);
    throw new Error(`${file}: 不是合法的 JSON (not valid JSON): ${detail}`, {
      cause: error,
    });
  }
}
