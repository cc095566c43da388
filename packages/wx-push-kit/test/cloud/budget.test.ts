// The cloud door's deadline: the invocation's time limit less a margin, so the answer and the log still fit
// before the platform freezes the instance.
import { deadlineOf, DEADLINE_MARGIN_MS, timeLimitOf } from "../../src/cloud/budget";

test("the deadline keeps a margin of at least 300 ms inside the invocation's time limit", () => {
  expect(DEADLINE_MARGIN_MS).toBeGreaterThanOrEqual(300);
  expect(deadlineOf({ time_limit_in_ms: 3000 }, 1_000, 9_999)).toBe(1_000 + 3000 - DEADLINE_MARGIN_MS);
  expect(deadlineOf({ time_limit_in_ms: "5000" }, 0, 9_999)).toBe(5000 - DEADLINE_MARGIN_MS);
  // A limit smaller than the margin leaves no time at all, never a deadline before the start.
  expect(deadlineOf({ time_limit_in_ms: 100 }, 50, 9_999)).toBe(50);
});

test("without a usable time limit, the fallback bound from the start", () => {
  for (const context of [undefined, null, {}, { time_limit_in_ms: 0 }, { time_limit_in_ms: "soon" }]) {
    expect(timeLimitOf(context)).toBeUndefined();
    expect(deadlineOf(context, 1_000, 3_000)).toBe(4_000);
  }
});
