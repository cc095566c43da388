// The kit's commands as a user runs them (`wx-push <command>`), in the fixture project, as child processes.
import type {
  ChildProcessWithoutNullStreams,
  SpawnOptionsWithoutStdio,
  SpawnSyncOptionsWithStringEncoding,
} from "node:child_process";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
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
export function startKit(
  args: readonly string[],
  options: SpawnOptionsWithoutStdio = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT,
    ...options,
    env: { ...process.env, WX_PUSH_ROOT: PROJECT, ...options.env },
  });
}

/** Runs TypeScript `code` in a child node with tsx's hook (require() the kit's modules by absolute path). */
export function tsxEval(code: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", code], {
    cwd: PROJECT,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, WX_PUSH_ROOT: PROJECT },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The kit's build module, for `tsxEval` scripts. */
export const BUILD_MODULE = path.join(KIT_ROOT, "src", "cli", "build.ts");

/**
 * Scratch folders for builds: inside the node_modules that holds wx-server-sdk, so an --external-sdk build
 * resolves it there as the cloud would after installing it.
 */
export const BUILD_CACHE = path.join(
  path.dirname(require.resolve("wx-server-sdk/package.json")),
  "..",
  ".cache",
  "wx-push-kit-tests",
);

/** The repository the kit sits in: the template. */
export const REPOSITORY = path.join(KIT_ROOT, "..", "..");

/** Copies the template as a fork holds it (its tracked files, packages/ left out) into `destination`. */
export function copyTemplate(destination: string): void {
  const tracked = spawnSync("git", ["ls-files", "-co", "--exclude-standard"], {
    cwd: REPOSITORY,
    encoding: "utf8",
  })
    .stdout.split("\n")
    .filter(
      (file) => file !== "" && !file.startsWith("packages/") && fs.existsSync(path.join(REPOSITORY, file)),
    );
  for (const file of tracked) {
    fs.mkdirSync(path.dirname(path.join(destination, file)), { recursive: true });
    fs.copyFileSync(path.join(REPOSITORY, file), path.join(destination, file));
  }
}

/** A `wx-push serve` left running: the address it says it bound, what it printed so far. */
export interface Serving {
  url: string;
  child: ChildProcessWithoutNullStreams;
  output(): string;
  stop(): Promise<void>;
}

export function startServing(
  args: readonly string[],
  options: SpawnOptionsWithoutStdio = {},
): Promise<Serving> {
  const child = startKit(["serve", ...args], options);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<Serving>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const look = () => {
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found?.[1] === undefined) return;
      clearTimeout(timer);
      child.stdout.off("data", look);
      resolve({
        url: found[1],
        child,
        output: () => output,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    };
    child.stdout.on("data", look);
    child.once("exit", (code) => reject(new Error(`serve exited (${String(code)}):\n${output}`)));
  });
}
