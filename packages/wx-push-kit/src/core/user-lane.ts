import type { UserLane } from "./reply";

/**
 * One lane per user in this instance: a push's messages to a user go out together, after those of the push
 * before, so two pushes of one user never interleave their parts. (Across instances, order is WeChat's.)
 */
export function createUserLanes(): UserLane {
  const tails = new Map<string, Promise<unknown>>();
  return (touser, work) => {
    const before = tails.get(touser) ?? Promise.resolve();
    const run = before.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(touser, tail);
    // The last in line clears the lane, so the map holds only users with messages on their way.
    void tail.then(() => {
      if (tails.get(touser) === tail) tails.delete(touser);
    });
    return run;
  };
}
