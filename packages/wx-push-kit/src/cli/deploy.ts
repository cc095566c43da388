// Usage: npm run deploy [-- --dry-run]
// Builds, validates and deploys the cloud function with @cloudbase/cli, then checks that it really
// deployed: tcb has been seen to exit 0 after printing 函数部署失败.
import fs from "node:fs";
import path from "node:path";
import { buildFunction, SDK_MODES } from "./build";
import { parseCommandArgs } from "./lib/args";
import { defaultEnv, validateConfigText } from "./lib/callback-config";
import { summarise, typeErrors } from "./lib/typecheck";
import { checkFunction } from "./lib/check-function";
import { binOf, FUNCTION_DIR, FUNCTION_NAME, FUNCTION_TIMEOUT_S, ROOT } from "./lib/function";
import type { SafeOutput } from "./lib/safe-output";
import { safeOutput } from "./lib/safe-output";
import { privateLogin, runTcb } from "./lib/tcb";

const HELP = `用法 Usage: npm run deploy [-- --dry-run] [--lean-sdk | --full-sdk | --external-sdk]

构建、校验并用 CloudBase CLI (tcb) 部署云函数 ${FUNCTION_NAME}，部署后核对函数状态。
Builds, checks and deploys the function with tcb, then verifies it exists in the environment.

环境变量 environment:
  CLOUDBASE_ENV_ID                 云开发环境 ID (or a real envId in cloudbaserc.json)
  TCB_API_KEY_ID, TCB_API_KEY      腾讯云 API 密钥 SecretId / SecretKey，用于非交互登录 (never printed)
                                   (TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY are accepted too)
  TCB_BIN                          tcb 可执行文件 (default node_modules/.bin/tcb)
  --dry-run                        只打印将要执行的命令 (print the commands, run nothing)
  --lean-sdk                       内联精简的 wx-server-sdk，冷启动最快（默认）(the lean SDK inlined: the default)
  --full-sdk                       内联完整的 wx-server-sdk（用到 cloud.ai 时）(the whole SDK inlined)
  --external-sdk                   不内联 SDK，由云端安装依赖 (the SDK installed by the cloud; slower cold start)
不带这些选项时沿用上次构建的模式（记在函数目录 package.json 的 wxServerSdk）
(without one, the mode of the last build, kept in the function's package.json, is used).`;

export function main(argv: readonly string[]): Promise<number> {
  return Promise.resolve().then(async () => {
    const parsed = parseCommandArgs(
      argv,
      {
        "dry-run": { type: "boolean", default: false },
        "lean-sdk": { type: "boolean" },
        "full-sdk": { type: "boolean" },
        "external-sdk": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      HELP,
    );
    if (typeof parsed === "string") {
      console.error(parsed);
      return 2;
    }
    const { values } = parsed;
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    const dryRun = values["dry-run"] === true;
    const began = Date.now();
    const elapsed = () => `[${((Date.now() - began) / 1000).toFixed(1)} s]`;

    console.log(`1/5 构建 build ${elapsed()}`);
    // The build deployed is the one asked for (or kept from the last build), said out loud.
    const modes = SDK_MODES.filter((mode) => values[`${mode}-sdk`] === true);
    if (modes.length > 1) {
      console.error("--lean-sdk、--full-sdk、--external-sdk 只能选一个 (choose one SDK mode)");
      return 2;
    }
    const sdk = await buildFunction(modes[0] === undefined ? {} : { sdk: modes[0] });
    console.log(
      {
        lean: "  精简的 wx-server-sdk 内联并压缩 (the lean SDK inlined, minified)",
        full: "  完整的 wx-server-sdk 内联并压缩 (the whole SDK inlined, minified)",
        external: "  wx-server-sdk 由云端安装 (the SDK installed in the cloud)",
      }[sdk],
    );

    console.log(`2/5 检查云函数目录 check the function folder ${elapsed()}`);
    const { problems, warnings } = await checkFunction(FUNCTION_DIR);
    for (const warning of warnings) console.warn(`  ⚠ ${warning}`);
    const errors = typeErrors();
    if (errors.length > 0)
      problems.push(
        `类型检查未通过，拒绝部署 ${errors.length} 个错误 (does not type-check; not deploying):\n${summarise(errors).join("\n")}`,
      );
    const validation = validateConfigText(
      fs.readFileSync(path.join(ROOT, "temp-cloud-callback-config.json"), "utf8"),
      { root: ROOT },
    );
    for (const { where, message } of validation.errors)
      problems.push(`temp-cloud-callback-config.json ${where}: ${message}`);
    if (problems.length > 0) {
      for (const problem of problems) console.error(`✗ ${problem}`);
      return 1;
    }

    console.log(`3/5 环境与凭证 environment and credentials ${elapsed()}`);
    const envId = defaultEnv({ root: ROOT });
    const keyId = process.env["TCB_API_KEY_ID"] || process.env["TENCENTCLOUD_SECRETID"];
    const key = process.env["TCB_API_KEY"] || process.env["TENCENTCLOUD_SECRETKEY"];
    const missing = [
      envId ? undefined : "CLOUDBASE_ENV_ID (云开发环境 ID)",
      keyId ? undefined : "TCB_API_KEY_ID (腾讯云 SecretId)",
      key ? undefined : "TCB_API_KEY (腾讯云 SecretKey)",
    ].filter((item): item is string => item !== undefined);
    if (missing.length > 0 && !dryRun) {
      console.error(`✗ 缺少 (missing): ${missing.join(", ")}`);
      console.error("  在 腾讯云控制台 → 访问管理 → API 密钥 创建密钥；环境 ID 见 云开发控制台。");
      return 2;
    }
    const env = envId ?? "<CLOUDBASE_ENV_ID>";
    const steps: string[][] = [
      ["fn", "deploy", FUNCTION_NAME, "-e", env, "--force", "--yes"],
      ["fn", "detail", FUNCTION_NAME, "-e", env],
    ];
    const tcb = process.env["TCB_BIN"] ?? binOf("tcb");
    if (dryRun) {
      console.log(
        "  (登录：密钥写入仅本次使用的临时 HOME，不出现在 tcb 的命令行里；结束后 logout 并删除 " +
          "log in: the keys go to a private temporary HOME for tcb, never on its command line; logged out and removed after)",
      );
      for (const step of steps) console.log(`  ${tcb} ${step.join(" ")}`);
      console.log(`  ${tcb} logout`);
      console.log("(--dry-run：未执行 nothing run)");
      return 0;
    }

    console.log(`4/5 登录并部署 log in and deploy ${elapsed()} (tcb 的输出如下 tcb says:)`);
    const output = safeOutput({ out: (line) => console.log(line), err: (line) => console.error(line) }, [
      keyId,
      key,
    ]);
    const home = privateLogin(keyId ?? "", key ?? "");
    try {
      for (const [index, args] of steps.entries()) {
        const label = args.join(" ");
        if (index === 1) console.log(`5/5 核对函数状态 verify the deployed function ${elapsed()}`);
        console.log(`  → tcb ${label}`);
        const started = Date.now();
        const run = await streamTcb(tcb, args, home, output);
        // tcb may exit 0 after a failure: read what it said too.
        const failed = run.status !== 0 || /失败|fail(ed|ure)?\b|error/i.test(run.output);
        if (failed || (index === 1 && !run.output.includes(FUNCTION_NAME))) {
          output.err(`✗ tcb ${label} 失败 (failed, exit ${String(run.status)}):\n${run.output}`);
          return 1;
        }
        console.log(`  ✓ tcb ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    } finally {
      // Leave no login behind: tcb logs out, and the temporary HOME with its auth.json is removed.
      await streamTcb(tcb, ["logout"], home, output);
      fs.rmSync(home, { recursive: true, force: true });
    }
    console.log(`✓ ${FUNCTION_NAME} 已部署到 deployed to ${env}`);
    console.log(
      "提醒 reminder: config.json 中的云调用权限 (permissions.openapi) 只在开发者工具「上传并部署」时生效；\n" +
        "  用 tcb 部署后，请在开发者工具中右键 cloudfunctions/messagePush 上传一次，否则云调用返回 -604101。\n" +
        "  (cloud-call permissions are applied by a DevTools upload; tcb does not apply them.)\n" +
        `  函数超时按 cloudbaserc.json 设为 ${FUNCTION_TIMEOUT_S} 秒；若之后又用开发者工具上传，请在控制台确认超时仍是 ${FUNCTION_TIMEOUT_S} 秒。\n` +
        `  (the timeout is ${FUNCTION_TIMEOUT_S} s from cloudbaserc.json; after a DevTools upload, check it in the console.)`,
    );
    return 0;
  });
}

/**
 * tcb with its output streamed as it comes, each line indented, redacted and stripped of control
 * characters, and collected for the failure check.
 */
async function streamTcb(
  tcb: string,
  args: readonly string[],
  home: string,
  output: SafeOutput,
): Promise<{ status: number | null; output: string }> {
  let pending = "";
  const run = await runTcb(tcb, args, home, ROOT, {
    limitMs: 10 * 60_000,
    onText: (text) => {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") output.out(`    │ ${line}`);
    },
  });
  if (pending.trim() !== "") output.out(`    │ ${pending}`);
  return run;
}
