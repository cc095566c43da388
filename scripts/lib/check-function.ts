// Is cloudfunctions/<fn>/ deployable as it is? The checks DevTools, tcb and the cloud's dependency
// install do not make for you, each a sentence a developer can act on.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface CheckResult {
  problems: string[];
  /** Deployable, but worth knowing (e.g. what an upload would carry besides the function). */
  warnings: string[];
  /** The cloud calls the bundle makes, e.g. "customerServiceMessage.send". */
  openapiCalls: string[];
}

const INSTALL_HOOKS = ["preinstall", "install", "postinstall", "prepare"];

export function checkFunction(folder: string): CheckResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const name = path.basename(folder);
  const file = (relative: string) => path.join(folder, relative);
  if (fs.existsSync(file("index.ts"))) {
    problems.push(
      `${name}/index.ts 会使上传失败：TypeScript 源码放在 src/ (an index.ts beside index.js breaks deploy)`,
    );
  }
  const bundles = ["index.js", "http.js"].filter((bundle) => {
    if (fs.existsSync(file(bundle))) return true;
    problems.push(`${name}/${bundle} 不存在：先运行 npm run build (run \`npm run build\`)`);
    return false;
  });
  const text = bundles.map((bundle) => fs.readFileSync(file(bundle), "utf8")).join("\n");
  const openapiCalls = [
    ...new Set([...text.matchAll(/openapi\.([A-Za-z]+)\.([A-Za-z]+)\(/g)].map((m) => `${m[1]}.${m[2]}`)),
  ].sort();
  if (bundles.includes("index.js")) {
    // Load it the way the runtime does, in a fresh process: syntax, top-level errors, `main` exported,
    // and the HTTP door it requires on demand.
    const script = [
      `const m = require(${JSON.stringify(file("index.js"))});`,
      `if (typeof m.main !== "function") process.exit(3);`,
      bundles.includes("http.js") ? `require(${JSON.stringify(file("http.js"))});` : "",
    ].join("\n");
    const loaded = spawnSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, PUSH_DEDUPE_STORE: process.env["PUSH_DEDUPE_STORE"] ?? "memory" },
    });
    if (loaded.status === 3) problems.push(`${name}/index.js 没有导出 main (exports.main is missing)`);
    else if (loaded.status !== 0)
      problems.push(`${name} 的构建产物加载失败 (fails to load): ${lastLine(loaded.stderr)}`);
  }
  const pkg = readJson(file("package.json"), problems, name);
  if (pkg !== undefined) {
    const scripts = (pkg["scripts"] ?? {}) as Record<string, unknown>;
    const hooks = INSTALL_HOOKS.filter((hook) => hook in scripts);
    if (hooks.length > 0) {
      problems.push(
        `${name}/package.json 含有安装脚本 ${hooks.join(", ")}：云端安装依赖时不会执行 (the cloud installs with scripts disabled)`,
      );
    }
    for (const dependency of Object.keys(pkg["dependencies"] ?? {})) {
      try {
        require.resolve(`${dependency}/package.json`, { paths: [folder] });
      } catch {
        problems.push(
          `依赖 ${dependency} 无法解析：在仓库根目录运行 npm install (dependency not resolvable)`,
        );
      }
    }
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
  return { problems, warnings, openapiCalls };
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

function lastLine(text: string): string {
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
