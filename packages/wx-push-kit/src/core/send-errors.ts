// The one table of which failures are worth a retry, used by every sender (cloud call, HTTPS) and the CLIs.
// Whether a failed reply is worth a retry. wx-server-sdk throws CloudSDKError{errCode}; the HTTPS client
// throws WechatApiError{errcode}. Sources: the customer-service send page
// (miniprogram/dev/server/API/kf-mgnt/kf-message/api_sendcustommessage), the cloud errCode reference
// (wxcloud 参考信息: -604xxx, -501xxx) and the global errcode list; see PROTOCOL.md §5.

export type FailureKind = "transient" | "permanent";

const TOKEN_REASON = "access token invalid (refreshed on the next attempt)";
/** The access_token was refused: fetch a new one, then try again (self-hosted sends and the CLIs). */
const TOKEN_REJECTED = new Set([40001, 40014, 42001]);

/** Retrying cannot help: the user, the quota or the configuration must change first. */
const PERMANENT = new Map<number, string>([
  [45015, "outside the 48-hour reply window, or the user unsubscribed"],
  [45047, "reply limit reached (5 per 48 h after a message, 2 per minute after entering)"],
  [40003, "invalid openid"],
  [48001, "api unauthorized for this account"],
  [-604101, "config.json does not grant this cloud call (upload the function from DevTools)"],
  [-604100, "no such cloud API"],
  [40004, "invalid media type"],
  [40007, "invalid media_id"],
  [40008, "invalid message type"],
  [44002, "empty POST body"],
  [47001, "malformed POST body"],
  [45002, "content too long"],
  [70000, "minor protection: sending is not allowed"],
  // Resets at midnight: no retry within WeChat's retry window can succeed.
  [45009, "daily API quota reached (resets at midnight)"],
]);

/** A later attempt may succeed: WeChat was busy, the call timed out, or the token needs a refresh. */
const TRANSIENT = new Map<number, string>([
  [-1, "system busy"],
  [-1000, "system error"],
  [-604102, "cloud call timed out"],
  [-604103, "cloud call system error"],
  [-601001, "WeChat system error (e.g. an answer the SDK could not read)"],
  [-501001, "CloudBase system error"],
  [40001, TOKEN_REASON],
  [40014, TOKEN_REASON],
  [42001, "access token expired (refreshed on the next attempt)"],
  [45011, "API minute quota reached"],
]);

const NETWORK_CODES = new Set([
  "timeout",
  "not-started",
  "network",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/** The call may have reached WeChat though no answer came back: timeouts, resets, a send cut by the deadline. */
const UNKNOWN_OUTCOME_CODES = new Set(["timeout", "ETIMEDOUT", "ESOCKETTIMEDOUT", "ECONNRESET", "EPIPE"]);

/**
 * Whether a failed send may still have been delivered: no WeChat answer came back, but the request may
 * have arrived. Resending would risk a duplicate reply, so such a send is neither retried nor released.
 * WeChat's own errcodes (it answered: not delivered) and connections that never opened are not in doubt.
 */
export function mayHaveBeenDelivered(error: unknown): boolean {
  const errcode = errcodeOf(error);
  if (errcode === -604102) return true; // the cloud call timed out inside the platform
  if (errcode !== undefined) return false;
  if (typeof error !== "object" || error === null) return false;
  const code = (error as Record<string, unknown>)["code"];
  if (typeof code === "string") return UNKNOWN_OUTCOME_CODES.has(code);
  return error instanceof Error && /time(d)? ?out/i.test(error.message);
}

/** Whether WeChat refused the access_token (a refresh, then one more try, can help). */
export function isTokenRejected(error: unknown): boolean {
  const errcode = errcodeOf(error);
  return errcode !== undefined && TOKEN_REJECTED.has(errcode);
}

/** The WeChat errcode carried by an error, if any. */
export function errcodeOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const record = error as Record<string, unknown>;
  const code = record["errcode"] ?? record["errCode"];
  return typeof code === "number" ? code : undefined;
}

export function classifyFailure(error: unknown): FailureKind {
  const errcode = errcodeOf(error);
  // An errcode means WeChat answered (so nothing is in doubt): only its own table says a retry can help,
  // whatever else the error carries. This matches mayHaveBeenDelivered.
  if (errcode !== undefined) return TRANSIENT.has(errcode) ? "transient" : "permanent";
  if (typeof error === "object" && error !== null) {
    const code = (error as Record<string, unknown>)["code"];
    if (typeof code === "string" && NETWORK_CODES.has(code)) return "transient";
    if (error instanceof Error && /time(d)? ?out/i.test(error.message)) return "transient";
  }
  // Unknown errcodes and handler bugs would fail the same way again: retrying only spends quota.
  return "permanent";
}

/** A short English reason for the log, never containing payloads or secrets. */
export function describeFailure(error: unknown): string {
  const errcode = errcodeOf(error);
  const known = errcode === undefined ? undefined : (PERMANENT.get(errcode) ?? TRANSIENT.get(errcode));
  return errcode === undefined
    ? "no errcode"
    : `errcode ${errcode}${known === undefined ? "" : `: ${known}`}`;
}
