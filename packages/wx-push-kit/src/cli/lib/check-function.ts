// Is cloudfunctions/<fn>/ deployable as it is? The checks DevTools, tcb and the cloud's dependency
// install do not make for you, each a sentence a developer can act on.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cloudEnvironment } from "../../local/cloud-environment";
import { startFakeCloudBase } from "../../local/fake-cloudbase";
import { KIT_VERSION } from "../../version";
import { KIT_ROOT } from "./function";
import { openapiCallsIn } from "./openapi-calls";
import { DEDUPE_COLLECTION } from "../../cloud/database-store";

export interface CheckResult {
  problems: string[];
  /** Deployable, but worth knowing (e.g. what an upload would carry besides the function). */
  warnings: string[];
  /** The cloud calls the bundle makes, e.g. "customerServiceMessage.send". */
  openapiCalls: string[];
  /** How it was built, from index.js: e.g. "lean wx-server-sdk@4.0.2". */
  build: string | undefined;
  /** The kit the function was built with, e.g. "wx-push-kit@0.3.0" (from the bundle's header). */
  kit: string | undefined;
  /** What an upload carries besides src/ and node_modules/, in bytes. */
  sizes: { file: string; bytes: number }[];
}

const INSTALL_HOOKS = ["preinstall", "install", "postinstall", "prepare"];
const BUILT_FILES = ["index.js", "bundle.js", "http.js"];

/** A text message, as the platform hands it to main: the trial run's event. */
const TRIAL_EVENT = {
  ToUserName: "gh_check_function",
  FromUserName: "o-check-function",
  CreateTime: 1714112445,
  MsgType: "text",
  Content: "check:function",
  MsgId: "24000000000000001",
};

export async function checkFunction(folder: string): Promise<CheckResult> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const name = path.basename(folder);
  const file = (relative: string) => path.join(folder, relative);
  if (fs.existsSync(file("index.ts"))) {
    problems.push(
      `${name}/index.ts 会使上传失败：TypeScript 源码放在 src/ (an index.ts beside index.js breaks deploy)`,
    );
  }
  const built = BUILT_FILES.filter((bundle) => {
    if (fs.existsSync(file(bundle))) return true;
    problems.push(`${name}/${bundle} 不存在：先运行 npm run build (run \`npm run build\`)`);
    return false;
  });
  const text = built.map((bundle) => fs.readFileSync(file(bundle), "utf8")).join("\n");
  // From the TypeScript in src/ (what minifying cannot hide), and from the bundles' text for code that comes
  // from elsewhere (readable in an --external-sdk build).
  // The function's own src/ and the kit's cloud door (the replies, the typing indicator) both call.
  const own = openapiCallsIn(file("src"));
  const kit = openapiCallsIn(path.join(KIT_ROOT, "src", "cloud"));
  const inSources = { calls: [...own.calls, ...kit.calls], unresolved: own.unresolved };
  const inBundles = [...text.matchAll(/openapi\.([A-Za-z]+)\.([A-Za-z]+)\(/g)].map((m) => `${m[1]}.${m[2]}`);
  const openapiCalls = [...new Set([...inSources.calls, ...inBundles])].sort();
  for (const use of inSources.unresolved)
    warnings.push(
      `无法确定这里用的是哪个云调用，请自己确认 config.json 已声明 (a cloud call this check cannot follow; check config.json by hand): ${use}`,
    );
  const build = /^\/\/ sdk: (.+)$/m.exec(text)?.[1];
  const kitBuilt = /^\/\/ kit: (.+)$/m.exec(text)?.[1];
  if (kitBuilt !== undefined && kitBuilt !== `wx-push-kit@${KIT_VERSION}`)
    warnings.push(
      `构建用的是 ${kitBuilt}，已安装的是 wx-push-kit@${KIT_VERSION}：请重新运行 npm run build ` +
        `(built with ${kitBuilt}, wx-push-kit@${KIT_VERSION} is installed: rebuild)`,
    );
  const sdkExternal = /require\("wx-server-sdk"\)/.test(text);
  const pkg = readJson(file("package.json"), problems, name);
  const dependencies = Object.keys(pkg?.["dependencies"] ?? {});
  if (pkg !== undefined) {
    const scripts = (pkg["scripts"] ?? {}) as Record<string, unknown>;
    const hooks = INSTALL_HOOKS.filter((hook) => hook in scripts);
    if (hooks.length > 0) {
      problems.push(
        `${name}/package.json 含有安装脚本 ${hooks.join(", ")}：云端安装依赖时不会执行 (the cloud installs with scripts disabled)`,
      );
    }
    for (const dependency of dependencies) {
      try {
        require.resolve(`${dependency}/package.json`, { paths: [folder] });
      } catch {
        problems.push(
          `依赖 ${dependency} 无法解析：在仓库根目录运行 npm install (dependency not resolvable)`,
        );
      }
    }
    if (sdkExternal && !dependencies.includes("wx-server-sdk"))
      problems.push(
        `${name}/package.json 未列出 wx-server-sdk，而构建产物需要云端安装它：重新运行 npm run build ` +
          "(the bundle requires wx-server-sdk but package.json does not list it; rebuild)",
      );
  }
  const config = readJson(file("config.json"), problems, name);
  if (config !== undefined) {
    const permissions = (config["permissions"] ?? {}) as { openapi?: unknown };
    const granted = Array.isArray(permissions.openapi) ? permissions.openapi.map(String) : [];
    const missing = openapiCalls.filter((call) => !granted.includes(call));
    if (missing.length > 0) {
      problems.push(
        `${name}/config.json 的 permissions.openapi 缺少 ${missing.join(", ")}：云调用会返回 -604101 (cloud calls will fail without the permission)`,
      );
    }
  }
  if (built.length === BUILT_FILES.length && problems.length === 0) {
    const trial = await trialRun(folder);
    if (trial.problem !== undefined) problems.push(`${name} ${trial.problem}`);
    warnings.push(...trial.warnings);
  }
  // DevTools habits: `npm install` in the function folder (for local debugging) leaves these behind.
  if (fs.existsSync(file("node_modules")))
    warnings.push(
      `${name}/node_modules 存在：「上传并部署：所有文件」会把它一起上传；建议用「云端安装依赖」，本地测试不需要它 ` +
        "(an upload of all files would carry it; the tests never use it)",
    );
  const leftovers = fs.readdirSync(folder).filter((entry) => entry.endsWith(".tmp"));
  if (leftovers.length > 0)
    warnings.push(
      `${name} 里有中断的构建留下的临时文件 ${leftovers.join(", ")}：可以删除，否则会被一起上传 (left by an interrupted build; delete them)`,
    );
  if (fs.existsSync(file("package-lock.json")))
    warnings.push(
      `${name}/package-lock.json 存在：云端安装依赖会按它锁定的版本安装；不需要可删除 (the cloud install will follow this lock file)`,
    );
  const sizes = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({ file: entry.name, bytes: fs.statSync(file(entry.name)).size }))
    .sort((a, b) => b.bytes - a.bytes);
  return { problems, warnings, openapiCalls, build, kit: kitBuilt, sizes };
}

/** What the trial child reports on stdout. */
interface TrialReport {
  loadError?: string;
  noMain?: true;
  threw?: string;
  returned?: unknown;
  errors: string[];
  warnings: string[];
}

const TRIAL_TIMEOUT_MS = 30_000;

/**
 * Loads the function the way the runtime does, in a fresh process with the cloud's environment, and hands
 * it one text message, its cloud calls (and its dedupe records: the database store, as in the cloud) sent to
 * a loopback stand-in: syntax, top-level errors, `main` exported, the HTTP door loadable, and the SDK parts a
 * push needs present in the bundle. What the function logs with console.error is a problem; console.warn and
 * a message left unanswered are warnings. Node's own warnings (deprecations) are neither.
 */
async function trialRun(folder: string): Promise<{ problem?: string; warnings: string[] }> {
  const cloudbase = await startFakeCloudBase(path.join(folder, "config.json"), {
    collections: [DEDUPE_COLLECTION],
  });
  try {
    const script = [
      'const { format } = require("node:util");',
      "const errors = [];",
      "const warnings = [];",
      "console.error = (...args) => errors.push(format(...args));",
      "console.warn = (...args) => warnings.push(format(...args));",
      "const report = (result) => {",
      "  process.stdout.write(JSON.stringify({ errors, warnings, ...result }));",
      // Whatever the function left open (a timer, a socket), the trial is over.
      "  process.exit(0);",
      "};",
      "let loaded;",
      "try {",
      `  loaded = require(${JSON.stringify(path.join(folder, "index.js"))});`,
      `  require(${JSON.stringify(path.join(folder, "http.js"))});`,
      "} catch (error) {",
      "  report({ loadError: String((error && error.stack) || error) });",
      "}",
      'if (typeof loaded.main !== "function") report({ noMain: true });',
      `Promise.resolve(loaded.main(${JSON.stringify(TRIAL_EVENT)}, {})).then(`,
      "  (returned) => report({ returned }),",
      "  (error) => report({ threw: String((error && error.stack) || error) }),",
      ");",
    ].join("\n");
    const run = await runNode(script, {
      PATH: process.env["PATH"],
      ...cloudEnvironment(cloudbase.url, "check-function"),
      WX_CONTEXT_KEYS: "WX_OPENID",
      WX_OPENID: TRIAL_EVENT.FromUserName,
    });
    if (run.timedOut)
      return {
        problem: `试运行一条文本消息 ${TRIAL_TIMEOUT_MS / 1000} 秒内没有结束 (a trial text message did not finish in time)`,
        warnings: [],
      };
    let report: TrialReport;
    try {
      report = JSON.parse(run.stdout) as TrialReport;
    } catch {
      return { problem: `的构建产物加载失败 (fails to load): ${firstError(run.stderr)}`, warnings: [] };
    }
    const warnings = report.warnings.map(
      (line) => `试运行时的警告 (a warning during the trial): ${firstLine(line)}`,
    );
    if (report.loadError !== undefined)
      return { problem: `的构建产物加载失败 (fails to load): ${firstError(report.loadError)}`, warnings };
    if (report.noMain === true)
      return { problem: "的 index.js 没有导出 main (exports.main is missing)", warnings };
    if (report.threw !== undefined)
      return {
        problem: `试运行一条文本消息时 main 抛出了错误 (main threw on a trial text message): ${firstError(report.threw)}`,
        warnings,
      };
    const [logged] = report.errors;
    if (logged !== undefined)
      return {
        problem: `试运行一条文本消息时记录了错误 (a trial text message logged an error): ${firstLine(logged)}`,
        warnings,
      };
    if (cloudbase.calls.length === 0)
      warnings.push(
        "试运行的文本消息没有得到客服消息回复；如果是有意为之可以忽略 (the trial text message got no reply; fine if intended)",
      );
    return { warnings };
  } finally {
    await cloudbase.close();
  }
}

function runNode(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; timedOut: boolean }> {
  // --no-warnings: node prints its own warnings (deprecations in the inlined SDK on newer node) through
  // console.error, which the trial counts as the function's errors.
  const child = spawn(process.execPath, ["--no-warnings", "-e", script], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill();
  }, TRIAL_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.on("close", () => {
      clearTimeout(timer);
      resolve({ stdout, stderr, timedOut });
    }),
  );
}

const firstLine = (text: string) => text.trim().split("\n")[0] ?? "";

function readJson(file: string, problems: string[], name: string): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) {
    problems.push(`${name}/${path.basename(file)} 不存在 (missing)`);
    return undefined;
  }
  try {
    const value = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  problems.push(`${name}/${path.basename(file)} 不是合法的 JSON 对象 (not a JSON object)`);
  return undefined;
}

function firstError(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .filter((line) => /Error|error/.test(line))
      .at(0) ??
    text.trim().split("\n").at(-1) ??
    ""
  );
}
