import fs from "node:fs";
import path from "node:path";
import { ROUTE_TABLE, ROUTES } from "../../core/routes";

/**
 * Where a fixture goes in a folder's replay: conversations first (a user's messages, then entering the chat),
 * then notifications, unknown and malformed pushes; by name within each. The first thing `npm start` shows
 * is the bot answering a text.
 */
function rank(name: string): number {
  if (name.startsWith("malformed.")) return 4;
  if (name.startsWith("unknown.")) return 3;
  const route = ROUTES.find((candidate) => name.startsWith(`${candidate}.`));
  if (route === undefined) return 3;
  return { message: 0, event: 1, notification: 2 }[ROUTE_TABLE[route].kind];
}

/** Expands files and folders into the JSON files to replay, folders in replay order; missing ones reported. */
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
        .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
        .map((name) => path.join(target, name));
    });
  return { files, missing };
}

type JsonParser = { parse(text: string): unknown };
// A 64-bit MsgId written as a bare number (as a JSON body really carries it) stays exact: big integers are
// read as text, the way the developer-server door reads pushes. json-bigint is what wx-server-sdk uses too.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- json-bigint ships no ES module
const json = (require("json-bigint") as (options: object) => JsonParser)({ storeAsString: true });

/** A file under a `conversations` folder holds one user's pushes in order, not one push. */
export function isConversationFile(file: string): boolean {
  return path.basename(path.dirname(path.resolve(file))) === "conversations";
}

/** A recorded conversation: a non-empty JSON array of pushes, replayed in order to one warm instance. */
export function readConversation(file: string): unknown[] {
  const steps = readEvent(file);
  if (!Array.isArray(steps) || steps.length === 0)
    throw new Error(
      `${file}: 对话文件应是推送的数组（按顺序）(a conversation file is a JSON array of pushes, in order)`,
    );
  return steps;
}

/** Reads a recorded event as delivered (64-bit numbers kept exact); a syntax error names the file, line and column. */
export function readEvent(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return json.parse(text);
  } catch (error) {
    const { message, at } = error as { message?: unknown; at?: unknown };
    const detail = error instanceof Error ? error.message : String(message ?? error);
    // json-bigint says where it stopped (`at`, one past the offending character).
    const where =
      typeof at === "number"
        ? ` 第 ${lineAndColumn(text, at - 1).join(" 行第 ")} 列 (line ${lineAndColumn(text, at - 1).join(", column ")})`
        : "";
    throw new Error(`${file}:${where} 不是合法的 JSON (not valid JSON): ${detail}`, {
      cause: error,
    });
  }
}

function lineAndColumn(text: string, offset: number): [number, number] {
  const before = text.slice(0, Math.max(0, offset));
  return [before.split("\n").length, offset - before.lastIndexOf("\n")];
}
