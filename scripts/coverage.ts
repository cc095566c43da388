// Usage: npm run test:coverage [-- --raise]
// Statement and branch coverage of src/, server/ and scripts/ from one command: the whole test suite under
// c8, which follows every child process (the CLIs the tests spawn, the built function through its source
// maps), then a floor per folder that may only go up (coverage-floors.json; --raise lifts the floors to
// what was measured).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./lib/function";

interface Totals {
  statements: { pct: number };
  branches: { pct: number };
}
type Floors = Record<string, { statements: number; branches: number }>;

const FLOORS_FILE = path.join(ROOT, "coverage-floors.json");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

export function main(argv: readonly string[]): number {
  const raise = argv.includes("--raise");
  const steps: [string, string[]][] = [
    [bin("tsx"), ["scripts/build.ts", "--sourcemap"]],
    // --forceExit: a coverage run must end with a report even if a test left a handle open.
    [bin("c8"), ["jest", "--forceExit"]],
  ];
  for (const [command, args] of steps) {
    const run = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
    if (run.status !== 0) return run.status ?? 1;
  }
  const summary = JSON.parse(
    fs.readFileSync(path.join(ROOT, "coverage", "coverage-summary.json"), "utf8"),
  ) as Record<string, Totals>;
  // Per folder, weighted by what each file contributes.
  const folders = new Map<string, { statements: [number, number]; branches: [number, number] }>();
  for (const [file, totals] of Object.entries(summary)) {
    if (file === "total") continue;
    const folder = path.relative(ROOT, path.dirname(file));
    const raw = totals as unknown as Record<"statements" | "branches", { covered: number; total: number }>;
    const entry = folders.get(folder) ?? { statements: [0, 0], branches: [0, 0] };
    entry.statements = [
      entry.statements[0] + raw.statements.covered,
      entry.statements[1] + raw.statements.total,
    ];
    entry.branches = [entry.branches[0] + raw.branches.covered, entry.branches[1] + raw.branches.total];
    folders.set(folder, entry);
  }
  const pct = ([covered, total]: [number, number]) =>
    total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10;
  const floors: Floors = fs.existsSync(FLOORS_FILE)
    ? (JSON.parse(fs.readFileSync(FLOORS_FILE, "utf8")) as Floors)
    : {};
  const below: string[] = [];
  console.log("\n目录 folder                              语句 statements  分支 branches  下限 floor");
  for (const [folder, entry] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const measured = { statements: pct(entry.statements), branches: pct(entry.branches) };
    const floor = floors[folder];
    const line = `${folder.padEnd(40)} ${String(measured.statements).padStart(6)} %        ${String(measured.branches).padStart(6)} %     ${floor === undefined ? "-" : `${floor.statements} / ${floor.branches}`}`;
    console.log(line);
    if (floor !== undefined && (measured.statements < floor.statements || measured.branches < floor.branches))
      below.push(
        `${folder}: ${measured.statements}/${measured.branches} < ${floor.statements}/${floor.branches}`,
      );
    if (raise)
      floors[folder] = {
        statements: Math.max(floor?.statements ?? 0, measured.statements),
        branches: Math.max(floor?.branches ?? 0, measured.branches),
      };
  }
  if (raise) {
    fs.writeFileSync(FLOORS_FILE, `${JSON.stringify(floors, null, 2)}\n`);
    console.log(`下限已更新 floors raised: ${path.relative(ROOT, FLOORS_FILE)}`);
  }
  if (below.length > 0) {
    console.error(`\n✗ 覆盖率低于下限 coverage fell below its floor:\n  ${below.join("\n  ")}`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
