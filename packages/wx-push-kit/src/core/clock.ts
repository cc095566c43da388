/**
 * The one clock port: what time it is, and waiting. Production uses the system's; tests pass their own, and
 * everything that reads time (freshness, dedupe memory, deadlines, retry pauses) takes it from here.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
