import type { MediaPort } from "../core/media";
import type { WxCloud } from "../cloud/sdk";
import type { App, PushResult } from "../core/app";
import type { Log } from "../core/log";
import type { PassiveReply } from "../core/passive";
import type { Send, SetTyping } from "../core/reply";
import { createTally } from "../core/tally";
import type { BodyErrorCode, BodyFormat } from "./body";
import { BodyError, decodeBody, detectFormat, knownFormat, MAX_BODY_BYTES } from "./body";
import type { HttpConfig, PushMode } from "./config";
import { extractEncrypt, hasPlaintextCopy } from "./envelope";
import type { Sealing } from "./passive-reply";
import { renderPassiveReply } from "./passive-reply";
import { signature, verifySignature } from "./signature";
import type { DecryptErrorCode } from "./wx-crypto";
import { decrypt, DecryptError } from "./wx-crypto";

/** A request as every adapter (node http, cloud HTTP trigger) hands it over. */
export interface HttpRequest {
  method: string;
  query: Readonly<Record<string, string | undefined>>;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
  /** When the work for this request must end (absolute ms), e.g. a cloud function's time limit; none on a server. */
  deadline?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpDeps {
  app: App;
  config: HttpConfig;
  send: Send;
  log: Log;
  typing?: SetTyping;
  /** Pictures: uploads, files and incoming media (HTTPS on a server, the SDK in an HTTP-triggered function). */
  media?: MediaPort;
  /** wx-server-sdk for handlers: the HTTP-triggered function has it, a server does not. */
  cloud?: () => WxCloud;
  now?: () => number;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

// The one status table of the HTTP door. Bodies stay terse: nothing here helps a forger.
const text = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  // nosniff: the URL check echoes echostr verbatim; a browser must never render it as anything but text.
  headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff", ...headers },
  body,
});
const SUCCESS = () => text(200, "success");
const RETRY = () => text(503, "retry");

/**
 * Why a request was refused: the answer and the log line (counted, one per reason per 10 s). Every failure
 * to open an authenticated Encrypt (padding, length, appid, the decrypted body) gets the same answer, byte for
 * byte: a distinguishable one would be a padding oracle, letting a Token holder decrypt and forge pushes block
 * by block without the EncodingAESKey. Which check failed goes to the log only.
 */
const REFUSALS = {
  "bad-signature": [401, "unauthorized", "签名不对，已拒绝 refused: bad signature"],
  "plaintext-refused": [
    401,
    "unauthorized",
    "已配置 EncodingAESKey，拒绝明文推送（明文签名不覆盖消息体）refused: plaintext push while an EncodingAESKey is set",
  ],
  "wrong-mode": [
    400,
    "bad request",
    "推送模式与 WECHAT_PUSH_MODE 不符，已拒绝 refused: not in the configured mode",
  ],
  stale: [401, "unauthorized", "时间戳超出 PUSH_MAX_AGE_S，已拒绝 refused: stale timestamp"],
  "no-encrypt": [400, "bad request", "加密推送缺少 Encrypt 字段，已拒绝 refused: no readable Encrypt field"],
  "bad-body": [400, "bad request", "消息体格式不对，已拒绝 refused: bad body"],
  "too-large": [413, "payload too large", "消息体过大，已拒绝 refused: body over the size cap"],
  "cannot-decrypt": [400, "bad request", "无法解密（EncodingAESKey 不对？）refused: cannot decrypt"],
  "appid-mismatch": [
    400,
    "bad request",
    "解密后的 AppID 不是本小程序（WECHAT_APPID 不对？）refused: appid mismatch",
  ],
  "no-echostr": [400, "bad request", "URL 验证缺少 echostr refused: URL verification without echostr"],
  "no-wx-source": [
    401,
    "unauthorized",
    "云托管推送缺少 x-wx-source 请求头（不是微信内网调用），已拒绝 refused: no x-wx-source header (not WeChat's internal call)",
  ],
  "not-json": [400, "bad request", "云托管推送应为 JSON，已拒绝 refused: a container push is JSON"],
  "no-key": [
    400,
    "bad request",
    "收到加密推送，但未设置 WECHAT_ENCODING_AES_KEY / WECHAT_APPID refused: encrypted push, no key configured",
  ],
} as const satisfies Record<string, readonly [number, string, string]>;
type Refusal = keyof typeof REFUSALS;

/** WeChat's developer-server push: URL verification (GET) and messages (POST) in every mode and format. */
export function createHttpHandler(deps: HttpDeps): HttpHandler {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const refusals = createTally(log, "warn");
  const refuse = (reason: Refusal, detail?: { code: string }): HttpResponse => {
    const [status, body, line] = REFUSALS[reason];
    // Tallied per reason and code: a flood of one kind must not hide the first of another.
    refusals.count(detail === undefined ? line : `${line} [${detail.code}]`, detail);
    return text(status, body);
  };

  function verifyUrl({ query }: HttpRequest): HttpResponse {
    const { timestamp = "", nonce = "", echostr } = query;
    if (!verifySignature(signature(config.token, timestamp, nonce), query["signature"]))
      return refuse("bad-signature");
    if (echostr === undefined || echostr === "") return refuse("no-echostr");
    return text(200, echostr); // verbatim, as the platform checks it byte for byte
  }

  async function receive(request: HttpRequest): Promise<HttpResponse> {
    const arrivedAt = now();
    const { query, body } = request;
    const timestamp = query["timestamp"] ?? "";
    const nonce = query["nonce"] ?? "";
    const encrypted = query["encrypt_type"] === "aes";
    const accepted = config.mode ?? (config.aesKey === undefined ? "plaintext" : "encrypted");
    if (!encrypted && accepted !== "plaintext") {
      return config.mode === undefined ? refuse("plaintext-refused") : refuse("wrong-mode");
    }
    if (encrypted && accepted === "plaintext" && config.mode !== undefined) return refuse("wrong-mode");
    if (Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES) return refuse("too-large");
    // The body says what it is; the passive reply follows it (never the Content-Type header).
    const format = detectFormat(body);

    let raw: Record<string, unknown>;
    let mode: PushMode = "plaintext";
    let sealing: Sealing | undefined;
    try {
      if (!encrypted) {
        // Plaintext mode: the 3-field signature is all there is (it covers the query, not the body).
        if (!verifySignature(signature(config.token, timestamp, nonce), query["signature"]))
          return refuse("bad-signature");
        if (!fresh(timestamp)) return refuse("stale");
        raw = decodeBody(body, knownFormat(format));
      } else {
        // Unauthenticated, so refused like any other mismatch (counted, 4xx), yet worded for the operator
        // who switched the console to an encrypted mode and forgot the key.
        if (config.aesKey === undefined || config.appid === undefined) return refuse("no-key");
        // Authenticate before spending: find Encrypt with a scan, check msg_signature on it, then parse
        // only what was authenticated (the decrypted message). The outer body is never parsed.
        const sealed = format === undefined ? undefined : extractEncrypt(body, format);
        if (sealed === undefined) return refuse("no-encrypt");
        if (!verifySignature(signature(config.token, timestamp, nonce, sealed), query["msg_signature"]))
          return refuse("bad-signature");
        if (!fresh(timestamp)) return refuse("stale");
        // Compatible mode also carries plaintext copies, covered by no signature: the decrypted copy is used.
        mode = format !== undefined && hasPlaintextCopy(body, format) ? "compatible" : "secure";
        if (config.mode !== undefined && config.mode !== mode) return refuse("wrong-mode");
        const opened = openSealed(config.aesKey, config.appid, sealed);
        if (typeof opened !== "object")
          return opened === "appid-mismatch" ? refuse(opened) : refuse("cannot-decrypt", { code: opened });
        raw = opened;
        sealing = {
          token: config.token,
          key: config.aesKey,
          appid: config.appid,
          nonce,
          timestamp: Math.floor(now() / 1000),
        };
      }
    } catch (error) {
      if (error instanceof BodyError)
        return error.code === "too-large" ? refuse("too-large") : refuse("bad-body", { code: error.code });
      throw error;
    }
    return answer(raw, { mode, format: knownFormat(format), sealing, arrivedAt, deadline: request.deadline });
  }

  /**
   * 云托管's push: WeChat calls the container over its internal network, plaintext JSON, no signature; the
   * `x-wx-source` header marks such a call (the gateway sets it; with public access off, nobody else can reach
   * the service). The path check when the push is configured is `{"action":"CheckContainerPath"}`: 200.
   * Docs: developers.weixin.qq.com/miniprogram/dev/wxcloudrun/src/development/weixin/callback.html
   */
  async function receiveInContainer(request: HttpRequest): Promise<HttpResponse> {
    const arrivedAt = now();
    if ((request.headers["x-wx-source"] ?? "") === "") return refuse("no-wx-source");
    if (Buffer.byteLength(request.body, "utf8") > MAX_BODY_BYTES) return refuse("too-large");
    if (detectFormat(request.body) !== "json") return refuse("not-json");
    let raw: Record<string, unknown>;
    try {
      raw = decodeBody(request.body, "json");
    } catch (error) {
      if (error instanceof BodyError)
        return error.code === "too-large" ? refuse("too-large") : refuse("bad-body", { code: error.code });
      throw error;
    }
    if (raw["action"] === "CheckContainerPath") {
      log.info("云托管消息推送路径检查 container path check (CheckContainerPath)");
      return SUCCESS();
    }
    return answer(raw, {
      mode: "plaintext",
      format: "json",
      sealing: undefined,
      arrivedAt,
      deadline: request.deadline,
    });
  }

  function fresh(timestamp: string): boolean {
    if (config.maxAgeS === undefined) return true;
    const signedAt = Number(timestamp);
    return /^\d{1,12}$/.test(timestamp) && Math.abs(now() / 1000 - signedAt) <= config.maxAgeS;
  }

  interface Answering {
    mode: PushMode;
    format: BodyFormat;
    sealing: Sealing | undefined;
    arrivedAt: number;
    deadline: number | undefined;
  }

  async function answer(raw: Record<string, unknown>, how: Answering): Promise<HttpResponse> {
    const { deadline } = how;
    const work = deps.app.handle(raw, {
      send: deps.send,
      recipientOf: (message) => message.FromUserName,
      ...(deps.typing === undefined ? {} : { typing: deps.typing }),
      ...(deps.media === undefined ? {} : { media: deps.media }),
      ...(deps.cloud === undefined ? {} : { cloud: deps.cloud }),
      ...(deadline === undefined ? {} : { deadline }),
    });
    let timer: NodeJS.Timeout | undefined;
    // Answer by WeChat's budget, and never later than the function's own deadline (a cloud function is
    // frozen or killed at its limit: an answer after it is no answer).
    const answerBy = Math.min(how.arrivedAt + config.budgetMs, deadline ?? Infinity);
    const budget = new Promise<"deadline">(
      (resolve) => (timer = setTimeout(resolve, Math.max(0, answerBy - now()), "deadline")),
    );
    const first = await Promise.race([work, budget]);
    clearTimeout(timer);
    if (first === "deadline") {
      // WeChat drops the connection at 5 s and retries: answer now, let the handler finish, log its end.
      log.warn("处理超过时限，已先回复 success handler still running at the deadline; answered success", {
        budgetMs: config.budgetMs,
        mode: how.mode,
      });
      void work.then(
        (result) => lateResult(result),
        (error: unknown) => log.error("超时后的处理出错 late push failed", { error: String(error) }),
      );
      return SUCCESS();
    }
    return responseOf(first, how);
  }

  function lateResult(result: PushResult): void {
    if (result.status === "handled" && result.retry) {
      // WeChat got "success" and will not retry: this push is lost; say so plainly.
      log.error(
        "推送未能回复（已回复 success，发送一直失败）push stays unanswered: sends failed after the deadline",
        {
          route: result.outcome.route,
        },
      );
    } else if ((result.status === "handled" || result.status === "duplicate") && result.reply !== undefined) {
      log.error(
        "被动回复超出时限，未能送达（如转人工）passive reply missed the deadline (e.g. transfer to an agent)",
        {
          MsgType: result.reply.MsgType,
        },
      );
    } else {
      log.info("超时的推送已处理完 late push finished", { status: result.status });
    }
  }

  function responseOf(result: PushResult, how: Answering): HttpResponse {
    switch (result.status) {
      case "handled":
        log.info("推送已处理 push handled", {
          mode: how.mode,
          route: result.outcome.route,
          sent: result.outcome.sent,
        });
        // A released claim asks for WeChat's retry; "success" would end the push unanswered.
        if (result.retry) return RETRY();
        return result.reply === undefined ? SUCCESS() : passive(result.reply, how);
      case "duplicate":
        // Closed policy, busy: the claim's holder may be gone (a claim that landed after its caller gave
        // up): ask for another delivery rather than end the push unanswered.
        if (result.retry) return RETRY();
        // The same answer as the first delivery got: WeChat only retries when it did not receive it.
        return result.reply === undefined ? SUCCESS() : passive(result.reply, how);
      case "malformed":
        return SUCCESS(); // authentic but nothing to do: a retry would not change that
      case "store-unavailable":
        return RETRY();
    }
  }

  function passive(reply: PassiveReply, how: Answering): HttpResponse {
    const rendered = renderPassiveReply(reply, how.format, how.sealing);
    return { status: 200, headers: { "content-type": rendered.contentType }, body: rendered.body };
  }

  return async (request) => {
    try {
      if (config.door === "container") {
        // A GET is the platform's (or an operator's) health check: the container is up.
        if (request.method === "GET") return text(200, "ok");
        if (request.method === "POST") return await receiveInContainer(request);
        return text(405, "method not allowed", { allow: "GET, POST" });
      }
      if (request.method === "GET") return verifyUrl(request);
      if (request.method === "POST") return await receive(request);
      return text(405, "method not allowed", { allow: "GET, POST" });
    } catch (error) {
      log.error("HTTP 入口出错 http door failed", {
        error: error instanceof Error ? error.message : String(error),
      });
      return text(500, "internal error");
    }
  };
}

/**
 * The authenticated Encrypt, decrypted and decoded, or why not. Every reason gets the same answer from the
 * caller (see REFUSALS): a decrypted body that does not decode is refused like bad padding, so nothing a
 * forger sends can tell one failed check from another.
 */
function openSealed(
  key: Buffer,
  appid: string,
  sealed: string,
): Record<string, unknown> | DecryptErrorCode | `body-${BodyErrorCode}` {
  try {
    const opened = decrypt(key, appid, sealed);
    return decodeBody(opened, knownFormat(detectFormat(opened)), false);
  } catch (error) {
    if (error instanceof DecryptError) return error.code;
    if (error instanceof BodyError) return `body-${error.code}`;
    throw error;
  }
}
