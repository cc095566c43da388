// Runs the BUILT function in this process with the REAL wx-server-sdk, its cloud calls sent over loopback
// to the CloudBase stand-in (nothing leaves the machine). Each run is a fresh instance: the bundle is loaded
// anew, so nothing is remembered from the runs before (under jest, which keeps its own module registry, call
// jest.resetModules() first); getWXContext().OPENID is the openid given.
import fs from "node:fs";
import path from "node:path";
import type { CloudMain } from "../server/index";
import { cloudEnvironment } from "./cloud-environment";
import type { FakeCloudBase, OpenApiCall } from "./fake-cloudbase";
import { startFakeCloudBase } from "./fake-cloudbase";
import type { ModelStandIn } from "./fake-model";
import { BUILT_ENTRY, FUNCTION_DIR, FUNCTION_TIMEOUT_S } from "../cli/lib/function";

/** The invocation context as the cloud hands it over: the function's time limit from cloudbaserc.json. */
export const CLOUD_CONTEXT = { time_limit_in_ms: FUNCTION_TIMEOUT_S * 1000 };

export interface CloudRun {
  returned: unknown;
  /** The calls the platform carried out, as WeChat would receive them. */
  calls: OpenApiCall[];
  /** Calls the platform refused: config.json does not grant them (-604101). */
  refused: OpenApiCall[];
  /** What the function logged at error level (a handler that threw, a send that failed…): still printed. */
  errors: string[];
}

/** One invocation: the event, the OPENID getWXContext() returns, and main's context. */
export type Invoke = (event: unknown, openid: string | undefined, context?: object) => Promise<CloudRun>;

export interface CloudReplay {
  /** The model stand-in beside the CloudBase one: what each model call asked and streamed. */
  model: ModelStandIn;
  /** A fresh (cold) instance for this one event. */
  run: Invoke;
  /** One loaded instance for many events: it remembers what it answered, as a warm function does. */
  instance(): Invoke;
  close(): Promise<void>;
}

/** What wx-server-sdk reads from the environment in the cloud, pointed at the stand-in. */
function replayEnvironment(cloudbase: FakeCloudBase): Record<string, string> {
  return {
    ...cloudEnvironment(cloudbase.url, "local-replay"),
    WX_CONTEXT_KEYS: "WX_OPENID,WX_APPID",
    WX_APPID: "wx-local-replay",
    // Each run is a fresh instance with its own memory: no database needed.
    PUSH_DEDUPE_STORE: "memory",
  };
}

export async function startCloudReplay(entry = BUILT_ENTRY): Promise<CloudReplay> {
  if (!fs.existsSync(entry)) {
    throw new Error(`找不到 ${entry}，请先运行 npm run build (run \`npm run build\` first)`);
  }
  const cloudbase = await startFakeCloudBase(`${FUNCTION_DIR}/config.json`);
  const saved = new Map<string, string | undefined>();
  const set = (name: string, value: string | undefined) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const [name, value] of Object.entries(replayEnvironment(cloudbase))) set(name, value);
  set("TCB_SOURCE", undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS, shared with the SDK runner
  const { install } = require("./gateway-redirect") as { install: (origin: string) => () => void };
  const restoreHttps = install(new URL(cloudbase.url).origin);

  const load = (): CloudMain => {
    // A cold instance: index.js, the bundle it loads and the lazily loaded HTTP door are all read anew.
    const folder = path.dirname(require.resolve(entry)) + path.sep;
    for (const cached of Object.keys(require.cache))
      if (cached.startsWith(folder)) delete require.cache[cached];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the built artifact on purpose
    const loaded = require(entry) as { main?: unknown };
    if (typeof loaded.main !== "function") throw new Error(`${entry} does not export main(event, context)`);
    return loaded.main as CloudMain;
  };
  const invoker =
    (main: CloudMain): Invoke =>
    async (event, openid, context = CLOUD_CONTEXT) => {
      set("WX_OPENID", openid ?? "");
      const [calls, refused] = [cloudbase.calls.length, cloudbase.refused.length];
      const errors: string[] = [];
      const printError = console.error;
      console.error = (...args: unknown[]) => {
        errors.push(args.map(String).join(" "));
        printError(...args);
      };
      let returned: unknown;
      try {
        returned = await main(event, context);
      } finally {
        console.error = printError;
      }
      return {
        returned,
        calls: cloudbase.calls.slice(calls),
        refused: cloudbase.refused.slice(refused),
        errors,
      };
    };

  return {
    model: cloudbase.model,
    run: (event, openid, context) => invoker(load())(event, openid, context),
    instance: () => invoker(load()),
    async close() {
      restoreHttps();
      await cloudbase.close();
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
