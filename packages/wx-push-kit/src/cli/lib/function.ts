import fs from "node:fs";
import path from "node:path";

// Where the project is: the folder the command runs in (npm runs scripts from the project root), or
// WX_PUSH_ROOT. The kit's own tests point it at their fixture project.
export const ROOT = path.resolve(process.env["WX_PUSH_ROOT"] ?? process.cwd());

/**
 * The cloud function's name: its folder, `functionName` in the callback config and in cloudbaserc.json
 * (the first function listed there), "messagePush" by default.
 */
export const FUNCTION_NAME = functionNameOf(ROOT);

/** The function's timeout in seconds as cloudbaserc.json sets it (what `npm run deploy` applies), 5 without. */
export const FUNCTION_TIMEOUT_S = functionTimeoutOf(ROOT);

/** The runtime cloudbaserc.json deploys on (e.g. "Nodejs20.19"); undefined when it names none. */
export const FUNCTION_RUNTIME = functionFieldOf(ROOT, "runtime");

/**
 * Node runtimes older than this are past their end of life upstream (Node 18: 2025-04); a function's
 * runtime cannot be changed once it is created (docs.cloudbase.net/cloud-function/runtime-support).
 */
export const OLDEST_CURRENT_NODE = 20;

/** The Node major of a runtime name ("Nodejs18.15" → 18), undefined for another language. */
export function nodeMajorOf(runtime: string | undefined): number | undefined {
  const found = /^Nodejs(\d+)/.exec(runtime ?? "");
  return found?.[1] === undefined ? undefined : Number(found[1]);
}

function functionFieldOf(root: string, field: string): string | undefined {
  try {
    const rc = JSON.parse(fs.readFileSync(path.join(root, "cloudbaserc.json"), "utf8")) as {
      functions?: Record<string, unknown>[];
    };
    const value = rc.functions?.[0]?.[field];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

export const FUNCTIONS_DIR = path.join(ROOT, "cloudfunctions");
export const FUNCTION_DIR = path.join(FUNCTIONS_DIR, FUNCTION_NAME);
/** What DevTools uploads and the runtime loads: `exports.main`. */
export const BUILT_ENTRY = path.join(FUNCTION_DIR, "index.js");
export const SOURCE_ENTRY = path.join(FUNCTION_DIR, "src", "index.ts");
/** The user's bot: `export function createBot(): Router`, which serve and the playground load. */
export const BOT_ENTRY = path.join(FUNCTION_DIR, "src", "bot.ts");
/** The kit's own folder (its package.json beside src/). */
export const KIT_ROOT = path.resolve(__dirname, "..", "..", "..");
/** The HTTP-trigger door, from the kit, bundled apart into http.js so the push path never loads it. */
export const HTTP_DOOR_ENTRY = path.join(KIT_ROOT, "src", "cloud", "http-trigger-door.ts");

function functionTimeoutOf(root: string): number {
  try {
    const rc = JSON.parse(fs.readFileSync(path.join(root, "cloudbaserc.json"), "utf8")) as {
      functions?: { timeout?: unknown }[];
    };
    const timeout = rc.functions?.[0]?.timeout;
    if (typeof timeout === "number" && timeout > 0 && timeout <= 900) return timeout;
  } catch {
    // no cloudbaserc.json, or not JSON: the default
  }
  return 5;
}

function functionNameOf(root: string): string {
  try {
    const rc = JSON.parse(fs.readFileSync(path.join(root, "cloudbaserc.json"), "utf8")) as {
      functions?: { name?: unknown }[];
    };
    const name = rc.functions?.[0]?.name;
    if (typeof name === "string" && /^[A-Za-z][A-Za-z0-9_-]{0,59}$/.test(name)) return name;
  } catch {
    // no cloudbaserc.json, or not JSON: the default name
  }
  return "messagePush";
}

/** A command installed in the project (node_modules/.bin, looked for upward from the project), else by name. */
export function binOf(name: string, from = ROOT): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    const candidate = path.join(folder, "node_modules", ".bin", name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(folder) === folder) return name;
  }
}
