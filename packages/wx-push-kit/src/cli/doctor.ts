// Usage: npm run doctor [-- --offline]
// Finds the setups that fail in production without a word: a placeholder AppID, an old runtime, the 3 s
// timeout, a cloud call config.json does not grant, a broken callback config, no env id; with credentials,
// what the platform holds (云托管 push on, which silences the function's; routes missing or elsewhere; the
// deployed function's runtime and timeout). One line each, the fix first, in Chinese with English after.
import fs from "node:fs";
import path from "node:path";
import { parseCommandArgs } from "./lib/args";
import { defaultEnv, tupleKey, validateConfigText } from "./lib/callback-config";
import type { CallbackTuple } from "./lib/callback-config";
import { explain } from "./lib/errcodes";
import {
  binOf,
  FUNCTION_DIR,
  FUNCTION_NAME,
  FUNCTION_RUNTIME,
  FUNCTION_TIMEOUT_S,
  KIT_ROOT,
  nodeMajorOf,
  OLDEST_CURRENT_NODE,
  ROOT,
} from "./lib/function";
import { openapiCallsIn } from "./lib/openapi-calls";
import { safeOutput } from "./lib/safe-output";
import { privateLogin, runTcb } from "./lib/tcb";
import { apiBase, postWechatApi } from "../wechat/client";
import { createTokenSource } from "../wechat/token";

const HELP = `用法 Usage: npm run doctor [-- --offline]

检查会让消息推送在线上默默失效的配置，每条给出修复办法；有问题时退出码 1。
Checks the setups that fail in production silently, each with its fix; exits 1 when one is found.

离线 offline: project.config.json 的 appid、cloudbaserc.json 的运行时和超时、config.json 的云调用权限、
  temp-cloud-callback-config.json、环境 ID。
在线 online（有凭证时 with credentials; --offline skips them）:
  WECHAT_APPID + WECHAT_APPSECRET   tcb/getcallbackconfig：云托管推送是否开启、路由是否缺失或指向别处
  TCB_API_KEY_ID + TCB_API_KEY      tcb fn detail：线上函数的运行时和超时`;

type Verdict = "ok" | "warn" | "fail";
interface Finding {
  verdict: Verdict;
  /** What was checked, and the fix when it is not right. */
  line: string;
}

/** The minimum timeout a push needs: a send and a retry within WeChat's 5 s (a model needs more). */
const MIN_TIMEOUT_S = 5;

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    { offline: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
    HELP,
  );
  if (typeof parsed === "string") {
    console.error(parsed);
    return 2;
  }
  if (parsed.values.help === true) {
    console.log(HELP);
    return 0;
  }
  const findings = offlineFindings();
  if (parsed.values.offline !== true) findings.push(...(await onlineFindings()));
  const mark = { ok: "✓", warn: "⚠", fail: "✗" } as const;
  const io = safeOutput({ out: (line) => console.log(line), err: (line) => console.error(line) }, [
    process.env["WECHAT_APPSECRET"],
    process.env["TCB_API_KEY"],
  ]);
  for (const { verdict, line } of findings)
    io[verdict === "fail" ? "err" : "out"](`${mark[verdict]} ${line}`);
  const failed = findings.filter(({ verdict }) => verdict === "fail").length;
  io.out(
    failed === 0
      ? "没有发现问题 (no problem found)"
      : `发现 ${failed} 个问题，请按上面的说明修复 (${failed} problem(s): fix them as said above)`,
  );
  return failed === 0 ? 0 : 1;
}

/** What the files say, checked without a network. */
export function offlineFindings(): Finding[] {
  const findings: Finding[] = [];
  findings.push(appidFinding());
  findings.push(runtimeFinding(FUNCTION_RUNTIME, "cloudbaserc.json"));
  findings.push(timeoutFinding(FUNCTION_TIMEOUT_S, "cloudbaserc.json"));
  findings.push(permissionsFinding());
  const callbackFile = path.join(ROOT, "temp-cloud-callback-config.json");
  if (fs.existsSync(callbackFile)) {
    const validation = validateConfigText(fs.readFileSync(callbackFile, "utf8"), { root: ROOT });
    findings.push(
      validation.errors.length === 0
        ? { verdict: "ok", line: "temp-cloud-callback-config.json 校验通过 (the callback config is valid)" }
        : {
            verdict: "fail",
            line:
              "temp-cloud-callback-config.json 有错误，运行 npm run callback-config -- validate 查看 (the callback config is invalid): " +
              validation.errors.map(({ where, message }) => `${where}: ${message}`).join("; "),
          },
    );
  }
  findings.push(
    defaultEnv({ root: ROOT }) === undefined
      ? {
          verdict: "warn",
          line: "没有云开发环境 ID：设置 CLOUDBASE_ENV_ID 或在 cloudbaserc.json 写入 envId（部署和上传消息推送配置都需要）(no env id)",
        }
      : { verdict: "ok", line: `云开发环境 env: ${defaultEnv({ root: ROOT }) ?? ""}` },
  );
  return findings;
}

function appidFinding(): Finding {
  const file = path.join(ROOT, "project.config.json");
  let appid: unknown;
  try {
    appid = (JSON.parse(fs.readFileSync(file, "utf8")) as { appid?: unknown }).appid;
  } catch {
    return {
      verdict: "warn",
      line: "没有可读的 project.config.json：开发者工具上传需要它 (no readable project.config.json)",
    };
  }
  if (typeof appid === "string" && /^wx[0-9a-f]{16}$/.test(appid))
    return { verdict: "ok", line: `project.config.json appid: ${appid}` };
  return {
    verdict: "fail",
    line:
      `把 project.config.json 的 appid（现在是 ${JSON.stringify(appid)}）换成你的小程序 AppID：touristappid 不能用云开发 ` +
      "(replace the placeholder appid with your mini program's AppID)",
  };
}

export function runtimeFinding(runtime: string | undefined, where: string): Finding {
  const major = nodeMajorOf(runtime);
  if (major === undefined)
    return {
      verdict: "warn",
      line: `${where} 没有写 Node.js 运行时：新建函数时请选 Nodejs20.19 或更新 (no Node.js runtime named: choose Nodejs20.19 or newer)`,
    };
  if (major < OLDEST_CURRENT_NODE)
    return {
      verdict: "fail",
      line:
        `${where} 的运行时 ${runtime ?? ""} 已停止维护，且创建后不能更换：删除函数后用 Nodejs20.19 或更新重新创建 ` +
        `(${runtime ?? ""} is past its end of life and cannot be changed: recreate the function on Nodejs20.19 or newer)`,
    };
  return { verdict: "ok", line: `${where} 运行时 runtime: ${runtime ?? ""}` };
}

export function timeoutFinding(seconds: number, where: string): Finding {
  if (seconds < MIN_TIMEOUT_S)
    return {
      verdict: "fail",
      line:
        `${where} 的函数超时只有 ${seconds} 秒：在 云开发控制台 → 云函数 → ${FUNCTION_NAME} → 版本与配置 设为 ${Math.max(FUNCTION_TIMEOUT_S, MIN_TIMEOUT_S)} 秒 ` +
        `(a ${seconds} s timeout leaves no room for a send and its retry)`,
    };
  return { verdict: "ok", line: `${where} 超时 timeout: ${seconds} 秒` };
}

/** Every cloud call the function makes (its own src/ and the kit's cloud door) is granted by config.json. */
function permissionsFinding(): Finding {
  let granted: string[] = [];
  try {
    const config = JSON.parse(fs.readFileSync(path.join(FUNCTION_DIR, "config.json"), "utf8")) as {
      permissions?: { openapi?: unknown };
    };
    granted = Array.isArray(config.permissions?.openapi) ? (config.permissions.openapi as string[]) : [];
  } catch {
    return {
      verdict: "fail",
      line: `${FUNCTION_NAME}/config.json 缺失或不是 JSON：云调用都会返回 -604101 (config.json missing or not JSON)`,
    };
  }
  const used = [
    ...openapiCallsIn(path.join(FUNCTION_DIR, "src")).calls,
    ...openapiCallsIn(path.join(KIT_ROOT, "src", "cloud")).calls,
  ];
  const missing = [...new Set(used)].filter((call) => !granted.includes(call)).sort();
  return missing.length === 0
    ? {
        verdict: "ok",
        line: `config.json 声明了用到的全部云调用 (every cloud call is granted): ${[...new Set(used)].sort().join(", ")}`,
      }
    : {
        verdict: "fail",
        line:
          `在 ${FUNCTION_NAME}/config.json 的 permissions.openapi 里加上 ${missing.join(", ")}，再用开发者工具上传一次 ` +
          "(without them these cloud calls fail with -604101)",
      };
}

/** What the platform holds, read with credentials when they are set. */
async function onlineFindings(): Promise<Finding[]> {
  const findings: Finding[] = [];
  const appid = process.env["WECHAT_APPID"];
  const secret = process.env["WECHAT_APPSECRET"];
  if (appid && secret) findings.push(...(await callbackFindings(appid, secret)));
  else
    findings.push({
      verdict: "warn",
      line: "未设置 WECHAT_APPID / WECHAT_APPSECRET：跳过线上的消息推送配置检查 (no credentials: the live callback config is not checked)",
    });
  const keyId = process.env["TCB_API_KEY_ID"] || process.env["TENCENTCLOUD_SECRETID"];
  const key = process.env["TCB_API_KEY"] || process.env["TENCENTCLOUD_SECRETKEY"];
  const env = defaultEnv({ root: ROOT });
  if (keyId && key && env) findings.push(...(await deployedFunctionFindings(keyId, key, env)));
  else
    findings.push({
      verdict: "warn",
      line: "未设置 TCB_API_KEY_ID / TCB_API_KEY / 环境 ID：跳过线上函数的运行时和超时检查 (the deployed function is not checked)",
    });
  return findings;
}

async function callbackFindings(appid: string, secret: string): Promise<Finding[]> {
  const base = apiBase();
  try {
    const tokens = createTokenSource({ appid, secret, base, timeoutMs: 5000 });
    const answer = await postWechatApi<{ data?: { function_config?: unknown; container_config?: unknown } }>(
      "/tcb/getcallbackconfig",
      {},
      { base, timeoutMs: 5000, retries: 1, accessToken: await tokens.get() },
    );
    const findings: Finding[] = [];
    const container = answer.data?.container_config as { enable?: unknown } | undefined;
    if (container?.enable === true)
      findings.push({
        verdict: "fail",
        line:
          "云托管的消息推送已开启：开启时云函数的消息推送不会生效。不用云托管就在 云开发控制台 → 设置 → 消息推送 关掉它 " +
          "(云托管 push is on: the cloud function's push callbacks do nothing while it is)",
      });
    const fn = answer.data?.function_config as { enable?: unknown; callbacks?: unknown } | undefined;
    const live = (Array.isArray(fn?.callbacks) ? (fn.callbacks as Record<string, unknown>[]) : []).map(
      (entry) => ({
        msgType: textOf(entry["msgType"]),
        event: textOf(entry["event"]),
        functionName: textOf(entry["functionName"]),
        enable: entry["enable"] !== false,
      }),
    );
    const file = path.join(ROOT, "temp-cloud-callback-config.json");
    const expected: CallbackTuple[] = fs.existsSync(file)
      ? validateConfigText(fs.readFileSync(file, "utf8"), { root: ROOT }).tuples
      : [];
    const missing = expected.filter((tuple) => !live.some((one) => tupleKey(one) === tupleKey(tuple)));
    const elsewhere = live.filter(
      (one) =>
        expected.some((tuple) => tupleKey(tuple) === tupleKey(one)) &&
        (one.functionName !== FUNCTION_NAME || !one.enable),
    );
    if (fn?.enable === false)
      findings.push({
        verdict: "fail",
        line: "线上的云函数消息推送是关闭的：npm run callback-config -- upload 打开它 (the function push is disabled)",
      });
    if (missing.length > 0)
      findings.push({
        verdict: "fail",
        line:
          `线上缺少这些推送路由：${missing.map(tupleKey).join(", ")}；运行 npm run callback-config -- upload ` +
          "(routes missing on the platform: these pushes never reach the function)",
      });
    if (elsewhere.length > 0)
      findings.push({
        verdict: "fail",
        line:
          `这些路由推送到了别处或已停用：${elsewhere.map((one) => `${tupleKey(one)} → ${one.functionName}${one.enable ? "" : " (off)"}`).join(", ")}；` +
          `运行 npm run callback-config -- upload 改回 ${FUNCTION_NAME} (routes pointing elsewhere, or off)`,
      });
    if (findings.length === 0)
      findings.push({
        verdict: "ok",
        line: `线上消息推送配置与文件一致，都推送到 ${FUNCTION_NAME} (the live callback config is right)`,
      });
    return findings;
  } catch (error) {
    return [
      {
        verdict: "fail",
        line: `读取线上消息推送配置失败 (could not read the live callback config): ${explain(error)}`,
      },
    ];
  }
}

/** `tcb fn detail`: the deployed function's runtime and timeout, as the platform runs it. */
async function deployedFunctionFindings(keyId: string, key: string, env: string): Promise<Finding[]> {
  const home = privateLogin(keyId, key);
  try {
    const tcb = process.env["TCB_BIN"] ?? binOf("tcb");
    const { status, output } = await runTcb(tcb, ["fn", "detail", FUNCTION_NAME, "-e", env], home, ROOT);
    await runTcb(tcb, ["logout"], home, ROOT);
    if (status !== 0 || /不存在|not ?found|ResourceNotFound/i.test(output))
      return [
        {
          verdict: "fail",
          line: `环境 ${env} 里没有函数 ${FUNCTION_NAME}：先部署（npm run deploy 或开发者工具上传）(the function is not deployed)`,
        },
      ];
    const runtime = /运行环境[：:]\s*(\S+)/.exec(output)?.[1];
    const timeout = Number(/超时时间[：:]\s*(\d+)/.exec(output)?.[1]);
    return [
      runtimeFinding(runtime, `线上函数 deployed ${FUNCTION_NAME}`),
      ...(Number.isFinite(timeout) ? [timeoutFinding(timeout, `线上函数 deployed ${FUNCTION_NAME}`)] : []),
    ];
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}
