// The local-first store in front of a shared one: what reaches the shared store (and what must not when it
// was down), the injected clock and memory window, and the deadline on shared calls.
import type { Store } from "../../src/core/dedupe";
import { CLAIM_TTL_MS, MEMORY_DONE_TTL_MS } from "../../src/core/dedupe";
import { createLocalFirstStore } from "../../src/core/local-first-store";
import { silentLog } from "../../src/core/log";
import { createMemoryStore } from "../../src/core/memory-store";
import { createRecordingLog } from "../helpers/recording-log";

/** A shared store that is down: every call is recorded and rejected. */
function downStore() {
  const calls: string[] = [];
  const store: Store = {
    claim: (key) => (calls.push(`claim ${key}`), Promise.reject(new Error("down"))),
    complete: (key, lease) => (calls.push(`complete ${key} ${lease}`), Promise.reject(new Error("down"))),
    release: (key, lease) => (calls.push(`release ${key} ${lease}`), Promise.reject(new Error("down"))),
  };
  return { store, calls };
}

const never = <T>() => new Promise<T>(() => {});
const REPLY = {
  MsgType: "transfer_customer_service",
  ToUserName: "o",
  FromUserName: "gh",
  CreateTime: 1,
} as const;

test("two instances over one shared store: done and released settle there, so the other instance sees them", async () => {
  const shared = createMemoryStore();
  const a = createLocalFirstStore(shared, "open", silentLog);
  const b = createLocalFirstStore(shared, "open", silentLog);
  const first = await a.claim("msg:1", CLAIM_TTL_MS);
  if (first.status !== "claimed") throw new Error("expected a claim");
  await a.complete("msg:1", first.lease, REPLY);
  expect(await b.claim("msg:1", CLAIM_TTL_MS)).toEqual({ status: "done", reply: REPLY });

  const second = await a.claim("msg:2", CLAIM_TTL_MS);
  if (second.status !== "claimed") throw new Error("expected a claim");
  await a.release("msg:2", second.lease);
  expect((await b.claim("msg:2", CLAIM_TTL_MS)).status).toBe("claimed");
});

test("a claim taken while the shared store was down is settled in memory only, never with an empty shared lease", async () => {
  const { store: shared, calls } = downStore();
  const log = createRecordingLog();
  const lines = log.entries;
  const store = createLocalFirstStore(shared, "open", log);
  const one = await store.claim("msg:a", CLAIM_TTL_MS);
  const two = await store.claim("msg:b", CLAIM_TTL_MS);
  if (one.status !== "claimed" || two.status !== "claimed") throw new Error("expected claims");
  expect(one.lease.endsWith(":")).toBe(true);
  await expect(store.complete("msg:a", one.lease, REPLY)).resolves.toBeUndefined();
  await expect(store.release("msg:b", two.lease)).resolves.toBeUndefined();
  expect(calls).toEqual(["claim msg:a", "claim msg:b"]);
  expect(await store.claim("msg:a", CLAIM_TTL_MS)).toEqual({ status: "done", reply: REPLY });
  expect(lines[0]).toEqual({
    level: "error",
    message: expect.stringContaining("dedupe store unavailable, deduplicating in memory") as string,
    fields: { error: "down" },
  });
});

test("memory runs on the injected clock: a local claim lapses at its TTL, done is kept for rememberMs", async () => {
  let clock = 1_000_000;
  const { store: shared } = downStore();
  const store = createLocalFirstStore(shared, "open", silentLog, () => clock, 5_000);
  const held = await store.claim("msg:c", CLAIM_TTL_MS);
  expect(held.status).toBe("claimed");
  expect(await store.claim("msg:c", CLAIM_TTL_MS)).toEqual({ status: "busy" });
  clock += CLAIM_TTL_MS;
  const again = await store.claim("msg:c", CLAIM_TTL_MS);
  if (again.status !== "claimed") throw new Error("expected the lapsed claim to be taken over");
  await store.complete("msg:c", again.lease);
  clock += 4_999;
  expect(await store.claim("msg:c", CLAIM_TTL_MS)).toEqual({ status: "done" });
  clock += 1;
  expect((await store.claim("msg:c", CLAIM_TTL_MS)).status).toBe("claimed");
});

test("without rememberMs, memory keeps done for MEMORY_DONE_TTL_MS", async () => {
  let clock = 0;
  const { store: shared } = downStore();
  const store = createLocalFirstStore(shared, "open", silentLog, () => clock);
  const first = await store.claim("msg:d", CLAIM_TTL_MS);
  if (first.status !== "claimed") throw new Error("expected a claim");
  await store.complete("msg:d", first.lease);
  clock += MEMORY_DONE_TTL_MS - 1;
  expect(await store.claim("msg:d", CLAIM_TTL_MS)).toEqual({ status: "done" });
  clock += 1;
  expect((await store.claim("msg:d", CLAIM_TTL_MS)).status).toBe("claimed");
});

describe("a shared store that does not answer", () => {
  const hung = (): Store => ({ claim: never, complete: never, release: never });

  test("open: the claim is granted in memory once callTimeoutMs passes, and the deadline is logged", async () => {
    const log = createRecordingLog();
    const lines = log.entries;
    const store = createLocalFirstStore(hung(), "open", log, Date.now, undefined, 40);
    // The logged reason names the 40 ms deadline: it, not the test's timeout, ended the wait.
    const claim = await store.claim("msg:e", CLAIM_TTL_MS);
    expect(claim).toEqual({ status: "claimed", lease: expect.stringMatching(/:$/) as string });
    expect(lines).toEqual([
      {
        level: "error",
        message: expect.stringContaining("dedupe store unavailable, deduplicating in memory") as string,
        fields: { error: expect.stringContaining("dedupe store gave no answer within 40 ms") as string },
      },
    ]);
  });

  test("closed: the claim fails at callTimeoutMs and the local claim is given back", async () => {
    let calls = 0;
    const shared: Store = {
      claim: () => {
        calls += 1;
        return calls === 1 ? never() : Promise.resolve({ status: "busy" } as const);
      },
      complete: never,
      release: never,
    };
    const store = createLocalFirstStore(shared, "closed", silentLog, Date.now, undefined, 40);
    await expect(store.claim("msg:f", CLAIM_TTL_MS)).rejects.toThrow(
      "dedupe store gave no answer within 40 ms",
    );
    expect(await store.claim("msg:f", CLAIM_TTL_MS)).toEqual({ status: "busy" }); // asked the shared store again
  });

  test("complete and release fail at callTimeoutMs rather than hang", async () => {
    let calls = 0;
    const shared: Store = {
      claim: () => Promise.resolve({ status: "claimed", lease: `s${(calls += 1)}` }),
      complete: never,
      release: never,
    };
    const store = createLocalFirstStore(shared, "open", silentLog, Date.now, undefined, 40);
    const one = await store.claim("msg:g", CLAIM_TTL_MS);
    const two = await store.claim("msg:h", CLAIM_TTL_MS);
    if (one.status !== "claimed" || two.status !== "claimed") throw new Error("expected claims");
    await expect(store.complete("msg:g", one.lease)).rejects.toThrow("no answer within 40 ms");
    await expect(store.release("msg:h", two.lease)).rejects.toThrow("no answer within 40 ms");
  });

  test("an answered call leaves no deadline timer behind", async () => {
    const store = createLocalFirstStore(createMemoryStore(), "open", silentLog, Date.now, undefined, 60_000);
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timers();
    const claim = await store.claim("msg:i", CLAIM_TTL_MS);
    if (claim.status !== "claimed") throw new Error("expected a claim");
    await store.complete("msg:i", claim.lease);
    expect(timers()).toBe(before);
  });
});
