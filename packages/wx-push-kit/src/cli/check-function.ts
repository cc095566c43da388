// Usage: npm run check:function [-- <function folder>]
// Checks that the cloud function folder is deployable as it is (DevTools upload or tcb fn deploy).
import path from "node:path";
import { checkFunction } from "./lib/check-function";
import {
  FUNCTION_DIR,
  FUNCTION_RUNTIME,
  FUNCTION_TIMEOUT_S,
  nodeMajorOf,
  OLDEST_CURRENT_NODE,
} from "./lib/function";
import { summarise, typeErrors } from "./lib/typecheck";

export async function main(argv: readonly string[]): Promise<number> {
  const folder = path.resolve(argv[0] ?? FUNCTION_DIR);
  const { problems, warnings, openapiCalls, build, kit, sizes } = await checkFunction(folder);
  const errors = typeErrors();
  if (errors.length > 0)
    problems.push(
      `类型检查未通过 ${errors.length} 个错误 (does not type-check):\n${summarise(errors).join("\n")}`,
    );
  for (const warning of warnings) console.warn(`⚠ ${warning}`);
  const name = path.relative(process.cwd(), folder);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`✗ ${problem}`);
    console.error(`\n${name}: ${problems.length} 个问题，不能部署 (not deployable)`);
    return 1;
  }
  console.log(
    `✓ ${name} 可以部署 (deployable): index.js 可加载、导出 main，试运行一条文本消息无错误 (loads, exports main, ` +
      `runs a trial text message without errors)；云调用 cloud calls: ${openapiCalls.join(", ") || "(none)"} 均已在 config.json 声明`,
  );
  console.log(`构建 build: ${describeBuild(build)}；套件 kit: ${kit ?? "(未标记 unmarked: rebuild)"}`);
  const total = sizes.reduce((sum, { bytes }) => sum + bytes, 0);
  console.log(
    `上传大小 upload size (不含 src/ 与 node_modules/): ${kib(total)}，其中 ` +
      sizes.map(({ file, bytes }) => `${file} ${kib(bytes)}`).join(", "),
  );
  const major = nodeMajorOf(FUNCTION_RUNTIME);
  if (major !== undefined && major < OLDEST_CURRENT_NODE)
    console.warn(
      `⚠ cloudbaserc.json 的运行时 ${FUNCTION_RUNTIME ?? ""} 已停止维护，且函数创建后不能更换运行时：新建函数请选 Nodejs20.19 或更新 ` +
        `(the runtime ${FUNCTION_RUNTIME ?? ""} is past its end of life and cannot be changed after creation: choose Nodejs20.19 or newer)`,
    );
  console.log(
    `提醒 reminder: 开发者工具上传不读取 cloudbaserc.json，新函数超时默认 3 秒；请在 云开发控制台 → 云函数 → 版本与配置 设为 ${FUNCTION_TIMEOUT_S} 秒（cloudbaserc.json 的值）。\n` +
      `  (a DevTools upload ignores cloudbaserc.json: set the function timeout to ${FUNCTION_TIMEOUT_S} s in the console; the function sizes\n` +
      "  sends, retries and a model's answer from each invocation's time_limit_in_ms: 3 s leaves little room.)",
  );
  return 0;
}

function describeBuild(build: string | undefined): string {
  const [mode = "", sdk = "wx-server-sdk"] = (build ?? "").split(" ");
  if (mode === "lean") return `${sdk} 内联（精简：不含 cloud.ai）(inlined, lean: without cloud.ai)`;
  if (mode === "lean+ai")
    return `${sdk} 内联（精简，保留 cloud.ai：代码用到了它）(inlined, lean, with cloud.ai: the code calls it)`;
  if (mode === "full") return `${sdk} 完整内联 (inlined, whole SDK)`;
  if (mode === "external") return `${sdk} 由云端安装 (installed by the cloud from package.json)`;
  return "未知：index.js 没有构建标记，请重新运行 npm run build (unknown: rebuild)";
}

const kib = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(0)} KiB`);
