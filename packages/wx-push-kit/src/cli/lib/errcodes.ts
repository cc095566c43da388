// WeChat errcodes the CLIs meet, as one line a developer can act on (Probot's actionable-error idea).
// Sources: PROTOCOL.md §4 (tcb/set|getcallbackconfig), §6 (stable_token), the global errcode list.
import { WechatApiError, WechatTransportError } from "../../server/index";

const EXPLANATIONS: Record<number, string> = {
  [-1]: "微信系统繁忙，稍后重试 (system busy: try again in a minute)",
  [-1000]: "微信系统错误，稍后重试 (system error: try again later)",
  40001: "access_token 无效：可能别处强制刷新了 token，重新运行即可 (token invalid: run again)",
  40002: "grant_type 错误 (invalid grant_type): 这是工具的问题，请报告",
  40013: "AppID 无效：检查 WECHAT_APPID 是否为本小程序的 AppID (invalid appid)",
  40014: "access_token 不合法：重新运行以获取新 token (token invalid: run again)",
  40101: "缺少必填参数：检查配置中的 env、functionName (missing parameter)",
  40125: "AppSecret 无效：检查 WECHAT_APPSECRET；在 开发管理→开发设置 重置后旧的立即失效 (invalid secret)",
  40164: "调用 IP 不在白名单：在 开发管理→开发设置→IP 白名单 加入本机出口 IP (IP not whitelisted)",
  41001: "缺少 access_token (missing token): 这是工具的问题，请报告",
  41004: "缺少 AppSecret：设置 WECHAT_APPSECRET (secret missing)",
  42001: "access_token 已过期：重新运行即可 (token expired: run again)",
  43002: "HTTP 方法错误，需要 POST (require POST): 这是工具的问题，请报告",
  45009: "接口今日调用次数已达上限，明天再试 (daily quota reached)",
  45011: "调用太频繁，稍后再试 (minute quota reached)",
  48001:
    "接口未授权：本接口可能只对第三方平台开放；请在 云开发控制台→设置→其他设置→消息推送 中配置 (api unauthorized)",
  50004: "禁止使用 token 接口 (token API disabled for this account)",
  50007: "账号已冻结 (account frozen)",
  85088: "该小程序未开通云开发 (cloud development not enabled)",
  89503: "本次调用需要管理员确认 IP，请在微信中确认后重试 (IP awaiting the admin's confirmation)",
  89506: "管理员拒绝了该 IP 的调用，24 小时内不能再调用 (IP refused by the admin)",
  89507: "管理员拒绝了该 IP 的调用，1 小时内不能再调用 (IP refused by the admin)",
};

/** One line for a failed WeChat call; never contains the token or the secret. */
export function explain(error: unknown): string {
  if (error instanceof WechatApiError) {
    const what = EXPLANATIONS[error.errcode] ?? "未知错误，请查阅微信全局返回码说明 (unknown errcode)";
    return `${error.path} → errcode ${error.errcode} (${error.errmsg}): ${what}`;
  }
  if (error instanceof WechatTransportError) {
    const what: Record<WechatTransportError["code"], string> = {
      timeout: "请求超时，检查网络或 WECHAT_API_BASE (timed out)",
      network: "网络错误，检查网络或 WECHAT_API_BASE (network error)",
      "bad-json": "返回的不是 JSON：检查 WECHAT_API_BASE 是否指向微信接口 (answer is not JSON)",
      "http-status": "HTTP 状态异常 (unexpected HTTP status)",
    };
    return `${error.message}: ${what[error.code]}`;
  }
  return error instanceof Error ? error.message : String(error);
}
