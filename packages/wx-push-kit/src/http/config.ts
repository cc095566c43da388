import type { Env } from "../core/settings";
import { settingsOf } from "../core/settings";
import { decodeAesKey } from "./wx-crypto";

export type PushMode = "plaintext" | "compatible" | "secure";

/** The developer-server settings of 消息推送, read from the environment. Secrets stay in here. */
export interface HttpConfig {
  token: string;
  /** Present when the console's mode is 兼容模式 or 安全模式. */
  aesKey?: Buffer;
  appid?: string;
  /**
   * Refuse other modes. Undefined: with an EncodingAESKey, encrypted pushes only (plaintext's 3-field
   * signature does not cover the body, so accepting it would let anyone who saw one push URL post any body);
   * without one, plaintext only.
   */
  mode?: PushMode;
  /** Opt-in: refuse pushes whose signed timestamp is further than this from now (seconds). */
  maxAgeS?: number;
  /** Answer "success" by then even if the handler is still working (WeChat gives up at 5 s). */
  budgetMs: number;
  /**
   * "server" (default): the developer-server push, signed. "container": 云托管 (WeChat Cloud Run) — pushes
   * come from WeChat's internal network, unsigned and plaintext JSON, marked by the `x-wx-source` header.
   */
  door?: "server" | "container";
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`[message-push] 配置错误 invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

export const DEFAULT_BUDGET_MS = 4000;

/** Validates everything at once and names each problem; values of secrets are never echoed. */
export function loadHttpConfig(given: Env): HttpConfig {
  const env = settingsOf(given);
  const problems: string[] = [];
  const door = env["WX_PUSH_DOOR"] ?? "server";
  if (door !== "server" && door !== "container")
    problems.push(`WX_PUSH_DOOR 应为 server | container (got "${door}")`);
  const token = env["WECHAT_TOKEN"] ?? "";
  // A container push is not signed: no Token to check.
  if (token === "" && door !== "container")
    problems.push("WECHAT_TOKEN 未设置 (missing): the Token of 消息推送 in the mini program console");
  else if (token !== "" && !/^[A-Za-z0-9]{3,32}$/.test(token))
    problems.push("WECHAT_TOKEN 须为 3-32 位英文或数字 (3-32 letters or digits)");

  // AppIDs are lower case where WeChat writes them (the tail of every Encrypt): one typed in upper case
  // would otherwise pass here and then refuse every genuine push.
  const appid = env["WECHAT_APPID"]?.toLowerCase();
  if (appid !== undefined && !/^wx[0-9a-f]{16}$/.test(appid)) {
    problems.push(`WECHAT_APPID 格式不对 (should look like wx + 16 hex digits), got "${appid}"`);
  }
  const encodingAESKey = env["WECHAT_ENCODING_AES_KEY"];
  let aesKey: Buffer | undefined;
  if (encodingAESKey !== undefined && encodingAESKey !== "") {
    if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
      problems.push(
        `WECHAT_ENCODING_AES_KEY 须为 43 位英文或数字，当前是 ${encodingAESKey.length} 个字符` +
          ` (must be 43 letters or digits; got ${encodingAESKey.length} characters)`,
      );
    } else {
      aesKey = decodeAesKey(encodingAESKey);
    }
    if (appid === undefined)
      problems.push("WECHAT_APPID 未设置: needed to check encrypted pushes (兼容/安全模式)");
  }

  const mode = env["WECHAT_PUSH_MODE"];
  if (mode !== undefined && mode !== "plaintext" && mode !== "compatible" && mode !== "secure") {
    problems.push(`WECHAT_PUSH_MODE 应为 plaintext | compatible | secure, got "${mode}"`);
  } else if (mode !== undefined && mode !== "plaintext" && aesKey === undefined) {
    problems.push(`WECHAT_PUSH_MODE=${mode} 需要 WECHAT_ENCODING_AES_KEY (needs the EncodingAESKey)`);
  }

  const budget = Number(env["PUSH_BUDGET_MS"] ?? DEFAULT_BUDGET_MS);
  if (!Number.isInteger(budget) || budget < 100 || budget > 4900) {
    problems.push("PUSH_BUDGET_MS 应为 100-4900 之间的整数 (WeChat waits 5 s at most)");
  }

  const maxAge = env["PUSH_MAX_AGE_S"];
  const maxAgeS = maxAge === undefined || maxAge === "" ? undefined : Number(maxAge);
  if (maxAgeS !== undefined && (!Number.isInteger(maxAgeS) || maxAgeS < 30 || maxAgeS > 86_400)) {
    problems.push("PUSH_MAX_AGE_S 应为 30-86400 之间的整数秒 (seconds, 30-86400; unset turns the check off)");
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    token,
    budgetMs: budget,
    ...(door === "container" ? { door: "container" as const } : {}),
    ...(aesKey === undefined ? {} : { aesKey }),
    ...(appid === undefined ? {} : { appid }),
    ...(mode === undefined ? {} : { mode: mode as PushMode }),
    ...(maxAgeS === undefined ? {} : { maxAgeS }),
  };
}
