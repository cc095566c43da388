import fs from "node:fs";
import path from "node:path";
import type { SendPayload } from "../../cloudfunctions/messagePush/src/core/reply";
import { ACKNOWLEDGEMENT } from "../../cloudfunctions/messagePush/src/handlers/acknowledge";
import { GREETING } from "../../cloudfunctions/messagePush/src/handlers/user-enter-tempsession";

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

/** What the default app must send for each kind of fixture, keyed by the file name's first part. */
const EXPECTED: Record<string, (openid: string) => SendPayload[]> = {
  "text.transfer": () => [],
  text: (openid) => [acknowledgement(openid, ACKNOWLEDGEMENT)],
  image: (openid) => [acknowledgement(openid, ACKNOWLEDGEMENT)],
  miniprogrampage: (openid) => [acknowledgement(openid, ACKNOWLEDGEMENT)],
  "event.user_enter_tempsession": (openid) => [acknowledgement(openid, GREETING)],
  unknown: () => [],
  malformed: () => [],
};

function acknowledgement(touser: string, content: string): SendPayload {
  return { touser, msgtype: "text", text: { content } };
}

/** The send payloads a fixture must produce; throws for a file name that states no expectation. */
export function expectedPayloads(name: string, openid: string): SendPayload[] {
  const key = Object.keys(EXPECTED)
    .sort((a, b) => b.length - a.length)
    .find((prefix) => name === `${prefix}.json` || name.startsWith(`${prefix}.`));
  const expected = key === undefined ? undefined : EXPECTED[key];
  if (expected === undefined) throw new Error(`fixture ${name} does not start with a known kind`);
  return expected(openid);
}

/**
 * What main() must return for a fixture: the hand-over to human agents for `text.transfer*` (a passive
 * reply, fields as the platform documents them), "success" for everything else.
 */
export function expectedReturn(name: string, event: unknown, openid: string): unknown {
  if (!name.startsWith("text.transfer")) return "success";
  return {
    MsgType: "transfer_customer_service",
    ToUserName: openid,
    FromUserName: (event as Record<string, unknown>)["ToUserName"],
    CreateTime: expect.any(Number) as unknown,
  };
}
