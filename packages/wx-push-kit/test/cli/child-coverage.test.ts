// npm run test:coverage reads the V8 coverage of the processes the tests spawn and maps it back to the
// TypeScript that ran: a CLI under tsx, and a bundle built with source maps, as the function is.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSync } from "esbuild";
import { childCoverage } from "../../maintainer/child-coverage";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "child-coverage-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// Line numbers matter below: the body of `unused` is lines 6-7 (its closing brace 8).
const GREETING = `export function used(x: number): string {
  if (x > 1) return "收到 " + String(x);
  return "none";
}
export function unused(y: string): string {
  const z = y.toUpperCase();
  return z + "人工";
}
`;

function runWithCoverage(command: string, args: string[], name: string): string {
  const directory = path.join(work, name);
  const run = spawnSync(command, args, {
    env: { ...process.env, NODE_V8_COVERAGE: directory },
    encoding: "utf8",
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return directory;
}

test("a CLI run by tsx: the lines that did not run are the ones reported", async () => {
  const folder = path.join(work, "cli");
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, "greeting.ts"), GREETING);
  fs.writeFileSync(
    path.join(folder, "main.ts"),
    'import { used } from "./greeting";\nconsole.log(used(3));\n',
  );
  const raw = runWithCoverage(
    process.execPath,
    ["--require", require.resolve("tsx/cjs"), path.join(folder, "main.ts")],
    "cli-v8",
  );

  const map = await childCoverage(raw, (file) => file.startsWith(folder));
  expect(map.files().sort()).toEqual([path.join(folder, "greeting.ts"), path.join(folder, "main.ts")]);
  const greeting = map.fileCoverageFor(path.join(folder, "greeting.ts"));
  expect(greeting.getUncoveredLines()).toEqual(["6", "7", "8"]);
  // used(3) took the early return: the fallback branch did not run.
  expect(greeting.toSummary().branches.covered).toBeLessThan(greeting.toSummary().branches.total);
  expect(map.fileCoverageFor(path.join(folder, "main.ts")).getUncoveredLines()).toEqual([]);
});

test("a bundle with a source map: coverage lands in each source file, not in the bundle", async () => {
  const folder = path.join(work, "bundle");
  fs.mkdirSync(path.join(folder, "src"), { recursive: true });
  fs.writeFileSync(path.join(folder, "src", "greeting.ts"), GREETING);
  // Exported, so esbuild keeps `unused`: code a bundle drops cannot be reported as not run.
  fs.writeFileSync(
    path.join(folder, "src", "index.ts"),
    'import { used } from "./greeting";\nexport { unused } from "./greeting";\nconsole.log(used(0));\n',
  );
  const outfile = path.join(folder, "index.js");
  buildSync({
    entryPoints: [path.join(folder, "src", "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    sourcemap: true,
    sourcesContent: false,
    logLevel: "silent",
  });
  const raw = runWithCoverage(process.execPath, [outfile], "bundle-v8");

  const map = await childCoverage(raw, (file) => file.startsWith(folder));
  expect(map.files().sort()).toEqual([
    path.join(folder, "src", "greeting.ts"),
    path.join(folder, "src", "index.ts"),
  ]);
  // used(0): the fallback ran, the early return did not; unused never ran.
  const greeting = map.fileCoverageFor(path.join(folder, "src", "greeting.ts"));
  expect(greeting.getUncoveredLines()).toEqual(["6", "7", "8"]);
  expect(greeting.toSummary().branches.covered).toBeLessThan(greeting.toSummary().branches.total);
});

test("scripts without a source map are left out (jest's own coverage measures what ran in-process)", async () => {
  const script = path.join(work, "plain.js");
  fs.writeFileSync(script, "console.log(1 + 1);\n");
  const raw = runWithCoverage(process.execPath, [script], "plain-v8");
  const map = await childCoverage(raw, () => true);
  expect(map.files()).toEqual([]);
});

test("no coverage directory: an empty map, not an error", async () => {
  expect((await childCoverage(path.join(work, "missing"), () => true)).files()).toEqual([]);
});
