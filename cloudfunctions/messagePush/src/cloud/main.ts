import { handlePush } from "../core/handle-push";
import type { Log } from "../core/log";
import type { Send } from "../core/reply";
import type { Router } from "../core/router";
import type { CloudSdk } from "./sdk";

export interface CloudPorts {
  sdk: () => CloudSdk;
  log: Log;
  /** Defaults to customerServiceMessage.send through the SDK. */
  send?: Send;
}

export type CloudMain = (
  event: unknown,
  context?: unknown,
) => Promise<"success">;

/**
 * The cloud-push door: WeChat invokes the function with the message itself as `event` (unified JSON,
 * no signature: the platform already authenticated it) and expects "success".
 */
export function createMain(app: Router, ports: CloudPorts): CloudMain {
  const send = ports.send ?? createCloudSend(ports.sdk);
  return async (event) => {
    await handlePush(event, app, {
      send,
      log: ports.log,
      // The platform sets OPENID to the sender for a push; FromUserName is the same openid.
      recipientOf: (message) =>
        ports.sdk().getWXContext().OPENID || message.FromUserName,
    });
    return "success";
  };
}

export function createCloudSend(sdk: () => CloudSdk): Send {
  return async (payload) => {
    await sdk().openapi.customerServiceMessage.send(payload);
  };
}
