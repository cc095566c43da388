import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BUILT_ENTRY, FUNCTION_DIR, KIT_ROOT } from "./function";

const SOURCE_DIR = path.join(FUNCTION_DIR, "src");
/** The kit is built into the function too: a kit update (or a maintainer's edit) makes the build stale. */
const KIT_SOURCE_DIR = path.join(KIT_ROOT, "src");
const MARK = "// src: ";

/** Every file under src/, sorted by path. */
function sourceFiles(folder = SOURCE_DIR): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(folder, entry.name);
      return entry.isDirectory() ? sourceFiles(full) : [full];
    })
    .sort();
}

/**
 * A digest of src/ and of the kit's sources (paths and contents). The build writes it into index.js; a build whose digest differs
 * is stale. Contents rather than modification times: a checkout, a copy or a same-second save all keep
 * times that say nothing about what changed.
 */
export function sourceDigest(): string {
  const hash = createHash("sha256");
  for (const folder of [SOURCE_DIR, KIT_SOURCE_DIR])
    for (const file of sourceFiles(folder))
      hash.update(path.relative(folder, file)).update("\0").update(fs.readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 16);
}

export function digestLine(): string {
  return `${MARK}${sourceDigest()}`;
}

/** Why the built index.js does not reflect src/ (missing, or built from other sources); undefined when current. */
export function staleBuild(entry = BUILT_ENTRY): string | undefined {
  if (!fs.existsSync(entry)) return "还没有构建 (not built yet)";
  const head = fs.readFileSync(entry, "utf8").slice(0, 400);
  return head.includes(digestLine()) ? undefined : "src/ 有改动 (src/ changed since the last build)";
}
