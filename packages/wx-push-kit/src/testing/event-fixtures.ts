import fs from "node:fs";
import path from "node:path";
import { readConversation, readEvent } from "../cli/lib/fixtures";
import { ROOT } from "../cli/lib/function";

/** Where a project keeps its recorded pushes, one event per file. */
export const EVENTS_DIR = path.join(ROOT, "test", "fixtures", "events");

/** Where a project keeps recorded conversations: one user's pushes in order, one conversation per file. */
export const CONVERSATIONS_DIR = path.join(ROOT, "test", "fixtures", "conversations");

export interface ConversationFixture {
  /** File name, e.g. "order-lookup.json". */
  name: string;
  steps: unknown[];
}

/** Every recorded conversation; none when the project has no conversations folder. */
export function loadConversationFixtures(folder = CONVERSATIONS_DIR): ConversationFixture[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => ({ name, steps: readConversation(path.join(folder, name)) }));
}

export interface EventFixture {
  /** File name, e.g. "text.emoji.json". */
  name: string;
  event: unknown;
}

/**
 * Every recorded event, read as the replay CLI reads it (64-bit numbers kept exact): a new file in
 * test/fixtures/events is a new test. What each must do is recorded beside the tests as a jest snapshot
 * (test/__snapshots__/): a changed reply is a readable diff, `npm test -- -u` re-records, and CI
 * (jest --ci) refuses a fixture without a recording.
 */
export function loadEventFixtures(folder = EVENTS_DIR): EventFixture[] {
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => ({ name, event: readEvent(path.join(folder, name)) }));
}

/** The sender's openid of a well-formed fixture; undefined for malformed ones. */
export function senderOf(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const from = (event as Record<string, unknown>)["FromUserName"];
  return typeof from === "string" ? from : undefined;
}

/**
 * What a replay is recorded as. A passive reply's CreateTime is the time of the reply: checked to be now
 * (within a minute), then written as "<now>" so the recording does not change from run to run.
 */
export function recorded(
  returned: unknown,
  calls: readonly unknown[],
): { returned: unknown; calls: unknown[] } {
  if (typeof returned === "object" && returned !== null && "CreateTime" in returned) {
    const at = returned.CreateTime;
    const now = Date.now() / 1000;
    if (typeof at !== "number" || Math.abs(at - now) > 60)
      throw new Error(`passive reply CreateTime ${String(at)} is not now`);
    return { returned: { ...returned, CreateTime: "<now>" }, calls: [...calls] };
  }
  return { returned, calls: [...calls] };
}

/** Invariants no recording may break: malformed and unknown pushes are never answered. */
export function mustStaySilent(name: string): boolean {
  return name.startsWith("malformed.") || name.startsWith("unknown.");
}
