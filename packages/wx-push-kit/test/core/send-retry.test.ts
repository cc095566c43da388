// Retries and the push's deadline, at their edges: exactly enough time left, exactly none.
import { classifyFailure, mayHaveBeenDelivered } from "../../src/core/send-errors";
import type { Clock } from "../../src/core/clock";
import { systemClock } from "../../src/core/clock";
import { DeadlineError, retryingSend, withinDeadline } from "../../src/core/send-retry";

const busy = () => Object.assign(new Error("system busy"), { errcode: -1 });

/** A clock standing at `at`; each sleep moves it on by what was asked. */
function steppingClock(at: number): Clock & { sleeps: number[] } {
  let now = at;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe("DeadlineError says whether the request had gone out", () => {
  test("started: a timeout, which may have been delivered, so it is not resent", () => {
    const error = new DeadlineError(2600);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "DeadlineError", code: "timeout", started: true });
    expect(error.message).toContain("after 2600 ms");
    expect(classifyFailure(error)).toBe("transient");
    expect(mayHaveBeenDelivered(error)).toBe(true);
  });

  test("not started: nothing went out, so WeChat's own retry may try again", () => {
    const error = new DeadlineError(0, false);
    expect(error).toMatchObject({ name: "DeadlineError", code: "not-started", started: false });
    expect(error.message).toContain("not sent");
    expect(classifyFailure(error)).toBe("transient");
    expect(mayHaveBeenDelivered(error)).toBe(false);
  });
});

describe("a retry starts only with its pause plus 500 ms still left", () => {
  test.each([
    ["exactly enough", 800, 2],
    ["one millisecond short", 799, 1],
  ])("%s (deadline in %i ms, pause 300)", async (_name, budget, expectedCalls) => {
    const clock = steppingClock(10_000);
    let calls = 0;
    const send = retryingSend(
      () => ((calls += 1), Promise.reject(busy())),
      { attempts: 3, backoffMs: [300] },
      10_000 + budget,
      clock,
    );
    await expect(send({ touser: "o", msgtype: "text", text: { content: "收到" } })).rejects.toMatchObject({
      errcode: -1,
    });
    expect(calls).toBe(expectedCalls);
  });

  test("the last backoff value repeats, and without a deadline only the attempt count stops it", async () => {
    const clock = steppingClock(0);
    let calls = 0;
    const send = retryingSend(
      () => ((calls += 1), Promise.reject(busy())),
      { attempts: 4, backoffMs: [100, 200] },
      undefined,
      clock,
    );
    await expect(send({ touser: "o", msgtype: "text", text: { content: "x" } })).rejects.toMatchObject({
      errcode: -1,
    });
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([100, 200, 200]);
  });
});

describe("withinDeadline", () => {
  test.each([
    ["at the deadline", 0],
    ["past it", -5_000],
  ])("%s nothing is started", async (_name, offset) => {
    const clock = steppingClock(50_000);
    const start = jest.fn(() => Promise.resolve("sent"));
    await expect(withinDeadline(start, 50_000 + offset, clock)).rejects.toMatchObject({
      name: "DeadlineError",
      started: false,
    });
    expect(start).not.toHaveBeenCalled();
  });

  test("one millisecond before it, the work starts and its result comes back", async () => {
    const clock = steppingClock(50_000);
    await expect(withinDeadline(() => Promise.resolve("sent"), 50_001, clock)).resolves.toBe("sent");
  });

  test("without a deadline the work simply runs", async () => {
    await expect(withinDeadline(() => Promise.resolve(7), undefined, steppingClock(0))).resolves.toBe(7);
  });

  describe("with real timers", () => {
    afterEach(() => jest.useRealTimers());

    test("a finished send leaves no timer behind (a cloud function would otherwise wait for it)", async () => {
      jest.useFakeTimers();
      await withinDeadline(() => Promise.resolve("sent"), Date.now() + 3_000, systemClock);
      expect(jest.getTimerCount()).toBe(0);
    });

    test("a send that hangs is abandoned at the deadline, as a started timeout", async () => {
      jest.useFakeTimers();
      const hanging = withinDeadline(() => new Promise<never>(() => {}), Date.now() + 1_000, systemClock);
      const settled = expect(hanging).rejects.toMatchObject({
        code: "timeout",
        started: true,
        message: expect.stringContaining("1000 ms") as string,
      });
      await jest.advanceTimersByTimeAsync(1_000);
      await settled;
    });
  });

  // Jest fails a test on an unhandled rejection (a listener on process would sit on jest's copy and see
  // nothing), so the scenario itself is the check: the late failure must be handled by the race.
  test("a send that fails after the deadline is not an unhandled rejection", async () => {
    let fail: (error: Error) => void = () => {};
    const late = new Promise<never>((_, reject) => (fail = reject));
    await expect(withinDeadline(() => late, Date.now() + 20, systemClock)).rejects.toMatchObject({
      code: "timeout",
    });
    fail(new Error("late failure"));
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
});
