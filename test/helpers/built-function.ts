// Loads the BUILT cloudfunctions/messagePush/index.js the way the runtime does on a cold start: a fresh
// module registry each call, with wx-server-sdk answered by a fresh recorder (see the jest.mock in the test).
import { BUILT_ENTRY } from "../../scripts/lib/function";
import type { RecordingSdk } from "../../scripts/lib/recording-sdk";

export type Main = (event: unknown, context: unknown) => Promise<unknown>;

export function coldStart(): { main: Main; sdk: RecordingSdk } {
  jest.resetModules();
  const { recordingSdk } = require("../../scripts/lib/recording-sdk") as {
    recordingSdk: RecordingSdk;
  };
  const { main } = require(BUILT_ENTRY) as { main: Main };
  return { main, sdk: recordingSdk };
}
