import type { Send } from "./reply";
import { classifyFailure } from "./send-errors";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Pause before each retry (the last value repeats). */
  backoffMs: readonly number[];
}

/** Three attempts, 0.3 s then 1 s apart: enough to ride out a busy (-1) answer or a dropped connection. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: [300, 1000] };

export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A send that did not finish before the push's deadline; transient (the message may still go out later). */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
  readonly code = "timeout";
  constructor(ms: number) {
    super(
      `[message-push] 发送超出本次推送的时限 send timed out: the push's time budget ended after ${ms} ms`,
    );
  }
}

/**
 * Retries transient failures in-process, with backoff, and never past `deadline` (absolute ms): in a cloud
 * function the instance is frozen or killed at its time limit, so a send that would outlive it is cut short
 * and a retry that cannot finish in time is not started. Permanent failures are thrown at once.
 */
export function retryingSend(
  send: Send,
  policy: RetryPolicy,
  deadline: number | undefined,
  clock: RetryClock,
): Send {
  // A retry is only worth starting if it has this long to run.
  const minimumAttemptMs = 500;
  return async (payload) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await withinDeadline(send(payload), deadline, clock);
        return;
      } catch (error) {
        const pause = policy.backoffMs[Math.min(attempt - 1, policy.backoffMs.length - 1)] ?? 0;
        const timeLeft = deadline === undefined ? Infinity : deadline - clock.now();
        if (
          attempt >= policy.attempts ||
          classifyFailure(error) !== "transient" ||
          timeLeft < pause + minimumAttemptMs
        ) {
          throw error;
        }
        await clock.sleep(pause);
      }
    }
  };
}

async function withinDeadline<T>(
  work: Promise<T>,
  deadline: number | undefined,
  clock: RetryClock,
): Promise<T> {
  if (deadline === undefined) return work;
  const left = deadline - clock.now();
  if (left <= 0) {
    work.catch(() => {}); // it may still settle; nobody waits for it
    throw new DeadlineError(0);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError(left)), left);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
  }
}
