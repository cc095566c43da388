// The console log the cloud function writes: one line per entry, fields as JSON, and a field that cannot be
// serialised (a cycle, a BigInt) never costs the line itself.
import { createConsoleLog } from "../../src/core/log";

test.each([
  [
    "a cycle",
    (() => {
      const cycle: Record<string, unknown> = {};
      cycle["self"] = cycle;
      return cycle;
    })(),
  ],
  ["a BigInt", 10n],
])("fields holding %s are replaced by a note; the message still goes out", (_label, value) => {
  const lines: string[] = [];
  const spy = jest.spyOn(console, "warn").mockImplementation((line: string) => void lines.push(line));
  try {
    createConsoleLog().warn("去重存储慢 store slow", { key: "msg:1", value });
  } finally {
    spy.mockRestore();
  }
  expect(lines).toEqual(["[messagePush] 去重存储慢 store slow (fields not serialisable)"]);
});
