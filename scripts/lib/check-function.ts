// Is cloudfunctions/<fn>/ deployable as it is? The checks DevTools, tcb and the cloud's dependency
// install do not make for you, each a sentence a developer can act on.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cloudEnvironment } from "./cloud-environment";
import { startFakeCloudBase } from "./fake-cloudbase";

export interface CheckResult {
  problems: string[];
  /** Deployable, but worth knowing (e.g. what an upload would carry besides the function). */
  warnings: string[];
  /** The cloud calls the bundle makes, e.g. "customerServiceMessage.send". */
  openapiCalls: string[];
  /** How it was built, from index.js: e.g. "lean wx-server-sdk@4.0.2". */
  build: string | undefined;
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
  // Minified or not, a call keeps its property names: `e.openapi.customerServiceMessage.send(`.
  const openapiCalls = [
    ...new Set([...text.matchAll(/openapi\.([A-Za-z]+)\.([A-Za-z]+)\(/g)].map((m) => `${m[1]}.${m[2]}`)),
  ].sort();
  const build = /^\/\/ sdk: (.+)$/m.exec(text)?.[1];
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
    const failure = await trialRun(folder);
    if (failure !== undefined) problems.push(`${name} ${failure}`);
  }
  // DevTools habits: `npm install` in the function folder (for local debugging) leaves these behind.
  if (fs.existsSync(file("node_modules")))
    warnings.push(
      `${name}/node_modules 存在：「上传并部署：所有文件」会把它一起上传；建议用「云端安装依赖」，本地测试不需要它 ` +
        "(an upload of all files would carry it; the tests never use it)",
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
  return { problems, warnings, openapiCalls, build, sizes };
}

/**
 * Loads the function the way the runtime does, in a fresh process, and hands it one text message, its cloud
 * calls sent to a loopback stand-in: syntax, top-level errors, `main` exported, the HTTP door loadable, and
 * the SDK parts a push needs present in the bundle. Returns what went wrong, or undefined.
 */
async function trialRun(folder: string): Promise<string | undefined> {
  const cloudbase = await startFakeCloudBase(path.join(folder, "config.json"));
  try {
    const script = [
      `const m = require(${JSON.stringify(path.join(folder, "index.js"))});`,
      `if (typeof m.main !== "function") process.exit(3);`,
      `require(${JSON.stringify(path.join(folder, "http.js"))});`,
      `Promise.resolve(m.main(${JSON.stringify(TRIAL_EVENT)}, {})).then(`,
      `  (returned) => process.stdout.write(JSON.stringify({ returned })),`,
      `  (error) => { console.error(error); process.exit(4); });`,
    ].join("\n");
    const run = await runNode(script, {
      PATH: process.env["PATH"],
      PUSH_DEDUPE_STORE: "memory",
      ...cloudEnvironment(cloudbase.url, "check-function"),
      WX_CONTEXT_KEYS: "WX_OPENID",
      WX_OPENID: TRIAL_EVENT.FromUserName,
    });
    if (run.code === 3) return "的 index.js 没有导出 main (exports.main is missing)";
    if (run.code === 4)
      return `试运行一条文本消息时 main 抛出了错误 (main threw on a trial text message): ${firstError(run.stderr)}`;
    if (run.code !== 0) return `的构建产物加载失败 (fails to load): ${firstError(run.stderr)}`;
    // A push is never answered with an error on the log: the bundle reached something it lacks.
    if (run.stderr.trim() !== "")
      return `试运行一条文本消息时报错 (a trial text message logged an error): ${firstError(run.stderr)}`;
    return undefined;
  } finally {
    await cloudbase.close();
  }
}

function runNode(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["-e", script], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill(), 30_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

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
