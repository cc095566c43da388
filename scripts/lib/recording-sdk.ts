// A stand-in for wx-server-sdk that records cloud calls instead of making them. Used by `npm run replay`
// (installed in require's cache) and by jest (`jest.mock("wx-server-sdk", …)`): the same module boundary
// the real SDK sits on, so the built index.js runs unchanged.
import type { CloudSdk, SendPayload, WxContext } from "../../server";
import type { FakeDatabase } from "./fake-database";
import { createFakeDatabase } from "./fake-database";

export type RecordedCall =
  | { api: "customerServiceMessage.send"; data: SendPayload }
  | { api: "customerServiceMessage.setTyping"; data: { touser: string; command: "Typing" | "CancelTyping" } };

export interface RecordingSdk extends CloudSdk {
  DYNAMIC_CURRENT_ENV: symbol;
  init(options: { env: symbol | string; timeout?: number }): void;
  /** Every cloud call made since the last reset, in order. */
  readonly calls: RecordedCall[];
  /** What getWXContext() answers: set it per event, as the platform does. */
  context: WxContext;
  /** The database behind `database()`: the dedupe store's records live here. */
  readonly db: FakeDatabase;
  /** Makes the next sends fail with this error (then succeed again), to replay failures. */
  failNextSends(error: Error, times?: number): void;
  /** Makes the next sends never answer, like a hung gateway. */
  hangNextSends(times: number): void;
  reset(): void;
}

export function createRecordingSdk(): RecordingSdk {
  let failures: { error: Error; left: number } | undefined;
  let hangs = 0;
  const db = createFakeDatabase();
  const sdk: RecordingSdk = {
    db,
    database: () => db,
    DYNAMIC_CURRENT_ENV: Symbol("DYNAMIC_CURRENT_ENV"),
    init() {},
    calls: [],
    context: {},
    getWXContext: () => ({ ...sdk.context }),
    openapi: {
      customerServiceMessage: {
        send: (payload) => {
          if (hangs > 0) {
            hangs -= 1;
            return new Promise(() => {}); // a cloud call that never answers
          }
          if (failures !== undefined && failures.left > 0) {
            failures.left -= 1;
            return Promise.reject(failures.error);
          }
          // A deep copy: what was sent, not an object the caller may change later.
          sdk.calls.push({
            api: "customerServiceMessage.send",
            data: structuredClone(payload),
          });
          return Promise.resolve({
            errCode: 0,
            errMsg: "openapi.customerServiceMessage.send:ok",
          });
        },
        setTyping: (request) => {
          sdk.calls.push({ api: "customerServiceMessage.setTyping", data: { ...request } });
          return Promise.resolve({ errCode: 0, errMsg: "openapi.customerServiceMessage.setTyping:ok" });
        },
      },
    },
    failNextSends(error, times = 1) {
      failures = { error, left: times };
    },
    hangNextSends(times) {
      hangs = times;
    },
    reset() {
      sdk.calls.length = 0;
      sdk.context = {};
      failures = undefined;
      hangs = 0;
      db.reset();
    },
  };
  return sdk;
}

/** The shared instance jest's module mock and the replay CLI hand to the built function. */
export const recordingSdk = createRecordingSdk();
