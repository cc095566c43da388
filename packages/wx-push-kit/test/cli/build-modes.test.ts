// `npm run build` and its three SDK modes, as typed: what each leaves in the function folder, what the lean
// build leaves out and how that fails when reached, that stack traces map back to src/, and what
// check:function says about each. Builds go to folders of their own under node_modules/.cache (never over
// the function the other suites load), where an --external-sdk build resolves wx-server-sdk as in the cloud.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { installedSdkVersion } from "../../src/cli/build";
import { checkFunction } from "../../src/cli/lib/check-function";
import { FUNCTION_DIR } from "../../src/cli/lib/function";
import { BUILD_CACHE, BUILD_MODULE, runKit, tsxEval } from "../helpers/kit-cli";

const CACHE = BUILD_CACHE;
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
  const result = runKit(["build", ...args], {
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

// Text that only a left-out package carries (jsonwebtoken's checks), and text of one kept in (sax, under
// xml2js: cloud storage's uploadFile parses COS's answer with it).
const LEFT_OUT_CODE = "jwt must be provided";
const KEPT_CODE = "Non-whitespace before first tag";

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
    expect(bundle).not.toContain(LEFT_OUT_CODE);
    expect(bundle).toContain(KEPT_CODE);
    expect(bundle).toContain("is left out of the lean build");
    expect(bundle).toMatch(/\/\/# sourceMappingURL=bundle\.js\.map\s*$/);
    // The map covers the function's own sources only: the inlined SDK's would be read at every cold start.
    const { sources } = JSON.parse(read(folder, "bundle.js.map")) as { sources: string[] };
    const resolved = sources.map((source) => path.resolve(folder, source));
    expect(resolved).toContain(path.join(FUNCTION_DIR, "src", "index.ts"));
    expect(resolved.filter((source) => source.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
    expect(fs.existsSync(path.join(folder, "http.js.map"))).toBe(true);
    expect(dependencies(folder)).toEqual({});
    expect(JSON.parse(read(folder, "package.json"))).toMatchObject({ wxServerSdk: "lean" });
    // No temporary file is left behind by the atomic writes.
    expect(fs.readdirSync(folder).filter((file) => file.endsWith(".tmp"))).toEqual([]);
  });

  test("--full-sdk: the whole SDK inlined, the left-out parts included", () => {
    const folder = functionFolder("full");
    expect(build("--full-sdk", "--outfile", path.join(folder, "index.js")).code).toBe(0);
    expect(read(folder, "index.js")).toContain("// sdk: full ");
    const bundle = read(folder, "bundle.js");
    expect(bundle).toContain(LEFT_OUT_CODE);
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

  test("options that contradict each other, or the first version's --bundle-sdk, are refused with the way out", () => {
    const cases: [string[], string][] = [
      [["--full-sdk", "--external-sdk"], "只能选一个 (choose one SDK mode)"],
      [["--lean-sdk", "--full-sdk"], "只能选一个 (choose one SDK mode)"],
      [["--sourcemap", "--no-sourcemap"], "--sourcemap 与 --no-sourcemap 只能选一个"],
      [["--bundle-sdk"], "默认构建就内联 SDK；要内联完整的 SDK 用 --full-sdk"],
    ];
    for (const [flags, message] of cases) {
      const { code, stderr } = build(...flags, "--outfile", path.join(functionFolder("refused"), "index.js"));
      expect(code).toBe(1);
      expect(stderr).toContain(message);
    }
  });
});

describe("the mode is kept between builds, in the function's package.json", () => {
  test("a build without a flag keeps the mode chosen last; another flag changes it", () => {
    const folder = functionFolder("kept");
    const outfile = path.join(folder, "index.js");
    const mode = () => /\/\/ sdk: (\w+)/.exec(read(folder, "index.js"))?.[1];
    expect(build("--full-sdk", "--outfile", outfile).code).toBe(0);
    expect(build("--outfile", outfile).code).toBe(0); // what npm install, npm test and replay run
    expect(mode()).toBe("full");
    expect(build("--external-sdk", "--outfile", outfile).code).toBe(0);
    expect(build("--outfile", outfile).code).toBe(0);
    expect(mode()).toBe("external");
    expect(dependencies(folder)).toEqual({ "wx-server-sdk": installedSdkVersion() });
    expect(build("--lean-sdk", "--outfile", outfile).code).toBe(0);
    expect(mode()).toBe("lean");
    expect(dependencies(folder)).toEqual({});
  });

  test("the file keeps its fields and indentation; a BOM is read; bundled dependencies are dropped, said", () => {
    const folder = functionFolder("manifest");
    fs.writeFileSync(
      path.join(folder, "package.json"),
      "\uFEFF" + JSON.stringify({ name: "mine", author: "me", dependencies: { dayjs: "1" } }, null, 4),
    );
    const { code, stderr } = build("--outfile", path.join(folder, "index.js"));
    expect(code).toBe(0);
    expect(stderr).toContain("构建已把 dayjs 打包进 bundle.js");
    const text = read(folder, "package.json");
    expect(text).toMatch(/^\{\n {4}"name": "mine",\n {4}"author": "me",/);
    expect(JSON.parse(text)).toEqual({ name: "mine", author: "me", dependencies: {}, wxServerSdk: "lean" });
  });

  test.each([
    ["that is not JSON", "{ oops", "不是合法的 JSON"],
    ["that is not an object", "[]", "应是一个 JSON 对象"],
    [
      "with an unknown mode",
      JSON.stringify({ wxServerSdk: "tiny" }),
      'wxServerSdk 应为 lean / full / external (got "tiny")',
    ],
  ])("a package.json %s stops the build before anything is written", (_label, text, message) => {
    const folder = functionFolder("broken-manifest");
    fs.writeFileSync(path.join(folder, "package.json"), text);
    const { code, stderr } = build("--outfile", path.join(folder, "index.js"));
    expect(code).toBe(1);
    expect(stderr).toContain(path.join(folder, "package.json"));
    expect(stderr).toContain(message);
    expect(fs.readdirSync(folder).sort()).toEqual(["config.json", "package.json"]);
  });
});

describe("the lean build at run time", () => {
  // A function that reaches for cloud.ai (left out) and signs a token with jsonwebtoken: a package the lean
  // build leaves out of the SDK, imported here by the function's own code.
  const PROBE = [
    'const cloud = require("wx-server-sdk");',
    'const jwt = require("jsonwebtoken");',
    "cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });",
    "exports.main = async () => {",
    '  const token = jwt.verify(jwt.sign({ a: 1 }, "key"), "key").a;',
    "  try {",
    // Not spelled `.ai(`: the lean build keeps cloud.ai for code that calls it (see the lean+ai case).
    '    cloud["a" + "i"]();',
    '    return { token, ai: "available" };',
    "  } catch (error) {",
    "    return { token, ai: error.message };",
    "  }",
    "};",
  ].join("\n");

  test.each([
    ["lean", []],
    ["lean+ai", []],
    ["full", ["--full-sdk"]],
  ])(
    "%s: a left-out part fails with the build to use; the function's own imports are bundled whole",
    async (name, flags) => {
      const folder = functionFolder(`probe-${name}`);
      fs.writeFileSync(
        path.join(folder, "probe.js"),
        name === "lean+ai" ? PROBE.replace('cloud["a" + "i"]()', "cloud.ai()") : PROBE,
      );
      const entry = path.join(folder, "probe.js");
      const script = `require("./index.js").main().then((r) => console.log(JSON.stringify(r)))`;
      // buildFunction's entry option is not on the command line: build through the API in a child.
      const built = tsxEval(
        `require(${JSON.stringify(BUILD_MODULE)}).buildFunction({ entry: ${JSON.stringify(entry)}, outfile: ${JSON.stringify(path.join(folder, "index.js"))}, sdk: ${JSON.stringify(flags.length === 0 ? "lean" : "full")} })`,
      );
      expect(built.stderr).toBe("");
      const { stdout } = await node(folder, script);
      const result = JSON.parse(stdout) as { token: unknown; ai: string };
      expect(result.token).toBe(1);
      expect(read(folder, "index.js")).toContain(`// sdk: ${name} `);
      if (name === "lean") {
        expect(result.ai).toContain("此构建未包含 wx-server-sdk 的 cloud.ai");
        expect(result.ai).toContain("--full-sdk");
      } else {
        expect(result.ai).toBe("available");
      }
    },
    60_000,
  );

  test.each([
    ["openAiCompatible", "lean"],
    ["cloudAi", "lean+ai"],
  ])(
    "a bot whose model is %s from wx-push-kit/ai builds %s: only a call to cloudAi keeps the SDK's AI part",
    (adapter, mode) => {
      const folder = functionFolder(`ai-import-${adapter}`);
      const entry = path.join(folder, "bot.ts");
      const kitAi = path.join(__dirname, "..", "..", "src", "ai", "index.ts");
      fs.writeFileSync(
        entry,
        [
          `import { aiReply, ${adapter} } from ${JSON.stringify(kitAi)};`,
          `export const handler = aiReply({ model: ${adapter}(), fallback: "fallback" });`,
        ].join("\n"),
      );
      const built = tsxEval(
        `require(${JSON.stringify(BUILD_MODULE)}).buildFunction({ entry: ${JSON.stringify(entry)}, outfile: ${JSON.stringify(path.join(folder, "index.js"))} })`,
      );
      expect(built.stderr).toBe("");
      expect(read(folder, "index.js")).toContain(`// sdk: ${mode} `);
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
      tsxEval(
        `require(${JSON.stringify(BUILD_MODULE)}).buildFunction({ entry: ${JSON.stringify(entry)}, outfile: ${JSON.stringify(path.join(folder, "index.js"))}, sourcemap: ${String(sourcemap)} })`,
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

describe("check:function's trial run", () => {
  /** A function folder built from `main`'s body (plain JavaScript), with the function's config.json. */
  function builtFunction(name: string, body: string, topLevel = ""): string {
    const folder = functionFolder(name);
    const entry = path.join(folder, "entry.js");
    fs.writeFileSync(entry, `${topLevel}\nexports.main = async () => {\n${body}\n};\n`);
    const built = tsxEval(
      `require(${JSON.stringify(BUILD_MODULE)}).buildFunction({ entry: ${JSON.stringify(entry)}, outfile: ${JSON.stringify(path.join(folder, "index.js"))} })`,
    );
    if (built.status !== 0) throw new Error(built.stderr);
    fs.rmSync(entry);
    return folder;
  }

  test("warnings, node's own deprecation notices, an open timer and no reply are not problems", async () => {
    const folder = builtFunction(
      "trial-quiet",
      [
        '  console.warn("配置缺省，使用默认值");',
        '  process.emitWarning("old API", "DeprecationWarning");',
        '  return "success";',
      ].join("\n"),
      "setInterval(() => {}, 1000);",
    );
    const { problems, warnings } = await checkFunction(folder);
    expect(problems).toEqual([]);
    expect(warnings).toContain("试运行时的警告 (a warning during the trial): 配置缺省，使用默认值");
    expect(warnings.join("\n")).toContain("没有得到客服消息回复");
    expect(warnings.join("\n")).not.toContain("DeprecationWarning");
  }, 60_000);

  test.each([
    [
      "an error it logs",
      '  console.error("下游接口失败", new Error("boom"));',
      "记录了错误 (a trial text message logged an error): 下游接口失败",
    ],
    [
      "an error main throws",
      '  throw new TypeError("handler broke");',
      "main 抛出了错误 (main threw on a trial text message): TypeError: handler broke",
    ],
  ])(
    "%s is a problem, quoted",
    async (_label, body, expected) => {
      const { problems } = await checkFunction(builtFunction("trial-loud", body));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(expected);
    },
    60_000,
  );

  test("a function that fails at load is named as such", async () => {
    const folder = builtFunction(
      "trial-load",
      '  return "success";',
      'throw new Error("top-level config missing");',
    );
    const { problems } = await checkFunction(folder);
    expect(problems.join("\n")).toContain(
      "构建产物加载失败 (fails to load): Error: top-level config missing",
    );
  }, 60_000);
});
