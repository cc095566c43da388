// A child process that loads a BUILT function with the REAL wx-server-sdk (no mocks) and runs the events
// it is sent over IPC; the SDK's cloud calls go over loopback to the CloudBase stand-in.
import type { ChildProcess } from "node:child_process";
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cloudEnvironment } from "../local/cloud-environment";
import type { FakeCloudBase, OpenApiCall } from "../local/fake-cloudbase";
import { startFakeCloudBase } from "../local/fake-cloudbase";
import { BUILT_ENTRY, FUNCTION_DIR } from "../cli/lib/function";
import { senderOf } from "./event-fixtures";

export interface RunResult {
  returned?: unknown;
  threw?: string;
  logs: string[];
}

export interface Runner {
  /** What the function logged while it loaded, "level message" each. */
  loadLogs: string[];
  /** One invocation; `calls` are the openapi calls it made. */
  run(
    event: unknown,
    openid?: string,
    source?: string,
    /** The invocation context main() is given (e.g. time_limit_in_ms). */
    context?: Record<string, unknown>,
    /** A cold instance for this run: the function loaded anew, remembering nothing. */
    fresh?: boolean,
  ): Promise<RunResult & { calls: OpenApiCall[] }>;
  stop(): Promise<void>;
}

/** `env` adds to or overrides the function's environment (e.g. FUNCTION_ENTRY, PUSH_DEDUPE_STORE). */
export async function startSdkRunner(
  cloudbase: FakeCloudBase,
  env: Record<string, string> = {},
): Promise<Runner> {
  const child: ChildProcess = fork(path.join(__dirname, "sdk-runner.js"), [], {
    env: {
      PATH: process.env["PATH"],
      // Kept so that `npm run test:coverage` sees the function run here, mapped back to src/.
      ...(process.env["NODE_V8_COVERAGE"] === undefined
        ? {}
        : { NODE_V8_COVERAGE: process.env["NODE_V8_COVERAGE"] }),
      ...cloudEnvironment(cloudbase.url, "test-env"),
      FUNCTION_ENTRY: BUILT_ENTRY,
      WX_CONTEXT_KEYS: "WX_OPENID,WX_APPID",
      WX_APPID: "wx3d289323f5900f8e",
      PUSH_DEDUPE_STORE: "memory",
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (result: RunResult) => void>();
  let nextId = 0;
  const { loadLogs } = await new Promise<{ loadLogs: string[] }>((resolve) =>
    child.once("message", (ready: { loadLogs: string[] }) => resolve(ready)),
  );
  child.on("message", (message: RunResult & { id: number }) => {
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  return {
    loadLogs,
    async run(event, openid = senderOf(event), source, context, fresh = false) {
      const before = cloudbase.calls.length;
      const id = (nextId += 1);
      const result = await new Promise<RunResult>((resolve) => {
        pending.set(id, resolve);
        child.send({
          id,
          event,
          openid,
          ...(source === undefined ? {} : { source }),
          ...(context === undefined ? {} : { context }),
          ...(fresh ? { fresh } : {}),
        });
      });
      return { ...result, calls: cloudbase.calls.slice(before) };
    },
    // A disconnect lets the child exit by itself (and write coverage); a kill only if it does not.
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill(), 5_000);
        child.once("exit", () => (clearTimeout(timer), resolve()));
        child.disconnect();
      }),
  };
}

/**
 * The CloudBase stand-in, reading permissions from a copy of the function's config.json (so a test may
 * edit the copy, e.g. remove a permission, without touching the real one).
 */
export async function startStandIn(
  options: Parameters<typeof startFakeCloudBase>[1] = {},
): Promise<{ cloudbase: FakeCloudBase; configCopy: string }> {
  const configCopy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cfg-")), "config.json");
  fs.copyFileSync(path.join(FUNCTION_DIR, "config.json"), configCopy);
  return { cloudbase: await startFakeCloudBase(configCopy, options), configCopy };
}
