import type { Send } from "./reply";
import { classifyFailure, isTokenRejected, mayHaveBeenDelivered } from "./send-errors";
import type { Clock } from "./clock";
import { withTimeLimit } from "./time-limit";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Pause before each retry (the last value repeats). */
  backoffMs: readonly number[];
}

/** Three attempts, 0.3 s then 1 s apart: enough to ride out a busy (-1) answer or a dropped connection. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: [300, 1000] };

/** A send cut short by the push's deadline (transient). */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
  readonly code: "timeout" | "not-started";
  /** The request had gone out, so WeChat may have delivered it; false: it was never attempted. */
  readonly started: boolean;
  constructor(ms: number, started = true) {
    super(
      started
        ? `[message-push] 发送超出本次推送的时限 send timed out: the push's time budget ended after ${ms} ms`
        : "[message-push] 本次推送已无剩余时间，未发送 no time left for this push: not sent",
    );
    this.started = started;
    this.code = started ? "timeout" : "not-started";
  }
}

/**
 * Retries failures that WeChat reported as transient (e.g. -1 busy) or where the request never left, with
 * backoff, and never past `deadline` (absolute ms): in a cloud function the instance is frozen or killed at
 * its time limit, so a send that would outlive it is cut short and a retry that cannot finish in time is
 * not started. A send whose outcome is unknown (timed out, connection reset) is not retried: it may have
 * been delivered, and a second 「收到」 is what dedupe exists to prevent. Permanent failures are thrown at once.
 */
export function retryingSend(
  send: Send,
  policy: RetryPolicy,
  deadline: number | undefined,
  clock: Clock,
): Send {
  return retryingCall(send, policy, deadline, clock, false);
}

/**
 * Any call to WeChat under the same rules as a send. `repeatable`: doing it twice does no harm (an upload
 * makes a second media_id nobody sees), so an unknown outcome is retried too.
 */
export function retryingCall<A, R>(
  call: (argument: A) => Promise<R>,
  policy: RetryPolicy,
  deadline: number | undefined,
  clock: Clock,
  repeatable: boolean,
): (argument: A) => Promise<R> {
  // A retry is only worth starting if it has this long to run.
  const minimumAttemptMs = 500;
  return async (argument) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await withinDeadline(() => call(argument), deadline, clock);
      } catch (error) {
        const pause = policy.backoffMs[Math.min(attempt - 1, policy.backoffMs.length - 1)] ?? 0;
        const timeLeft = deadline === undefined ? Infinity : deadline - clock.now();
        if (
          attempt >= policy.attempts ||
          classifyFailure(error) !== "transient" ||
          (!repeatable && mayHaveBeenDelivered(error)) ||
          // The HTTPS sender refreshes a refused token and tries once itself; no second layer of retries.
          isTokenRejected(error) ||
          timeLeft < pause + minimumAttemptMs
        ) {
          throw error;
        }
        await clock.sleep(pause);
      }
    }
  };
}

/** Runs `start` only if time is left, and gives up on it at the deadline (it may still settle; nobody waits). */
export async function withinDeadline<T>(
  start: () => Promise<T>,
  deadline: number | undefined,
  clock: Clock,
): Promise<T> {
  if (deadline === undefined) return start();
  // Checked before the request goes out: past the deadline, nothing is sent at all.
  const left = deadline - clock.now();
  if (left <= 0) throw new DeadlineError(0, false);
  return withTimeLimit(start(), left, () => new DeadlineError(left));
}
