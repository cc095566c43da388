import { createClient } from "@redis/client";
import type { Claim, Store } from "../core/dedupe";
import type { StateStore } from "../core/state";
import { DONE_TTL_MS } from "../core/dedupe";
import type { Log } from "../core/log";
import { isPassiveReply } from "../core/passive";
import { createTally } from "../core/tally";
import { withTimeLimit } from "../core/time-limit";
import { randomUUID } from "node:crypto";

// A dedupe store that several server instances share. Claim = SET key "claimed:<lease>" NX PX ttl: Redis
// grants it to exactly one caller. complete/release compare the lease and write in one Lua script, so a
// holder whose claim lapsed (and was taken over) cannot settle the new holder's claim.
// Source: redis.io/docs/latest/commands/set/ (NX, PX) and redis.io/docs/latest/develop/interact/programmability/eval-intro/

const COMPLETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;
/** Compare-and-set of a state record stored as "<version>\n<json>": -1 when the version read is not the one there. */
const WRITE_STATE = `local current = redis.call('GET', KEYS[1])
local version = 0
if current then version = tonumber(string.match(current, '^(%d+)\\n')) or 0 end
if version ~= tonumber(ARGV[1]) then return -1 end
redis.call('SET', KEYS[1], (version + 1) .. '\\n' .. ARGV[2], 'PX', ARGV[3])
return version + 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

export interface RedisStoreOptions {
  url: string;
  log: Log;
  /** Key prefix, so one Redis can serve several apps: claims go under `<prefix>dedupe:`, state under `<prefix>state:`. */
  prefix?: string;
  /** A store call slower than this fails (and the app falls back to memory): answering beats waiting. */
  timeoutMs?: number;
  doneTtlMs?: number;
}

export interface RedisStore extends Store, StateStore {
  close(): Promise<void>;
}

export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { url, log, prefix: base = "message-push:", timeoutMs = 1000, doneTtlMs = DONE_TTL_MS } = options;
  // Claims and state records side by side under one prefix (one app's key space).
  const prefix = `${base}dedupe:`;
  const statePrefix = `${base}state:`;
  const problems = createTally(log, "error");
  const client = createClient({
    url,
    // Fail at once while disconnected instead of queueing: the app then deduplicates in memory and answers.
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000) },
  });
  // Without a listener an 'error' event ends the process.
  client.on("error", (error: unknown) =>
    problems.count("Redis 连接出错 redis connection error", {
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  let connecting: Promise<unknown> | undefined;
  const ready = async () => {
    if (!client.isOpen) connecting ??= client.connect().finally(() => (connecting = undefined));
    await connecting;
  };
  const bounded = <T>(work: Promise<T>): Promise<T> =>
    withTimeLimit(work, timeoutMs, () => new Error(`redis: no answer within ${timeoutMs} ms`));
  const call = <T>(work: () => Promise<T>): Promise<T> => bounded(ready().then(work));
  const claimed = (lease: string) => `claimed:${lease}`;

  async function claim(key: string, ttlMs: number, tries = 2): Promise<Claim> {
    const lease = randomUUID();
    const setting = ready().then(() =>
      client.set(prefix + key, claimed(lease), { condition: "NX", expiration: { type: "PX", value: ttlMs } }),
    );
    let set;
    try {
      set = await bounded(setting);
    } catch (error) {
      // A stalled Redis still runs the SET when it wakes: a claim nobody holds would answer every
      // redelivery "busy" until it lapsed. Released as soon as it lands.
      setting.then(
        (late) => {
          if (late === "OK") releaseLate(key, lease);
        },
        () => {},
      );
      throw error;
    }
    if (set === "OK") return { status: "claimed", lease };
    const value = await call(() => client.get(prefix + key));
    if (value === null) return tries > 1 ? claim(key, ttlMs, tries - 1) : { status: "busy" }; // lapsed meanwhile
    if (value.startsWith("claimed:")) return { status: "busy" };
    return doneClaim(value);
  }

  const releaseLate = (key: string, lease: string) =>
    void call(() => client.eval(RELEASE, { keys: [prefix + key], arguments: [claimed(lease)] })).catch(
      (error: unknown) =>
        problems.count("迟到的去重占用未能释放 a late claim could not be released", {
          error: error instanceof Error ? error.message : String(error),
        }),
    );

  return {
    claim,
    async read(key) {
      const stored = await call(() => client.get(statePrefix + key));
      if (stored === null) return undefined;
      const newline = stored.indexOf("\n");
      return {
        version: Number(stored.slice(0, newline)),
        value: JSON.parse(stored.slice(newline + 1)) as unknown,
      };
    },
    async write(key, value, expected, ttlMs) {
      const written = await call(() =>
        client.eval(WRITE_STATE, {
          keys: [statePrefix + key],
          arguments: [String(expected ?? 0), JSON.stringify(value), String(ttlMs)],
        }),
      );
      return typeof written === "number" && written > 0 ? written : "conflict";
    },
    async complete(key, lease, reply) {
      const done = `done:${reply === undefined ? "" : JSON.stringify(reply)}`;
      await call(() =>
        client.eval(COMPLETE, { keys: [prefix + key], arguments: [claimed(lease), done, String(doneTtlMs)] }),
      );
    },
    async release(key, lease) {
      await call(() => client.eval(RELEASE, { keys: [prefix + key], arguments: [claimed(lease)] }));
    },
    async close() {
      // close() waits for what is queued; a Redis that stopped answering would hold the shutdown forever.
      // (On a client never opened or already closed, close() rejects and destroy() does nothing.)
      await bounded(client.close()).catch(() => client.destroy());
    },
  };
}

function doneClaim(value: string): Claim {
  const saved = value.slice("done:".length);
  if (saved === "") return { status: "done" };
  let reply: unknown;
  try {
    reply = JSON.parse(saved);
  } catch {
    return { status: "done" };
  }
  return isPassiveReply(reply) ? { status: "done", reply } : { status: "done" };
}
