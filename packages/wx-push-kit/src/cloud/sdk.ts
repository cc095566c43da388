import type { SendPayload } from "../core/reply";
import type { DedupeDatabase } from "./database-store";

/** What getWXContext() returns; wx-server-sdk reads it from the function's environment. */
export interface WxContext {
  OPENID?: string;
  APPID?: string;
  UNIONID?: string;
  ENV?: string;
  /** Who invoked the function, e.g. "wx_client" (a mini program), chained as "wx_client,scf". */
  SOURCE?: string;
}

/** The part of wx-server-sdk this function uses, typed (the SDK types `openapi` as any). */
export interface CloudSdk {
  getWXContext(): WxContext;
  database(): DedupeDatabase;
  openapi: {
    customerServiceMessage: {
      send(payload: SendPayload): Promise<unknown>;
      setTyping(request: { touser: string; command: "Typing" | "CancelTyping" }): Promise<unknown>;
      uploadTempMedia(request: {
        type: "image";
        media: { contentType: string; value: Buffer };
      }): Promise<unknown>;
      getTempMedia(request: { mediaId: string }): Promise<unknown>;
    };
  };
  /** Cloud storage: a fileID's bytes. */
  downloadFile(request: { fileID: string }): Promise<{ fileContent: Buffer }>;
}

/**
 * wx-server-sdk as a handler reaches it (`ctx.cloud()`): its own types for the database, storage and
 * functions, and `openapi` typed for the customer-service calls (the SDK declares no `openapi`); any other
 * cloud call by index, e.g. `cloud.openapi["subscribeMessage"]?.["send"]?.({…})`, declared in config.json.
 */
export type WxCloud = Omit<typeof import("wx-server-sdk"), "openapi"> & {
  openapi: CloudSdk["openapi"] &
    Record<string, Record<string, (request: object) => Promise<unknown>> | undefined>;
};

interface WxServerSdkModule extends CloudSdk {
  DYNAMIC_CURRENT_ENV: symbol;
  init(options: { env: symbol | string; timeout?: number }): void;
}

/** Cloud calls must end well inside WeChat's 5-second push budget; the SDK's default is 15 s. */
export const OPENAPI_TIMEOUT_MS = 3000;

/**
 * Loads and initialises wx-server-sdk on first use (~200 ms): module load stays light, and the HTTP-trigger
 * door's refusals (bad signature, bad body) never pay it. A cloud push loads it at once (getWXContext).
 */
export function lazyCloudSdk(): () => CloudSdk {
  let sdk: CloudSdk | undefined;
  return () => {
    if (sdk === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment -- lazy on purpose, typed by WxServerSdkModule
      const cloud: WxServerSdkModule = require("wx-server-sdk");
      cloud.init({
        env: cloud.DYNAMIC_CURRENT_ENV,
        timeout: OPENAPI_TIMEOUT_MS,
      });
      sdk = cloud;
    }
    return sdk;
  };
}
