// Usage: npm run callback-config -- <validate|upload|pull> [file] [--dry-run] [--timeout MS]
// Validates temp-cloud-callback-config.json and uploads it with tcb/setcallbackconfig (WeChat's HTTPS API),
// then reads it back with tcb/getcallbackconfig to prove what the platform holds.
import fs from "node:fs";
import path from "node:path";
import { apiBase, createTokenSource, postWechatApi } from "../server/index";
import type { CallbackTuple, Validation } from "./lib/callback-config";
import { tupleKey, validateConfigText } from "./lib/callback-config";
import { explain } from "./lib/errcodes";
import { parseCommandArgs } from "./lib/args";
import { ROOT } from "./lib/function";
import type { SafeOutput } from "./lib/safe-output";
import { displayUrl, safeOutput } from "./lib/safe-output";
import { table } from "./lib/table";

const HELP = `用法 Usage: npm run callback-config -- <validate|upload|pull> [文件 file] [options]

消息推送配置（云函数接收消息推送）：校验、上传、拉取 temp-cloud-callback-config.json。
The cloud-function push routing config: validate it, upload it, compare it with what WeChat holds.

  validate [file]             校验：JSON 语法、字段、云函数目录、env、重复路由 (checks everything, uploads nothing)
  upload [file] [--dry-run]   校验后调用 tcb/setcallbackconfig 上传，再用 tcb/getcallbackconfig 核对
                              (--dry-run prints the exact request body, no network)
  pull [file]                 读取线上配置并与文件比较 (show how the live config differs from the file)

  --timeout MS                每次请求的超时 (per request timeout, default 10000)
file 默认 default: temp-cloud-callback-config.json

环境变量 environment:
  WECHAT_APPID, WECHAT_APPSECRET   小程序 AppID 与 AppSecret (upload, pull; never printed)
  CLOUDBASE_ENV_ID                 云开发环境 ID, for entries without "env"
  WECHAT_API_BASE                  API base URL (default https://api.weixin.qq.com)`;

interface Io {
  out(line: string): void;
  err(line: string): void;
}
const console_: Io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

export async function main(argv: readonly string[], given: Io = console_): Promise<number> {
  // Every line printed is redacted (the AppSecret, each token fetched) and stripped of control characters:
  // the file and WeChat's errmsg both reach the terminal.
  const io = safeOutput(given, [process.env["WECHAT_APPSECRET"]]);
  const parsed = parseCommandArgs(
    argv,
    {
      "dry-run": { type: "boolean", default: false },
      timeout: { type: "string", default: "10000" },
      help: { type: "boolean", short: "h" },
    },
    HELP,
    true,
  );
  if (typeof parsed === "string") {
    io.err(parsed);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, fileArg] = positionals;
  if (values.help === true || command === undefined) {
    io.out(HELP);
    return values.help === true ? 0 : 2;
  }
  const file = path.resolve(fileArg ?? path.join(ROOT, "temp-cloud-callback-config.json"));
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    io.err("--timeout 应为正整数毫秒 (a positive number of milliseconds)");
    return 2;
  }
  if (!fs.existsSync(file)) {
    io.err(`找不到文件 (no such file): ${file}`);
    return 2;
  }
  const validation = validateConfigText(fs.readFileSync(file, "utf8"), {
    root: ROOT,
  });
  const name = path.relative(process.cwd(), file) || file;

  switch (command) {
    case "validate":
      return report(name, validation, io) ? 0 : 1;
    case "upload":
      if (!report(name, validation, io)) return 1;
      return upload(validation, { dryRun: values["dry-run"] === true, timeoutMs }, io);
    case "pull":
      if (!report(name, validation, io)) return 1;
      return pull(validation, timeoutMs, io);
    default:
      io.err(`未知命令 unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

/** Prints problems (all of them) and, when valid, the normalised routes. True when there is no error. */
function report(name: string, validation: Validation, io: Io): boolean {
  for (const { where, message } of validation.warnings) io.err(`⚠ ${name} ${where}: ${message}`);
  for (const { where, message } of validation.errors) io.err(`✗ ${name} ${where}: ${message}`);
  if (validation.errors.length > 0) {
    io.err(`\n${name}: ${validation.errors.length} 个错误 (errors)，未通过校验 (invalid)`);
    return false;
  }
  io.out(
    `✓ ${name} 校验通过 (valid)：${validation.tuples.length} 条路由 routes, enable=${String(validation.enable)}`,
  );
  io.out(tupleTable(validation.tuples));
  return true;
}

function tupleTable(tuples: readonly CallbackTuple[]): string {
  return table(
    ["MsgType", "Event", "云函数 function", "环境 env", "enable"],
    tuples.map((t) => [t.msgType, t.event || "-", t.functionName, t.env, String(t.enable)]),
  );
}

function requestBody(validation: Validation) {
  return {
    function_config: {
      enable: validation.enable,
      callbacks: validation.tuples.map(({ msgType, event, env, functionName, enable }) => ({
        msgType,
        event,
        env,
        functionName,
        enable,
      })),
    },
  };
}

async function upload(
  validation: Validation,
  options: { dryRun: boolean; timeoutMs: number },
  io: SafeOutput,
): Promise<number> {
  const body = requestBody(validation);
  if (options.dryRun) {
    // A dry run needs nothing: no credentials, no real env. It shows what would go out, placeholder and all.
    io.out(
      `\nPOST ${displayUrl(apiBase())}/tcb/setcallbackconfig?access_token=<由 stable_token 获取 from stable_token>`,
    );
    io.out(JSON.stringify(body, null, 2));
    if (validation.placeholders.length > 0)
      io.out(
        `(env 仍是占位符 ${validation.placeholders.join(", ")}：真正上传前设置 CLOUDBASE_ENV_ID 或改配置文件 ` +
          "still a placeholder env: set CLOUDBASE_ENV_ID or edit the file before a real upload)",
      );
    io.out("(--dry-run：未发送 nothing sent)");
    return 0;
  }
  if (validation.placeholders.length > 0) {
    io.err(
      `✗ 不能上传占位符 env (refusing to upload a placeholder env): ${validation.placeholders.join(", ")}\n` +
        "  设置 CLOUDBASE_ENV_ID=你的环境ID，或在配置文件中填写 env (set CLOUDBASE_ENV_ID or fill in env)",
    );
    return 1;
  }
  const api = connect(options.timeoutMs, io);
  if (api === undefined) return 2;
  try {
    await api.call("/tcb/setcallbackconfig", body);
    io.out("\n已上传 uploaded: tcb/setcallbackconfig errcode 0");
    const live = await readLive(api);
    const rows = compare(validation.tuples, live);
    io.out(
      table(
        ["MsgType", "Event", "已发送 sent", "平台现有 platform", ""],
        rows.map((row) => row.cells),
      ),
    );
    const mismatches = rows.filter((row) => !row.same).length + (live.enable === validation.enable ? 0 : 1);
    if (live.enable !== validation.enable)
      io.err(`✗ enable: 发送 sent ${String(validation.enable)}, 平台 platform ${String(live.enable)}`);
    if (mismatches > 0) {
      io.err(`✗ 平台上的配置与发送的不一致 (read-back differs in ${mismatches} place(s))`);
      return 1;
    }
    io.out("✓ 已核对：平台上的配置与文件一致 (verified by read-back)");
    return 0;
  } catch (error) {
    io.err(`✗ ${explain(error)}`);
    return 1;
  }
}

async function pull(validation: Validation, timeoutMs: number, io: SafeOutput): Promise<number> {
  const api = connect(timeoutMs, io);
  if (api === undefined) return 2;
  try {
    const live = await readLive(api);
    const rows = compare(validation.tuples, live);
    io.out(
      table(
        ["MsgType", "Event", "文件 file", "平台 platform", ""],
        rows.map((row) => row.cells),
      ),
    );
    const differs = rows.some((row) => !row.same) || live.enable !== validation.enable;
    io.out(
      differs
        ? "≠ 线上配置与文件不同 (the live config differs)"
        : "= 线上配置与文件一致 (the live config matches)",
    );
    return differs ? 1 : 0;
  } catch (error) {
    io.err(`✗ ${explain(error)}`);
    return 1;
  }
}

interface Api {
  call(path: string, body: unknown): Promise<unknown>;
}

function connect(timeoutMs: number, io: SafeOutput): Api | undefined {
  const appid = process.env["WECHAT_APPID"];
  const secret = process.env["WECHAT_APPSECRET"];
  const missing = [appid ? undefined : "WECHAT_APPID", secret ? undefined : "WECHAT_APPSECRET"].filter(
    Boolean,
  );
  if (appid === undefined || appid === "" || secret === undefined || secret === "") {
    io.err(`✗ 缺少环境变量 (missing) ${missing.join(", ")}：小程序的 AppID / AppSecret（开发管理→开发设置）`);
    return undefined;
  }
  const base = apiBase();
  const tokens = createTokenSource({ appid, secret, base, timeoutMs, onToken: io.redactor.add });
  return {
    call: async (apiPath, body) =>
      postWechatApi<object>(apiPath, body, {
        base,
        timeoutMs,
        // Setting or reading the whole config twice gives the same result: safe to repeat once.
        retries: 1,
        accessToken: await tokens.get(),
      }),
  };
}

interface Live {
  enable: boolean | undefined;
  tuples: CallbackTuple[];
}

async function readLive(api: Api): Promise<Live> {
  const answer = (await api.call("/tcb/getcallbackconfig", {})) as {
    data?: { function_config?: unknown };
  };
  const config = answer.data?.function_config as { enable?: unknown; callbacks?: unknown } | undefined;
  const callbacks = Array.isArray(config?.callbacks) ? (config.callbacks as Record<string, unknown>[]) : [];
  return {
    enable: typeof config?.enable === "boolean" ? config.enable : undefined,
    tuples: callbacks.map((entry) => ({
      msgType: text(entry["msgType"]),
      event: text(entry["event"]),
      env: text(entry["env"]),
      functionName: text(entry["functionName"]),
      enable: entry["enable"] !== false,
    })),
  };
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function compare(expected: readonly CallbackTuple[], live: Live): { cells: string[]; same: boolean }[] {
  const describe = (tuple: CallbackTuple | undefined) =>
    tuple === undefined ? "(无 none)" : `${tuple.functionName}@${tuple.env}${tuple.enable ? "" : " (off)"}`;
  const liveByKey = new Map(live.tuples.map((tuple) => [tupleKey(tuple), tuple]));
  const keys = [...new Set([...expected.map(tupleKey), ...liveByKey.keys()])];
  return keys.map((key) => {
    const want = expected.find((tuple) => tupleKey(tuple) === key);
    const have = liveByKey.get(key);
    const same = describe(want) === describe(have);
    const [msgType = "", event = ""] = key.split("|");
    return {
      cells: [msgType, event || "-", describe(want), describe(have), same ? "✓" : "✗"],
      same,
    };
  });
}
