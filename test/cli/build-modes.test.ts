// `npm run build` and its three SDK modes, as typed: what each leaves in the function folder, what the lean
// build leaves out and how that fails when reached, that stack traces map back to src/, and what
// check:function says about each. Builds go to folders of their own under node_modules/.cache (never over
// the function the other suites load), where an --external-sdk build resolves wx-server-sdk as in the cloud.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { installedSdkVersion } from "../../scripts/build";
import { checkFunction } from "../../scripts/lib/check-function";
import { FUNCTION_DIR, ROOT } from "../../scripts/lib/function";

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const CACHE = path.join(ROOT, "node_modules", ".cache");
const folders: string[] = [];

/** A fresh folder with the function's config.json, as a function folder has. */
function functionFolder(name: string): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const folder = fs.mkdtempSync(path.join(CACHE, `${name}-`));
  fs.copyFileSync(path.join(FUNCTION_DIR, "config.json"), path.join(folder, "config.json"));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

function build(...args: string[]) {
  const result = spawnSync(TSX, ["scripts/build.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}
const read = (folder: string, file: string) => fs.readFileSync(path.join(folder, file), "utf8");
const dependencies = (folder: string) =>
  (JSON.parse(read(folder, "package.json")) as { dependencies: Record<string, string> }).dependencies;

/** Runs `node -e script` in `folder` and returns what it printed. */
function node(
  folder: string,
  script: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["-e", script], { cwd: folder, env: { PATH: process.env["PATH"] } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

// Text that only the left-out packages carry: sax's parser (xml2js) and jsonwebtoken's checks.
const LEFT_OUT_CODE = ["Non-whitespace before first tag", "jwt must be provided"];

describe("the three builds", () => {
  test("default (lean): the SDK inlined without what a push never reaches; maps on; nothing for the cloud to install", () => {
    const folder = functionFolder("lean");
    expect(build("--outfile", path.join(folder, "index.js")).code).toBe(0);
    const index = read(folder, "index.js");
    expect(index).toContain(`// sdk: lean wx-server-sdk@${installedSdkVersion()}`);
    expect(index).toContain("process.setSourceMapsEnabled(true)");
    expect(index).toContain('module.exports = require("./bundle.js");');
    const bundle = read(folder, "bundle.js");
    expect(bundle).not.toContain('require("wx-server-sdk")');
    for (const text of LEFT_OUT_CODE) expect(bundle).not.toContain(text);
    expect(bundle).toContain("is left out of the lean build");
    expect(bundle).toMatch(/\/\/# sourceMappingURL=bundle\.js\.map\s*$/);
    expect(fs.existsSync(path.join(folder, "bundle.js.map"))).toBe(true);
    expect(fs.existsSync(path.join(folder, "http.js.map"))).toBe(true);
    expect(dependencies(folder)).toEqual({});
    // No temporary file is left behind by the atomic writes.
    expect(fs.readdirSync(folder).filter((file) => file.endsWith(".tmp"))).toEqual([]);
  });

  test("--full-sdk: the whole SDK inlined, the left-out parts included", () => {
    const folder = functionFolder("full");
    expect(build("--full-sdk", "--outfile", path.join(folder, "index.js")).code).toBe(0);
    expect(read(folder, "index.js")).toContain("// sdk: full ");
    const bundle = read(folder, "bundle.js");
    for (const text of LEFT_OUT_CODE) expect(bundle).toContain(text);
    expect(bundle).not.toContain("is left out of the lean build");
    expect(dependencies(folder)).toEqual({});
  });

  test("--external-sdk: the SDK required at run time, listed at the tested version, readable code, no maps", async () => {
    const folder = functionFolder("external");
    fs.writeFileSync(path.join(folder, "bundle.js.map"), "{}"); // left by an earlier build
    expect(build("--external-sdk", "--outfile", path.join(folder, "index.js")).code).toBe(0);
    const index = read(folder, "index.js");
    expect(index).toContain("// sdk: external ");
    expect(index).not.toContain("setSourceMapsEnabled");
    expect(read(folder, "bundle.js")).toContain('require("wx-server-sdk")');
    expect(fs.existsSync(path.join(folder, "bundle.js.map"))).toBe(false);
    expect(dependencies(folder)).toEqual({ "wx-server-sdk": installedSdkVersion() });

    const checked = await checkFunction(folder);
    expect(checked.problems).toEqual([]);
    expect(checked.build).toBe(`external wx-server-sdk@${installedSdkVersion()}`);
    // The cloud would not install the SDK the bundle requires: refused before the upload, not after.
    fs.writeFileSync(
      path.join(folder, "package.json"),
      JSON.stringify({ main: "index.js", dependencies: {} }),
    );
    expect((await checkFunction(folder)).problems.join("\n")).toContain("未列出 wx-server-sdk");
  }, 60_000);

  test("the two SDK options together are refused", () => {
    const { code, stderr } = build("--full-sdk", "--external-sdk");
    expect(code).toBe(1);
    expect(stderr).toContain("--full-sdk 与 --external-sdk 只能选一个");
  });
});

describe("the lean build at run time", () => {
  // A function that reaches for cloud.ai (left out) and parses XML with xml2js itself (its own import).
  const PROBE = [
    'const cloud = require("wx-server-sdk");',
    'const { parseString } = require("xml2js");',
    "cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });",
    "exports.main = async () => {",
    "  const xml = await new Promise((resolve, reject) =>",
    '    parseString("<a>1</a>", (error, result) => (error ? reject(error) : resolve(result))));',
    "  try {",
    "    cloud.ai();",
    '    return { xml, ai: "available" };',
    "  } catch (error) {",
    "    return { xml, ai: error.message };",
    "  }",
    "};",
  ].join("\n");

  test.each([
    ["lean", []],
    ["full", ["--full-sdk"]],
  ])(
    "%s: a left-out part fails with the build to use; the function's own imports are bundled whole",
    async (name, flags) => {
      const folder = functionFolder(`probe-${name}`);
      fs.writeFileSync(path.join(folder, "probe.js"), PROBE);
      const entry = path.join(folder, "probe.js");
      const script = `require("./index.js").main().then((r) => console.log(JSON.stringify(r)))`;
      // buildFunction's entry option is not on the command line: build through the API in a child.
      const built = spawnSync(
        TSX,
        [
          "-e",
          `require("./scripts/build").buildFunction({ entry: ${JSON.stringify(entry)}, outfile: ${JSON.stringify(path.join(folder, "index.js"))}, sdk: ${JSON.stringify(flags.length === 0 ? "lean" : "full")} })`,
        ],
        { cwd: ROOT, encoding: "utf8" },
      );
      expect(built.stderr).toBe("");
      const { stdout } = await node(folder, script);
      const result = JSON.parse(stdout) as { xml: unknown; ai: string };
      expect(result.xml).toEqual({ a: "1" });
      if (name === "lean") {
        expect(result.ai).toContain("此构建未包含 wx-server-sdk 的 cloud.ai");
        expect(result.ai).toContain("--full-sdk");
      } else {
        expect(result.ai).toBe("available");
      }
    },
    60_000,
  );

  test("a stack trace names the TypeScript source line, through the source map index.js turns on", async () => {
    const folder = functionFolder("maps");
    const entry = path.join(folder, "thrower.ts");
    fs.writeFileSync(
      entry,
      [
        'import cloud = require("wx-server-sdk");',
        "cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });",
        "export async function main(): Promise<string> {",
        '  throw new Error("from thrower");',
        "}",
      ].join("\n"),
    );
    for (const sourcemap of [true, false]) {
      spawnSync(
        TSX,
        [
          "-e",
          `require("./scripts/build").buildFunction({ entry: ${JSON.stringify(entry)}, outfile: ${JSON.stringify(path.join(folder, "index.js"))}, sourcemap: ${String(sourcemap)} })`,
        ],
        { cwd: ROOT },
      );
      const { stdout } = await node(
        folder,
        `require("./index.js").main().catch((error) => console.log(error.stack.split("\\n")[1]))`,
      );
      if (sourcemap) expect(stdout).toMatch(/thrower\.ts:4:\d+\)/);
      else expect(stdout).toMatch(/bundle\.js:\d+:\d+\)/);
    }
  }, 60_000);
});
