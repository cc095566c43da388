import type { ParseArgsConfig } from "node:util";
import { parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs, with an unknown option answered by the closest known one ("--dryrun" → "did you mean
 * --dry-run?") and the command's help, instead of a stack or a bare TypeError.
 */
export function parseCommandArgs<O extends Options>(
  argv: readonly string[],
  options: O,
  help: string,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean }>> | string {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const known = Object.keys(options).map((name) => `--${name}`);
    const guess = unknown === undefined ? undefined : closest(unknown, known);
    return [
      unknown === undefined ? `参数不对 (bad arguments): ${message}` : `未知选项 unknown option ${unknown}`,
      ...(guess === undefined ? [] : [`是不是想用 did you mean ${guess}?`]),
      "",
      help,
    ].join("\n");
  }
}

/** The known option nearest to `given` (edit distance, ignoring case), if it is near at all. */
function closest(given: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(given.toLowerCase(), name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(best.name.length / 3))
    ? best.name
    : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1)
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length] ?? 0;
}
