import type { Store } from "../core/dedupe";
import { handlePush } from "../core/handle-push";
import type { Log } from "../core/log";
import { createMemoryStore } from "../core/memory-store";
import type { Send, SetTyping } from "../core/reply";
import type { Router } from "../core/router";
import { createDatabaseStore } from "./database-store";
import type { CloudSdk } from "./sdk";

export interface CloudPorts {
  sdk: () => CloudSdk;
  log: Log;
  /** Defaults to customerServiceMessage.send through the SDK. */
  send?: Send;
  /** Defaults to PUSH_DEDUPE_STORE: "database" (shared by all instances; the default) or "memory". */
  store?: Store;
  /** Defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export type CloudMain = (event: unknown, context?: unknown) => Promise<"success">;

/**
 * The cloud-push door: WeChat invokes the function with the message itself as `event` (unified JSON,
 * no signature: the platform authenticated it) and expects "success". `main` never throws: a thrown
 * function error is not documented to make the platform re-deliver, and would only hide the outcome.
 */
export function createMain(app: Router, ports: CloudPorts): CloudMain {
  const env = ports.env ?? process.env;
  const send = ports.send ?? createCloudSend(ports.sdk);
  const store = ports.store ?? storeFromEnv(env, ports.sdk);
  return async (event) => {
    const context = ports.sdk().getWXContext();
    const caller = clientCaller(context.SOURCE);
    if (caller !== undefined && env["PUSH_ALLOW_CLIENT"] !== "1") {
      ports.log.warn("refused: invoked by a mini program, not by message push", { source: context.SOURCE });
      return "success";
    }
    await handlePush(event, app, {
      send,
      store,
      typing: createCloudTyping(ports.sdk),
      log: ports.log,
      // For a push the platform sets OPENID to the sender, who is also FromUserName.
      recipientOf: (message) => context.OPENID || message.FromUserName,
    });
    return "success";
  };
}

/**
 * Any mini program can `wx.cloud.callFunction` this function with a forged push as `data`; getWXContext()
 * then reports SOURCE "wx_client" (or "wx_devtools"), possibly chained ("wx_client,scf"). The SOURCE of a
 * real push is undocumented, so refuse the known client values rather than allow-list a guess.
 */
export function clientCaller(source: string | undefined): string | undefined {
  return source
    ?.split(",")
    .map((part) => part.trim())
    .find((part) => part === "wx_client" || part === "wx_devtools");
}

export function storeFromEnv(env: Readonly<Record<string, string | undefined>>, sdk: () => CloudSdk): Store {
  const choice = env["PUSH_DEDUPE_STORE"] ?? "database";
  if (choice === "memory") return createMemoryStore();
  if (choice === "database") return createDatabaseStore(() => sdk().database());
  throw new TypeError(`[message-push] PUSH_DEDUPE_STORE must be "database" or "memory", got "${choice}"`);
}

export function createCloudTyping(sdk: () => CloudSdk): SetTyping {
  return async (touser, command) => {
    await sdk().openapi.customerServiceMessage.setTyping({ touser, command });
  };
}

export function createCloudSend(sdk: () => CloudSdk): Send {
  return async (payload) => {
    await sdk().openapi.customerServiceMessage.send(payload);
  };
}
