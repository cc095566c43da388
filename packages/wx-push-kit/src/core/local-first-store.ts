import type { Claim, Store } from "./dedupe";
import type { Log } from "./log";
import type { PassiveReply } from "./passive";
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
  // A shared claim that timed out here may still land later. Left alone it would be a claim nobody holds:
  // every redelivery would see "busy" until it lapsed, and under the closed policy the push would be lost.
  // So it is settled as the local claim was (or will be): released, or completed with the same reply.
  const late = new Map<string, { landed?: string; settled?: Settlement }>(); // by local lease
  const settleShared = (key: string, lease: string, how: Settlement) =>
    how.release ? shared.release(key, lease) : shared.complete(key, lease, how.reply);
  const watchLate = (key: string, localLease: string, asked: Promise<Claim>, ttlMs: number) => {
    const entry: { landed?: string; settled?: Settlement } = {};
    late.set(localLease, entry);
    // Never kept past the claim's own life, whatever the shared store does.
    setTimeout(() => late.delete(localLease), ttlMs).unref();
    asked.then(
      (claim) => {
        if (claim.status !== "claimed") return void late.delete(localLease);
        if (entry.settled === undefined) return void (entry.landed = claim.lease);
        late.delete(localLease);
        settleShared(key, claim.lease, entry.settled).catch((error: unknown) =>
          outage.count("迟到的去重占用未能清理 a late dedupe claim could not be settled", {
            error: messageOf(error),
          }),
        );
      },
      () => late.delete(localLease),
    );
  };
  const settle = async (key: string, lease: string, how: Settlement) => {
    const [mine, theirs] = split(lease);
    await (how.release ? local.release(key, mine) : local.complete(key, mine, how.reply));
    if (theirs !== "") return bounded(settleShared(key, theirs, how), callTimeoutMs);
    const orphan = late.get(mine);
    if (orphan === undefined) return;
    if (orphan.landed === undefined) return void (orphan.settled = how);
    late.delete(mine);
    await bounded(settleShared(key, orphan.landed, how), callTimeoutMs);
  };

  return {
    async claim(key, ttlMs): Promise<Claim> {
      const mine = await local.claim(key, ttlMs);
      if (mine.status !== "claimed") return mine;
      const asked = shared.claim(key, ttlMs);
      let theirs: Claim;
      try {
        theirs = await bounded(asked, callTimeoutMs);
      } catch (error) {
        watchLate(key, mine.lease, asked, ttlMs);
        if (policy === "closed") {
          await settle(key, `${mine.lease}:`, { release: true });
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
    complete: (key, lease, reply) =>
      settle(key, lease, { release: false, ...(reply === undefined ? {} : { reply }) }),
    release: (key, lease) => settle(key, lease, { release: true }),
  };
}

/** How a claim ended: released for a retry, or completed (with the passive reply it was answered with). */
type Settlement = { release: true } | { release: false; reply?: PassiveReply };

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
