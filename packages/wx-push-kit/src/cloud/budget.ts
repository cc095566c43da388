/**
 * The time this invocation may still use. SCF (the runtime under 云函数) hands each invocation its limit
 * as `context.time_limit_in_ms`; a function created by a DevTools upload runs with the platform's default
 * (3 s) whatever cloudbaserc.json says, so the limit is read per invocation, not assumed.
 * Source: cloud.tencent.com/document/product/583/11060 (Node.js 函数 context 参数: time_limit_in_ms).
 */
export function timeLimitOf(context: unknown): number | undefined {
  if (typeof context !== "object" || context === null) return undefined;
  const value = (context as Record<string, unknown>)["time_limit_in_ms"];
  const limit = typeof value === "string" ? Number(value) : value;
  return typeof limit === "number" && Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

/** Kept free at the end of an invocation: returning the answer and logging must still fit. */
export const DEADLINE_MARGIN_MS = 400;

/**
 * When this push's work must end (absolute ms): the invocation's limit minus a margin, measured from
 * `startedAt`; without a limit, `fallbackMs` (the cloud-call bound) from the start.
 */
export function deadlineOf(context: unknown, startedAt: number, fallbackMs: number): number {
  const limit = timeLimitOf(context);
  return limit === undefined ? startedAt + fallbackMs : startedAt + Math.max(0, limit - DEADLINE_MARGIN_MS);
}
