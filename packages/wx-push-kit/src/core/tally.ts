import type { Log } from "./log";

/**
 * Counts repeated log events instead of writing a line each: the first of a reason in a window is logged at
 * once, the rest of that window as one line with a count. A flood of refused requests (each a line before)
 * costs one line per reason per window.
 */
export interface Tally {
  count(reason: string, fields?: Record<string, unknown>): void;
}

export function createTally(log: Log, level: "warn" | "error", windowMs = 10_000): Tally {
  const open = new Map<string, number>(); // reason → occurrences after the first, in the open window
  const flush = (reason: string) => {
    const more = open.get(reason) ?? 0;
    open.delete(reason);
    if (more > 0)
      log[level](`${reason}（${windowMs / 1000} 秒内又有 ${more} 次 ×${more} more in ${windowMs / 1000} s）`);
  };
  return {
    count(reason, fields) {
      const seen = open.get(reason);
      if (seen !== undefined) {
        open.set(reason, seen + 1);
        return;
      }
      log[level](reason, fields);
      open.set(reason, 0);
      // unref: a pending summary never keeps a process (or a cloud function instance) alive.
      setTimeout(flush, windowMs, reason).unref();
    },
  };
}
