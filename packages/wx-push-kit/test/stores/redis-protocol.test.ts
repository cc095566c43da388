// The Redis store's edges that the contract suite does not reach: the key prefix, the call deadline, the
// retry bound when a claim keeps lapsing, reconnect back-off and its log line, the offline queue staying
// off, reuse after close and the stored "done" format. A scripted RESP server on loopback plays the Redis
// that misbehaves; a real redis-server the one that goes away.
import type { AddressInfo, Socket } from "node:net";
import { createServer } from "node:net";
import { createClient } from "@redis/client";
import { silentLog } from "../../src/core/log";
import { createRedisStore } from "../../src/server/redis-store";
import { redisAvailable, useRedisStores } from "../helpers/redis-server";
import { createRecordingLog } from "../helpers/recording-log";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One RESP command (an array of bulk strings) from the front of `buffer`, or undefined until it is whole. */
function nextCommand(buffer: Buffer): { command: string[]; rest: Buffer } | undefined {
  let at = 0;
  const line = () => {
    const end = buffer.indexOf("\r\n", at);
    if (end < 0) return undefined;
    const text = buffer.toString("utf8", at, end);
    at = end + 2;
    return text;
  };
  const head = line();
  if (head === undefined) return undefined;
  const command: string[] = [];
  for (let i = 0; i < Number(head.slice(1)); i += 1) {
    const size = line();
    if (size === undefined) return undefined;
    const length = Number(size.slice(1));
    if (buffer.length < at + length + 2) return undefined;
    command.push(buffer.toString("utf8", at, at + length));
    at += length + 2;
  }
  return { command, rest: buffer.subarray(at) };
}

/** A raw RESP reply, or "silence" (never answer) or "hang up" (drop the connection). */
type Answer = string;

/** A loopback server speaking just enough RESP: `answer` decides each command's raw reply. */
async function scriptedRedis(answer: (command: string[]) => Answer) {
  const commands: string[][] = [];
  const connections: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections.push(Date.now());
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let next = nextCommand(pending); next !== undefined; next = nextCommand(pending)) {
        pending = next.rest;
        commands.push(next.command);
        const reply = answer(next.command);
        if (reply === "hang up") socket.destroy();
        else if (reply !== "silence") socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    commands,
    connections,
    /** Resolves once no client connection is left open. */
    drained: async () => {
      for (let waited = 0; sockets.size > 0 && waited < 2000; waited += 20) await sleep(20);
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const OK = "+OK\r\n";
const NIL = "_\r\n"; // RESP3 null (the client says HELLO 3)
const named = (command: string[], ...names: string[]) => names.includes(command[0] ?? "");

describe("Redis store against a scripted server", () => {
  test("keys live under message-push:dedupe: unless a prefix is given", async () => {
    const fake = await scriptedRedis(() => OK);
    const store = createRedisStore({ url: fake.url, log: silentLog });
    try {
      expect((await store.claim("msg:1", 5000)).status).toBe("claimed");
      const set = fake.commands.find((command) => named(command, "SET"));
      expect(set?.slice(0, 2)).toEqual(["SET", "message-push:dedupe:msg:1"]);
    } finally {
      await store.close();
      await fake.close();
    }
  });

  test("a claim that keeps finding its key lapsed between SET and GET gives up after two tries (busy)", async () => {
    const fake = await scriptedRedis((command) => {
      if (!named(command, "SET", "GET")) return OK;
      // A runaway retry would be granted on its third SET: so only a bounded one answers busy.
      const sets = fake.commands.filter((c) => named(c, "SET")).length;
      return named(command, "SET") && sets > 2 ? OK : NIL;
    });
    const store = createRedisStore({ url: fake.url, log: silentLog });
    try {
      expect(await store.claim("msg:lapsing", 5000)).toEqual({ status: "busy" });
      expect(fake.commands.filter((c) => named(c, "SET"))).toHaveLength(2);
      expect(fake.commands.filter((c) => named(c, "GET"))).toHaveLength(2);
    } finally {
      await store.close();
      await fake.close();
    }
  });

  test("a Redis that never answers fails the call at timeoutMs, with a message naming the deadline", async () => {
    const fake = await scriptedRedis(() => "silence");
    const store = createRedisStore({ url: fake.url, log: silentLog, timeoutMs: 150 });
    try {
      // The message names the store's own deadline: it, not the test's 4 s timeout, ended the call.
      await expect(store.claim("msg:silent", 5000)).rejects.toThrow("redis: no answer within 150 ms");
    } finally {
      await store.close();
      await fake.close();
    }
  }, 4000);

  test("close() ends even when Redis stopped answering (a server's shutdown must not hang on it)", async () => {
    const fake = await scriptedRedis(() => "silence");
    const store = createRedisStore({ url: fake.url, log: silentLog, timeoutMs: 150 });
    try {
      await expect(store.claim("msg:silent", 5000)).rejects.toThrow("no answer");
      await expect(store.close()).resolves.toBeUndefined();
      expect(await fake.drained()).toBe(0); // the connection was dropped, not left behind
    } finally {
      await fake.close();
    }
  }, 4000);

  test("close() ends the connection of a store that answered, and does nothing on one never used or already closed", async () => {
    const fake = await scriptedRedis(() => OK);
    const used = createRedisStore({ url: fake.url, log: silentLog });
    const unused = createRedisStore({ url: fake.url, log: silentLog });
    try {
      expect((await used.claim("msg:c", 5000)).status).toBe("claimed");
      await used.close();
      expect(await fake.drained()).toBe(0);
      await expect(used.close()).resolves.toBeUndefined();
      await expect(unused.close()).resolves.toBeUndefined();
      expect(fake.connections).toHaveLength(1); // closing never connects
    } finally {
      await fake.close();
    }
  });

  test("close() of a store whose Redis was never reachable does not wait out the call deadline", async () => {
    const gone = await scriptedRedis(() => OK);
    await gone.close(); // nothing listens on this port any more
    const store = createRedisStore({ url: gone.url, log: silentLog, timeoutMs: 60_000 });
    const claim = store.claim("msg:never", 5000).catch((error: unknown) => error);
    // The test's own 5 s timeout is the bound: waiting for the 60 s deadline would fail it.
    await store.close();
    expect(await claim).toMatchObject({ message: expect.any(String) as string }); // the pending claim ends too
  }, 5000);

  test("a finished call leaves no deadline timer behind (a server can stop at once)", async () => {
    const fake = await scriptedRedis(() => OK);
    const store = createRedisStore({ url: fake.url, log: silentLog, timeoutMs: 60_000 });
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    try {
      await store.claim("msg:warm", 5000); // connects
      const before = timers();
      await store.claim("msg:a", 5000);
      await store.release("msg:a", "lease");
      expect(timers()).toBe(before);
    } finally {
      await store.close();
      await fake.close();
    }
  });

  test("while the server hangs up, reconnects back off from 100 ms, doubling, and the error is logged once", async () => {
    // The sixth connection is held open (no answer), so closing the store ends its reconnect loop at once.
    const fake = await scriptedRedis(() => (fake.connections.length < 6 ? "hang up" : "silence"));
    const log = createRecordingLog();
    const lines = log.entries;
    const store = createRedisStore({ url: fake.url, log, timeoutMs: 100 });
    try {
      await store.claim("msg:x", 5000).catch(() => {});
      for (let waited = 0; fake.connections.length < 6 && waited < 6000; waited += 50) await sleep(50);
      const gaps = fake.connections.slice(1, 6).map((at, i) => at - (fake.connections[i] as number));
      expect(gaps).toHaveLength(5);
      // A timer never fires early; load can only make the gaps longer.
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i - 5));
      const errors = lines.filter((line) => line.level === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toContain("redis connection error");
      expect(errors[0]?.fields).toEqual({ error: expect.stringMatching(/closed/i) as string });
    } finally {
      await store.close();
      await fake.close();
    }
  }, 10_000);
});

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis("Redis store against a real redis-server", () => {
  const redisStores = useRedisStores();
  const store = (timeoutMs = 500) => redisStores.store({ prefix: "edges:", timeoutMs });

  test("a closed store connects again on its next call", async () => {
    const s = store();
    expect((await s.claim("msg:reopen", 5000)).status).toBe("claimed");
    await s.close();
    expect(await s.claim("msg:reopen", 5000)).toEqual({ status: "busy" });
  });

  test("done is stored as done:<reply JSON>, and as bare done: without a reply", async () => {
    const s = store();
    const raw = createClient({ url: redisStores.server().url });
    await raw.connect();
    try {
      const prefix = "edges:";
      const plain = await s.claim("msg:plain", 5000);
      if (plain.status !== "claimed") throw new Error("expected a claim");
      await s.complete("msg:plain", plain.lease);
      expect(await raw.get(`${prefix}dedupe:msg:plain`)).toBe("done:");
      const reply = {
        MsgType: "transfer_customer_service",
        ToUserName: "o",
        FromUserName: "gh",
        CreateTime: 1,
      } as const;
      const withReply = await s.claim("msg:reply", 5000);
      if (withReply.status !== "claimed") throw new Error("expected a claim");
      await s.complete("msg:reply", withReply.lease, reply);
      expect(await raw.get(`${prefix}dedupe:msg:reply`)).toBe(`done:${JSON.stringify(reply)}`);
    } finally {
      await raw.close();
    }
  });

  // Runs last: it stops the server.
  test("a claim made while Redis is down fails at once and is not replayed when Redis comes back", async () => {
    const s = store(2000);
    expect((await s.claim("msg:warm", 5000)).status).toBe("claimed");
    await redisStores.server().stop();
    // Refused by the client at once (offline queue off), not held until the 2 s deadline.
    await expect(s.claim("msg:offline", 60_000)).rejects.toThrow(/offline|closed/i);
    await redisStores.server().start();
    let back = false;
    for (let i = 0; i < 60 && !back; i += 1) {
      back = await s.claim(`msg:probe${i}`, 5000).then(
        () => true,
        () => false,
      );
      if (!back) await sleep(100);
    }
    expect(back).toBe(true);
    // A queued SET NX replayed on reconnect would hold the key for a minute: the next delivery is busy.
    expect((await s.claim("msg:offline", 5000)).status).toBe("claimed");
  }, 20_000);
});
