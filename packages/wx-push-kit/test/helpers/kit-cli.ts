// The kit's commands as a user runs them (`wx-push <command>`), in the fixture project, as child processes.
import type { SpawnOptions, SpawnSyncOptionsWithStringEncoding } from "node:child_process";
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

export const KIT_ROOT = path.join(__dirname, "..", "..");
/** The project the kit's tests build, replay and deploy (WX_PUSH_ROOT points here too). */
export const PROJECT = path.join(KIT_ROOT, "test", "fixture-project");
export const BIN = path.join(KIT_ROOT, "bin", "wx-push.js");

/** `wx-push …` to completion. */
export function runKit(
  args: readonly string[],
  options: Partial<SpawnSyncOptionsWithStringEncoding> = {},
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: PROJECT,
    encoding: "utf8",
    timeout: 60_000,
    ...options,
    env: { ...process.env, WX_PUSH_ROOT: PROJECT, ...options.env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `wx-push …` left running (serve, dev, playground). */
export function startKit(args: readonly string[], options: SpawnOptions = {}) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT,
    ...options,
    env: { ...process.env, WX_PUSH_ROOT: PROJECT, ...options.env },
  });
}
