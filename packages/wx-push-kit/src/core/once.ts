// Work done at most once per push, whoever handles it (a model's answer, an order created): the work is
// marked started in the state store before it runs and its result kept there when it ends, so a rerun (a
// state conflict) or a later delivery (a claim taken over) reuses the result and never runs the work again.
import type { Log } from "./log";
import { messageOf } from "./local-first-store";
import type { StateStore } from "./state";

export type Once = <T>(name: string, produce: () => Promise<T>) => Promise<T>;

/** Why `once` gives no result: it failed before, it is running elsewhere, or it started and never ended. */
export type OnceReason = "failed" | "running" | "abandoned";

/** The work was not run here, and there is no result to give (see `reason`). */
export class OnceError extends Error {
  override readonly name = "OnceError";
  constructor(
    readonly reason: OnceReason,
    readonly work: string,
    detail: string,
  ) {
    super(`[message-push] ${work}: ${detail}`);
  }
}

/** How long a push's once-only records are kept: past every redelivery (WeChat's take ~15 s). */
export const ONCE_TTL_MS = 24 * 60 * 60 * 1000;

type OnceRecord = { started: number; until: number } | { result: unknown } | { failed: string };

function asOnceRecord(value: unknown): OnceRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if ("result" in value) return value;
  const record = value as Record<string, unknown>;
  if (typeof record["failed"] === "string") return { failed: record["failed"] };
  if (typeof record["started"] === "number" && typeof record["until"] === "number")
    return { started: record["started"], until: record["until"] };
  return undefined;
}

export interface OnceDeps {
  state: StateStore;
  log: Log;
  now: () => number;
  /** Until when a started run may still be working (the push's deadline): past it, it was abandoned. */
  until: () => number;
}

/**
 * `once` for one push. A store that cannot be read or written does not stop the work (the bot is never
 * silenced by an outage): it runs, and a redelivery during the outage could run it again; logged.
 */
export function onceFor(pushKey: string, deps: OnceDeps): Once {
  const { state, log, now, until } = deps;
  return async <T>(name: string, produce: () => Promise<T>): Promise<T> => {
    const key = `once:${pushKey}:${name}`;
    const unstored = (what: string) => (error: unknown) => {
      log.warn(`状态存储不可用，${what} state store unavailable: ${name} may run again on a redelivery`, {
        error: messageOf(error),
      });
      return undefined;
    };
    const found = await state.read(key).catch(unstored("无法确认是否已执行"));
    const record = asOnceRecord(found?.value);
    if (record !== undefined) {
      if ("result" in record) return record.result as T;
      if ("failed" in record) throw new OnceError("failed", name, `failed before: ${record.failed}`);
      throw record.until > now()
        ? new OnceError("running", name, "another delivery of this push is running it")
        : new OnceError("abandoned", name, "started by a delivery that never finished it");
    }
    const started = await state
      .write(key, { started: now(), until: until() }, found?.version, ONCE_TTL_MS)
      .catch(unstored("无法记录开始"));
    // Another delivery marked it started between our read and write: it is theirs to run.
    if (started === "conflict")
      throw new OnceError("running", name, "another delivery of this push started it first");
    let result: T;
    try {
      result = await produce();
    } catch (error) {
      if (started !== undefined)
        await state
          .write(key, { failed: messageOf(error) }, started, ONCE_TTL_MS)
          .catch(unstored("失败未能记录"));
      throw error;
    }
    if (started !== undefined)
      await state.write(key, { result }, started, ONCE_TTL_MS).catch(unstored("结果未能保存"));
    return result;
  };
}

/** Without a pipeline (a lone handler test) there is nothing to remember: the work runs. */
export const runNow: Once = (_name, produce) => produce();
