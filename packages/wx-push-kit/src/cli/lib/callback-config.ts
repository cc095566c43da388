// temp-cloud-callback-config.json: the push routing config, in the two forms users meet.
//  - legacy DevTools form (right-click → 上传配置): {"enable": true, "callbacks": [{"msgType": 1, "functionName", "env"}]}
//  - tuple form (the console and tcb/setcallbackconfig): {"msgType": "text", "event": "", "functionName", "env", "enable"}
import fs from "node:fs";
import path from "node:path";
import type { ParseError } from "jsonc-parser";
import { parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { z } from "zod";
import { CUSTOMER_SERVICE_TUPLES, ROUTE_TABLE, ROUTES } from "../../server/index";

/** msgType 1 of the legacy form = customer-service messages = these <MsgType, Event> tuples (the route table's). */
export { CUSTOMER_SERVICE_TUPLES };

/**
 * Pushes routable to cloud functions: every modelled route, plus the other events the platform documents
 * (云函数接收消息推送); others are warned about.
 */
export const KNOWN_MSG_TYPES = [...new Set(ROUTES.map((route) => ROUTE_TABLE[route].msgType))];
export const KNOWN_EVENTS = [
  ...ROUTES.map((route) => ROUTE_TABLE[route].event).filter((event) => event !== ""),
  "express_add_path",
  "wxa_media_check",
  "subscribe_msg_event",
  "subscribe_msg_popup_event",
  "subscribe_msg_change_event",
  "subscribe_msg_sent_event",
  "xpay_goods_deliver_notify",
  "xpay_coin_pay_notify",
  "xpay_complaint_notify",
  "xpay_refund_notify",
  "xpay_subscribe_notify",
  "subscribe_and_unsubscribe",
  "qr_scan_scene",
];

/** CloudBase's rule for a function name (云函数命名规则): no path, no space, no dot. */
const FUNCTION_NAME_RULE = /^[A-Za-z](?:[A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/;

/** Values that mean "fill me in"; validate warns, upload refuses. */
const PLACEHOLDER_ENV = /^(your[-_]?env[-_]?id|环境ID|<.*>|\{\{.*\}\})$/i;

const name = (what: string) =>
  z
    .string({ error: `应为字符串 (${what} should be a string)` })
    .min(1, { error: `不能为空 (${what} must not be empty)` });

const legacyEntry = z.strictObject({
  msgType: z.literal(1, {
    error: "旧版格式只支持 1 = 客服消息 (legacy msgType: only 1, customer-service messages)",
  }),
  functionName: name("functionName"),
  env: z.string().optional(),
});
const tupleEntry = z.strictObject({
  msgType: name("msgType"),
  event: z.string().optional(),
  functionName: name("functionName"),
  env: z.string().optional(),
  enable: z.boolean({ error: "应为 true 或 false (enable should be a boolean)" }).optional(),
});

export const configSchema = z.strictObject({
  enable: z.boolean({
    error: "应为 true 或 false (enable should be a boolean)",
  }),
  callbacks: z
    .array(z.union([legacyEntry, tupleEntry]), {
      error: "应为数组 (callbacks should be an array)",
    })
    .min(1, { error: "至少需要一条 (at least one callback)" }),
});
export type CallbackConfig = z.infer<typeof configSchema>;

/** One <MsgType, Event> route, as tcb/setcallbackconfig takes it. */
export interface CallbackTuple {
  msgType: string;
  event: string;
  env: string;
  functionName: string;
  enable: boolean;
}

export interface Problem {
  /** JSON path, e.g. "callbacks[0].functionName", or "(file)". */
  where: string;
  message: string;
}

export interface Validation {
  errors: Problem[];
  warnings: Problem[];
  enable: boolean;
  tuples: CallbackTuple[];
  /** Where an env is still a placeholder (no CLOUDBASE_ENV_ID to replace it): upload refuses these. */
  placeholders: string[];
}

export interface ValidateOptions {
  /** Where cloudfunctions/ and cloudbaserc.json live. */
  root: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export function validateConfigText(text: string, options: ValidateOptions): Validation {
  const result: Validation = {
    errors: [],
    warnings: [],
    enable: false,
    tuples: [],
    placeholders: [],
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    result.errors.push({
      where: "(file)",
      message: jsonSyntaxMessage(text, error),
    });
    return result;
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      result.errors.push({
        where: jsonPath(issue.path),
        message: issueMessage(issue, valueAt(json, issue.path)),
      });
    }
    return result;
  }
  const config = parsed.data;
  result.enable = config.enable;
  if (!config.enable) {
    result.warnings.push({
      where: "enable",
      message: "enable 为 false：不会有任何消息推送到云函数 (no push will reach a function)",
    });
  }
  const fallbackEnv = defaultEnv(options);
  config.callbacks.forEach((entry, index) => {
    const where = `callbacks[${index}]`;
    if (!FUNCTION_NAME_RULE.test(entry.functionName)) {
      // Never a path: "messagePush/../other" would pass the folder check and reach the upload.
      result.errors.push({
        where: `${where}.functionName`,
        message:
          "云函数名只能包含字母、数字、_ 和 -，以字母开头、字母或数字结尾，最长 60 个字符 " +
          "(a function name: letters, digits, _ and -, starting with a letter, at most 60)",
      });
      return;
    }
    checkFunctionFolder(options.root, entry.functionName, `${where}.functionName`, result);
    let env = entry.env ?? "";
    // An empty or placeholder env takes CLOUDBASE_ENV_ID / cloudbaserc.json's envId when there is one.
    if (env === "" || PLACEHOLDER_ENV.test(env)) {
      if (fallbackEnv !== undefined) {
        env = fallbackEnv;
      } else if (env === "") {
        result.errors.push({
          where: `${where}.env`,
          message:
            "缺少环境 ID (missing env): 写在这里，或设置 CLOUDBASE_ENV_ID，或填写 cloudbaserc.json 的 envId",
        });
        return;
      } else {
        result.placeholders.push(`${where}.env`);
        result.warnings.push({
          where: `${where}.env`,
          message: `"${env}" 是占位符：上传前换成云开发环境 ID，或设置 CLOUDBASE_ENV_ID (a placeholder: set your CloudBase env id before upload)`,
        });
      }
    }
    const tuples =
      typeof entry.msgType === "number"
        ? CUSTOMER_SERVICE_TUPLES.map((tuple) => ({ ...tuple }))
        : [
            {
              msgType: entry.msgType,
              event: "event" in entry ? (entry.event ?? "") : "",
            },
          ];
    const enable = "enable" in entry ? (entry.enable ?? true) : true;
    for (const tuple of tuples) {
      if (typeof entry.msgType === "string") warnUnknown(tuple, where, result);
      result.tuples.push({
        ...tuple,
        env,
        functionName: entry.functionName,
        enable,
      });
    }
  });
  // Each <MsgType, Event> can go to one function only (the console enforces the same).
  const owners = new Map<string, CallbackTuple>();
  for (const tuple of result.tuples) {
    const key = tupleKey(tuple);
    const owner = owners.get(key);
    if (owner !== undefined && (owner.functionName !== tuple.functionName || owner.env !== tuple.env)) {
      result.errors.push({
        where: "callbacks",
        message: `<${tuple.msgType}, ${tuple.event || "-"}> 同时推送到 ${owner.functionName}@${owner.env} 和 ${tuple.functionName}@${tuple.env} (one tuple, two functions): 只保留一个`,
      });
    } else if (owner !== undefined) {
      result.warnings.push({
        where: "callbacks",
        message: `<${tuple.msgType}, ${tuple.event || "-"}> 重复 (listed twice)`,
      });
    }
    owners.set(key, tuple);
  }
  result.tuples = [...new Map(result.tuples.map((tuple) => [tupleKey(tuple), tuple])).values()];
  return result;
}

export function tupleKey(tuple: { msgType: string; event: string }): string {
  return `${tuple.msgType}|${tuple.event}`;
}

function warnUnknown(tuple: { msgType: string; event: string }, where: string, result: Validation) {
  if (!(KNOWN_MSG_TYPES as readonly string[]).includes(tuple.msgType)) {
    result.warnings.push({
      where: `${where}.msgType`,
      message: `未知的 msgType "${tuple.msgType}" (unknown); 已知 known: ${KNOWN_MSG_TYPES.join(", ")}`,
    });
  }
  if (tuple.msgType === "event" && !(KNOWN_EVENTS as readonly string[]).includes(tuple.event)) {
    result.warnings.push({
      where: `${where}.event`,
      message: `未知的 event "${tuple.event}" (unknown); 已知 known: ${KNOWN_EVENTS.join(", ")}`,
    });
  }
  if (tuple.msgType !== "event" && tuple.event !== "") {
    result.warnings.push({
      where: `${where}.event`,
      message: `msgType "${tuple.msgType}" 不带 event (only "event" pushes carry one)`,
    });
  }
}

function checkFunctionFolder(root: string, functionName: string, where: string, result: Validation) {
  const folder = path.join(root, "cloudfunctions", functionName);
  if (!fs.existsSync(folder)) {
    result.errors.push({
      where,
      message: `cloudfunctions/${functionName} 不存在 (no such function folder)`,
    });
    return;
  }
  const missing = ["index.js", "package.json", "config.json"].filter(
    (file) => !fs.existsSync(path.join(folder, file)),
  );
  if (missing.length > 0) {
    const hint = missing.includes("index.js") ? "；先运行 npm run build (run `npm run build`)" : "";
    result.errors.push({
      where,
      message: `cloudfunctions/${functionName} 缺少 ${missing.join(", ")} (missing)${hint}`,
    });
  }
}

/** CLOUDBASE_ENV_ID, else cloudbaserc.json's envId when it is a real id. */
export function defaultEnv(options: ValidateOptions): string | undefined {
  const fromEnv = (options.env ?? process.env)["CLOUDBASE_ENV_ID"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  try {
    const rc = JSON.parse(fs.readFileSync(path.join(options.root, "cloudbaserc.json"), "utf8")) as {
      envId?: unknown;
    };
    if (typeof rc.envId === "string" && rc.envId !== "" && !PLACEHOLDER_ENV.test(rc.envId)) return rc.envId;
  } catch {
    // no cloudbaserc.json, or not JSON: nothing to fall back on
  }
  return undefined;
}

function jsonSyntaxMessage(text: string, error: unknown): string {
  // JSON.parse does not always say where; jsonc-parser reports the offset of the first problem.
  const problems: ParseError[] = [];
  parseJsonc(text, problems, {
    allowTrailingComma: false,
    disallowComments: true,
  });
  const first = problems[0];
  if (first === undefined)
    return `JSON 语法错误 (syntax error): ${error instanceof Error ? error.message : String(error)}`;
  const before = text.slice(0, first.offset);
  const line = before.split("\n").length;
  const column = first.offset - before.lastIndexOf("\n");
  const code = printParseErrorCode(first.error);
  const found = text.charAt(first.offset);
  const hint = FULL_WIDTH.test(found)
    ? `：这里是全角字符「${found}」，JSON 只认半角的 " , : (a full-width character; JSON needs ASCII quotes and commas)`
    : (SYNTAX_HINTS[code] ?? "");
  return `JSON 语法错误，第 ${line} 行第 ${column} 列${hint} (syntax error at line ${line}, column ${column}: ${code})`;
}

/** Full-width punctuation an input method leaves in JSON: “ ” ， ： ｛ ｝ etc. */
const FULL_WIDTH = /[\u201c\u201d\u2018\u2019\uff0c\uff1a\uff5b\uff5d\uff3b\uff3d\u3001]/;

/** jsonc-parser's codes, said for people. */
const SYNTAX_HINTS: Record<string, string> = {
  InvalidSymbol: "：这里有不该出现的字符 (an unexpected character)",
  ValueExpected: "：这里缺少一个值（多余的逗号？）(a value is missing: a trailing comma?)",
  PropertyNameExpected: "：这里应是带双引号的字段名（多余的逗号？）(a quoted property name is expected)",
  ColonExpected: "：字段名后缺少冒号 (a colon is missing after the name)",
  CommaExpected: "：两项之间缺少逗号 (a comma is missing between two items)",
  CloseBraceExpected: "：缺少 } (a closing brace is missing)",
  CloseBracketExpected: "：缺少 ] (a closing bracket is missing)",
  EndOfFileExpected: "：文件在这里之后还有多余内容 (extra content after the end)",
  UnexpectedEndOfString: "：字符串没有结束的双引号 (a string is not closed)",
  InvalidCommentToken: "：JSON 不允许注释 (comments are not allowed)",
};

function jsonPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return "(root)";
  return segments
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
}

function valueAt(json: unknown, segments: readonly PropertyKey[]): unknown {
  let value = json;
  for (const segment of segments) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === "unrecognized_keys") return `多余的字段 (unknown keys): ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_union") {
    return '应为 {msgType: 1, functionName, env}（旧版）或 {msgType: "text", event, functionName, env, enable}（按类型）';
  }
  if (issue.code === "invalid_type" && value === undefined) return `缺少此字段 (required field missing)`;
  return issue.message;
}
