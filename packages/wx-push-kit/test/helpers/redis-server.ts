import type { ChildProcess } from "node:child_process";
import { spawn, spawnSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { silentLog } from "../../src/core/log";
import type { RedisStore } from "../../src/server/redis-store";
import { createRedisStore } from "../../src/server/redis-store";

/** A real redis-server on a free loopback port, no persistence; stopped and restarted to simulate outages. */
export interface RedisUnderTest {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered, as in a stall. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT): what it received meanwhile is carried out then. */
  resume(): void;
}

/**
 * Whether the Redis suites can run. CI installs redis-server (.ci/run) and must run them; a developer
 * machine without it skips them with a note rather than failing `npm test`.
 */
export function redisAvailable(): boolean {
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).status === 0;
  if (!found && process.env["CI"] === "true")
    throw new Error("redis-server is required in CI (.ci/run installs it)");
  if (!found) console.warn("redis-server 未安装，跳过 Redis 测试 (apt-get install redis-server to run them)");
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisUnderTest> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn("redis-server", [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
      ]);
      child = proc;
      let output = "";
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      proc.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${output}`));
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child === undefined || child.exitCode !== null) return resolve();
      child.removeAllListeners("exit");
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
  };
}

/**
 * Inside a describe block: a redis-server started before its tests and stopped after them, and a maker
 * of stores on it (each with its own key prefix) that are all closed at the end.
 */
export function useRedisStores(options: { timeoutMs?: number } = {}) {
  let redis: RedisUnderTest | undefined;
  const stores: RedisStore[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close().catch(() => {})));
    await redis?.stop();
  });
  const server = (): RedisUnderTest => {
    if (redis === undefined) throw new Error("redis-server is not started yet (use inside a test)");
    return redis;
  };
  return {
    server,
    /** A store with a fresh prefix (or the one given), closed after the block. */
    store(overrides: { prefix?: string; timeoutMs?: number } = {}): RedisStore {
      const made = createRedisStore({
        url: server().url,
        log: silentLog,
        prefix: overrides.prefix ?? `s${stores.length}:`,
        timeoutMs: overrides.timeoutMs ?? options.timeoutMs ?? 500,
      });
      stores.push(made);
      return made;
    },
  };
}
