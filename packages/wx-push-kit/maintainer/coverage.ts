// Usage: npm run test:coverage [-- --raise]
// Statement and branch coverage of the kit's src/ from one command: its whole test suite, with
// jest's own V8 coverage for what the tests run in-process (mapped through ts-jest's source maps) and the
// V8 coverage of every process they spawn (the CLIs under tsx, the built function through its source
// maps: maintainer/child-coverage.ts), merged per source file. Then a floor per folder that may only go
// up (coverage-floors.json; --raise lifts the floors to what was measured).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { CoverageMap } from "istanbul-lib-coverage";
import libCoverage from "istanbul-lib-coverage";
import libReport from "istanbul-lib-report";
import reports from "istanbul-reports";
import { childCoverage } from "./child-coverage";
import { BIN, PROJECT } from "../test/helpers/kit-cli";

/** The kit's own folder: coverage is of its sources, from its own suite. */
const ROOT = path.join(__dirname, "..");

type Floors = Record<string, { statements: number; branches: number }>;

const FLOORS_FILE = path.join(__dirname, "coverage-floors.json");
const REPORT_DIR = path.join(ROOT, "coverage");
const RAW_DIR = path.join(REPORT_DIR, ".v8");
const JEST_DIR = path.join(REPORT_DIR, ".jest");
const bin = (name: string) => path.join(ROOT, "..", "..", "node_modules", ".bin", name);

/** What is measured: the kit's sources (the fixture project's bot is the tests', not measured). */
const FOLDERS = ["src"];
/** Paths left out, by prefix: a file of types only. */
const LEFT_OUT = ["src/core/message.ts"];

const JEST_GLOBS = [
  ...FOLDERS.map((folder) => `${folder}/**/*.ts`),
  "!**/*.d.ts",
  ...LEFT_OUT.flatMap((prefix) => [`!${prefix}`, `!${prefix}*`, `!${prefix}/**`]),
];

function isMeasured(file: string): boolean {
  const relative = path.relative(ROOT, file).split(path.sep).join("/");
  return (
    relative.endsWith(".ts") &&
    !relative.endsWith(".d.ts") &&
    FOLDERS.some((folder) => relative.startsWith(`${folder}/`)) &&
    !LEFT_OUT.some((prefix) => relative.startsWith(prefix))
  );
}

function runTests(): number {
  fs.rmSync(REPORT_DIR, { recursive: true, force: true });
  fs.mkdirSync(RAW_DIR, { recursive: true });
  // With the coverage variable set, as every rebuild during the run will be: source maps, not minified.
  const build = spawnSync(process.execPath, [BIN, "build", "--sourcemap"], {
    cwd: PROJECT,
    stdio: "inherit",
    env: { ...process.env, NODE_V8_COVERAGE: RAW_DIR },
  });
  if (build.status !== 0) return build.status ?? 1;
  const jestArgs = [
    "--coverage",
    "--coverageProvider=v8",
    `--coverageDirectory=${JEST_DIR}`,
    "--coverageReporters=json",
    ...JEST_GLOBS.map((pattern) => `--collectCoverageFrom=${pattern}`),
    // The built function, loaded in-process by the replay suites: jest maps it through its source maps back
    // to src/ (and to the inlined SDK, which measure() leaves out).
    "--collectCoverageFrom=test/fixture-project/cloudfunctions/messagePush/*.js",
    // A coverage run must end with a report even if a test left a handle open.
    "--forceExit",
  ];
  const tests = spawnSync(bin("jest"), jestArgs, {
    cwd: ROOT,
    stdio: "inherit",
    // Every process the tests start inherits this and writes its V8 coverage there on exit.
    env: { ...process.env, NODE_V8_COVERAGE: RAW_DIR },
  });
  return tests.status ?? 1;
}

async function measure(): Promise<CoverageMap> {
  const inProcess = JSON.parse(
    fs.readFileSync(path.join(JEST_DIR, "coverage-final.json"), "utf8"),
  ) as libCoverage.CoverageMapData;
  const merged = libCoverage.createCoverageMap(
    Object.fromEntries(Object.entries(inProcess).filter(([file]) => isMeasured(file))),
  );
  merged.merge(await childCoverage(RAW_DIR, isMeasured));
  const context = libReport.createContext({
    dir: REPORT_DIR,
    coverageMap: merged,
    defaultSummarizer: "nested",
  });
  for (const reporter of ["text-summary", "json-summary", "html"] as const)
    reports.create(reporter).execute(context);
  return merged;
}

export async function main(argv: readonly string[]): Promise<number> {
  const raise = argv.includes("--raise");
  const status = runTests();
  if (status !== 0) return status;
  const measured = await measure();
  // Per folder, weighted by what each file contributes.
  const folders = new Map<string, { statements: [number, number]; branches: [number, number] }>();
  for (const file of measured.files()) {
    const folder = path.relative(ROOT, path.dirname(file));
    const raw = measured.fileCoverageFor(file).toSummary();
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

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
