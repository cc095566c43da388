import type { Store } from "../core/dedupe";
import type { PushResult } from "../core/handle-push";
import { handlePush } from "../core/handle-push";
import type { Log } from "../core/log";
import type { Send, SetTyping } from "../core/reply";
import type { Router } from "../core/router";
import { BodyError, decodeBody, detectFormat } from "./body";
import type { HttpConfig, PushMode } from "./config";
import { signature, verifySignature } from "./signature";
import { decrypt, DecryptError } from "./wx-crypto";

/** A request as every adapter (node http, cloud HTTP trigger) hands it over. */
export interface HttpRequest {
  method: string;
  query: Readonly<Record<string, string | undefined>>;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpDeps {
  app: Router;
  config: HttpConfig;
  send: Send;
  log: Log;
  store?: Store;
  typing?: SetTyping;
}

// The one status table of the HTTP door. Bodies stay terse: nothing here helps a forger.
const reply = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  body,
});
const SUCCESS = () => reply(200, "success");
const UNAUTHORIZED = () => reply(401, "unauthorized");
const BAD_REQUEST = () => reply(400, "bad request");

/** WeChat's developer-server push: URL verification (GET) and messages (POST) in every mode and format. */
export async function handleHttp(request: HttpRequest, deps: HttpDeps): Promise<HttpResponse> {
  try {
    if (request.method === "GET") return verifyUrl(request, deps);
    if (request.method === "POST") return await receive(request, deps);
    return reply(405, "method not allowed", { allow: "GET, POST" });
  } catch (error) {
    deps.log.error("http door failed", {
      error: error instanceof Error ? error.message : String(error),
    });
    return reply(500, "internal error");
  }
}

function verifyUrl({ query }: HttpRequest, { config, log }: HttpDeps): HttpResponse {
  const { timestamp = "", nonce = "", echostr } = query;
  if (!verifySignature(signature(config.token, timestamp, nonce), query["signature"])) {
    log.warn("URL verification refused: bad signature");
    return UNAUTHORIZED();
  }
  if (echostr === undefined || echostr === "") return BAD_REQUEST();
  return reply(200, echostr); // verbatim, as the platform checks it byte for byte
}

async function receive(request: HttpRequest, deps: HttpDeps): Promise<HttpResponse> {
  const { config, log } = deps;
  const { query } = request;
  const timestamp = query["timestamp"] ?? "";
  const nonce = query["nonce"] ?? "";
  const encrypted = query["encrypt_type"] === "aes";
  if (config.mode !== undefined && (config.mode === "plaintext") === encrypted) {
    log.warn("push refused: not in the configured mode", {
      expected: config.mode,
    });
    return BAD_REQUEST();
  }

  let raw: Record<string, unknown>;
  let mode: PushMode = "plaintext";
  try {
    if (!encrypted) {
      // Plaintext mode: the 3-field signature is all there is.
      if (!verifySignature(signature(config.token, timestamp, nonce), query["signature"])) return refuse(log);
      raw = decodeBody(request.body, detectFormat(request.body, request.headers["content-type"]));
    } else {
      if (config.aesKey === undefined || config.appid === undefined) {
        log.error("encrypted push received but WECHAT_ENCODING_AES_KEY / WECHAT_APPID are not set");
        return reply(500, "not configured");
      }
      const outer = decodeBody(
        request.body,
        detectFormat(request.body, request.headers["content-type"]),
        false,
      );
      const sealed = outer["Encrypt"];
      if (typeof sealed !== "string") return BAD_REQUEST();
      // msg_signature covers Encrypt; the 3-field signature does not cover the body at all.
      if (!verifySignature(signature(config.token, timestamp, nonce, sealed), query["msg_signature"])) {
        return refuse(log);
      }
      const opened = decrypt(config.aesKey, config.appid, sealed);
      raw = decodeBody(opened, detectFormat(opened, undefined), false);
      // Compatible mode also carries plaintext copies, covered by no signature: the decrypted copy is used.
      mode = Object.keys(outer).some((name) => name !== "ToUserName" && name !== "Encrypt")
        ? "compatible"
        : "secure";
    }
  } catch (error) {
    if (error instanceof BodyError) {
      log.warn("push refused: bad body", { code: error.code });
      return error.code === "too-large" ? reply(413, "payload too large") : BAD_REQUEST();
    }
    if (error instanceof DecryptError) {
      log.warn("push refused: cannot decrypt", { code: error.code });
      return error.code === "appid-mismatch" ? reply(403, "forbidden") : BAD_REQUEST();
    }
    throw error;
  }
  return answer(raw, mode, deps);
}

async function answer(raw: Record<string, unknown>, mode: PushMode, deps: HttpDeps): Promise<HttpResponse> {
  const { app, config, log, send, store, typing } = deps;
  const work = handlePush(raw, app, {
    send,
    log,
    recipientOf: (message) => message.FromUserName,
    ...(store === undefined ? {} : { store }),
    ...(typing === undefined ? {} : { typing }),
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">(
    (resolve) => (timer = setTimeout(resolve, config.budgetMs, "deadline")),
  );
  const first = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (first === "deadline") {
    // WeChat drops the connection at 5 s and retries: answer now, let the handler finish, log its end.
    log.warn("handler still running at the deadline; answered success", {
      budgetMs: config.budgetMs,
      mode,
    });
    void work.then(
      (result) => log.info("late push finished", { status: result.status }),
      (error: unknown) => log.error("late push failed", { error: String(error) }),
    );
    return SUCCESS();
  }
  return statusOf(first, mode, log);
}

function statusOf(result: PushResult, mode: PushMode, log: Log): HttpResponse {
  switch (result.status) {
    case "handled":
      log.info("push handled", {
        mode,
        route: result.outcome.route,
        sent: result.outcome.sent,
      });
      // A released claim asks for WeChat's retry; "success" would end the push unanswered.
      return result.retry ? reply(503, "retry") : SUCCESS();
    case "duplicate":
    case "malformed":
      return SUCCESS(); // authentic but nothing to do: a retry would not change that
    case "store-unavailable":
      return reply(503, "retry");
  }
}

function refuse(log: Log): HttpResponse {
  log.warn("push refused: bad signature");
  return UNAUTHORIZED();
}
