import fs from "node:fs";
import path from "node:path";

export const EVENTS_DIR = path.join(__dirname, "..", "fixtures", "events");

export interface EventFixture {
  /** File name, e.g. "text.emoji.json": the part before the first dot-case says what is expected. */
  name: string;
  event: unknown;
}

/** Every recorded event, read raw: a new file in test/fixtures/events is a new test. */
export function loadEventFixtures(): EventFixture[] {
  return fs
    .readdirSync(EVENTS_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => ({
      name,
      event: JSON.parse(fs.readFileSync(path.join(EVENTS_DIR, name), "utf8")) as unknown,
    }));
}

/** The sender's openid of a well-formed fixture; undefined for malformed ones. */
export function senderOf(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const from = (event as Record<string, unknown>)["FromUserName"];
  return typeof from === "string" ? from : undefined;
}
