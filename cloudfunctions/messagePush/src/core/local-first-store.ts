import type { Claim, Store } from "./dedupe";
import type { Log } from "./log";
import { createMemoryStore } from "./memory-store";
import { createTally } from "./tally";
import { withTimeLimit } from "./time-limit";

/** What to do while the shared dedupe store fails: answer (deduplicating in memory) or stay silent. */
export type DedupeFailurePolicy = "open" | "closed";

/**
 * This instance's memory in front of the shared store. Every claim is taken here first, so within one
 * instance a push is answered once even while the shared store is down or cannot record "done"; the
 * shared store then decides between instances.
 * While the shared store fails, "open" (the default) answers on the local claim alone: a duplicate
 * 「收到」 from another instance costs far less than no answer, and WeChat may not redeliver a cloud push
 * at all. "closed" refuses the claim, so the push is not handled.
 */
export function createLocalFirstStore(
  shared: Store,
  policy: DedupeFailurePolicy,
  log: Log,
  now: () => number = Date.now,
  rememberMs?: number,
  /** A shared-store call slower than this counts as the store being down: answering beats waiting. */
  callTimeoutMs = 1500,
): Store {
  const local = createMemoryStore({ now, ...(rememberMs === undefined ? {} : { doneTtlMs: rememberMs }) });
  const outage = createTally(log, "error");
  // A lease names both claims, "<local>:<shared>"; the shared part is empty when the shared store was down.
  const split = (lease: string): [string, string] => {
    const at = lease.indexOf(":");
    return [lease.slice(0, at), lease.slice(at + 1)];
  };
  return {
    async claim(key, ttlMs): Promise<Claim> {
      const mine = await local.claim(key, ttlMs);
      if (mine.status !== "claimed") return mine;
      let theirs: Claim;
      try {
        theirs = await bounded(shared.claim(key, ttlMs), callTimeoutMs);
      } catch (error) {
        if (policy === "closed") {
          await local.release(key, mine.lease);
          throw error;
        }
        outage.count(
          "去重存储不可用，改用本实例内存去重并照常回复 dedupe store unavailable, deduplicating in memory",
          {
            error: messageOf(error),
          },
        );
        return { status: "claimed", lease: `${mine.lease}:` };
      }
      if (theirs.status === "claimed") return { status: "claimed", lease: `${mine.lease}:${theirs.lease}` };
      // Another instance has it: remember "done" here too, and give a busy key back.
      if (theirs.status === "done") await local.complete(key, mine.lease, theirs.reply);
      else await local.release(key, mine.lease);
      return theirs;
    },
    async complete(key, lease, reply) {
      const [mine, theirs] = split(lease);
      await local.complete(key, mine, reply);
      if (theirs !== "") await bounded(shared.complete(key, theirs, reply), callTimeoutMs);
    },
    async release(key, lease) {
      const [mine, theirs] = split(lease);
      await local.release(key, mine);
      if (theirs !== "") await bounded(shared.release(key, theirs), callTimeoutMs);
    },
  };
}

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  return withTimeLimit(
    work,
    ms,
    () => new Error(`去重存储 ${ms} ms 内没有响应 dedupe store gave no answer within ${ms} ms`),
  );
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
