// Heap cost of the memory dedupe store: 100k pushes claimed and answered, measured in a fresh process with
// --expose-gc. Prints MB per 100k keys. Argument: the bundled store module.
const { createMemoryStore } = require(process.argv[2]);
async function main() {
  const store = createMemoryStore();
  global.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100_000; i += 1) {
    const key = `msg:${7_000_000_000_000_000_000n + BigInt(i)}`;
    const claim = await store.claim(key, 10_000);
    if (claim.status === "claimed") await store.complete(key, claim.lease);
  }
  global.gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ mbPer100k: (after - before) / 1024 / 1024, keep: typeof store }));
}
void main();
