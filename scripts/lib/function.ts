import path from "node:path";

/** The cloud function's name: its folder, `functionName` in the callback config and in cloudbaserc.json. */
export const FUNCTION_NAME = "messagePush";

export const ROOT = path.resolve(__dirname, "..", "..");
export const FUNCTIONS_DIR = path.join(ROOT, "cloudfunctions");
export const FUNCTION_DIR = path.join(FUNCTIONS_DIR, FUNCTION_NAME);
/** What DevTools uploads and the runtime loads: `exports.main`. */
export const BUILT_ENTRY = path.join(FUNCTION_DIR, "index.js");
export const SOURCE_ENTRY = path.join(FUNCTION_DIR, "src", "index.ts");
/** The HTTP-trigger door, bundled apart into http.js so the push path never loads it. */
export const HTTP_DOOR_ENTRY = path.join(FUNCTION_DIR, "src", "cloud", "http-trigger-door.ts");
