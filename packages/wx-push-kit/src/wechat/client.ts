import type { RequestOptions } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { classifyFailure, isTokenRejected } from "../core/send-errors";

// One HTTPS client for WeChat's server API (api.weixin.qq.com), used by the self-hosted reply path and by
// the config CLI. node:http/https rather than fetch: the cloud runtime may be Node 16.

export const DEFAULT_API_BASE = "https://api.weixin.qq.com";

/** WeChat answered with errcode ≠ 0. */
export class WechatApiError extends Error {
  override readonly name = "WechatApiError";
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
  ) {
    super(`[message-push] ${path} failed: errcode ${errcode} ${errmsg}`);
  }
}

export type TransportErrorCode = "timeout" | "network" | "bad-json" | "http-status";

/** The call did not produce a WeChat answer. Messages name the path, never the query (it holds the token). */
export class WechatTransportError extends Error {
  override readonly name = "WechatTransportError";
  constructor(
    readonly code: TransportErrorCode,
    readonly path: string,
    detail: string,
  ) {
    super(`[message-push] ${path}: ${detail}`);
  }
}

export interface WechatApiOptions {
  /** Defaults to WECHAT_API_BASE, else https://api.weixin.qq.com. */
  base?: string;
  accessToken?: string;
  timeoutMs?: number;
  /**
   * Extra attempts after a transient failure (network, timeout, errcode -1). Default none: only calls that
   * are safe to repeat opt in (the token, the callback config). A reply never does: core/send-retry.ts is the
   * one owner of send retries, and it knows a timed-out send may have been delivered.
   */
  retries?: number;
}

export function apiBase(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return (env["WECHAT_API_BASE"] ?? DEFAULT_API_BASE).replace(/\/+$/, "");
}

/**
 * Worth another attempt with the same token: the shared table says transient, and it is not the token
 * itself that was refused (the caller refreshes it and tries again).
 */
export function isTransient(error: unknown): boolean {
  return classifyFailure(error) === "transient" && !isTokenRejected(error);
}

export async function postWechatApi<T extends object>(
  path: string,
  body: unknown,
  options: WechatApiOptions = {},
): Promise<T> {
  const { retries = 0 } = options;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await postOnce<T>(path, body, options);
    } catch (error) {
      if (attempt >= retries || !isTransient(error)) throw error;
    }
  }
}

/** One HTTP exchange with the API: what came back, or a transport error (5xx counts as one). */
export interface RawAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export function callWechatApi(
  path: string,
  request: {
    method: "GET" | "POST";
    body?: Buffer;
    contentType?: string;
    query?: Record<string, string>;
    /** A larger answer is cut off and refused (a picture fetched, at most 10 MB). */
    maxBytes?: number;
  },
  options: WechatApiOptions = {},
): Promise<RawAnswer> {
  const { timeoutMs = 5000 } = options;
  const url = new URL(`${options.base ?? apiBase()}${path}`);
  // 云托管's 开放接口服务 takes calls without a token (the gateway adds it): an empty one is none.
  if (options.accessToken !== undefined && options.accessToken !== "")
    url.searchParams.set("access_token", options.accessToken);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string | number> = {};
  if (request.body !== undefined) {
    headers["content-type"] = request.contentType ?? "application/json";
    headers["content-length"] = request.body.length;
  }
  const transport = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = transport(url, { method: request.method, headers } satisfies RequestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (request.maxBytes !== undefined && size > request.maxBytes) {
          req.destroy();
          reject(new WechatTransportError("bad-json", path, `the answer is over ${request.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", () => reject(new WechatTransportError("network", path, "response interrupted")));
      res.on("end", () => {
        if ((res.statusCode ?? 0) >= 500) {
          reject(new WechatTransportError("network", path, `HTTP ${res.statusCode}`));
          return;
        }
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"] ?? "",
          body: Buffer.concat(chunks),
        });
      });
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      reject(new WechatTransportError("timeout", path, `no answer within ${timeoutMs} ms`));
    });
    req.on("error", (error: NodeJS.ErrnoException) =>
      reject(new WechatTransportError("network", path, error.code ?? "request failed")),
    );
    req.end(request.body);
  });
}

/** An answer's JSON object, or the error it stands for (an errcode, or not JSON at all). */
export function jsonAnswer<T extends object>(path: string, answer: RawAnswer): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body.toString("utf8"));
  } catch {
    throw new WechatTransportError("bad-json", path, `the answer is not JSON (HTTP ${answer.status})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new WechatTransportError("bad-json", path, "the answer is not a JSON object");
  const { errcode, errmsg } = parsed as { errcode?: unknown; errmsg?: unknown };
  if (typeof errcode === "number" && errcode !== 0)
    throw new WechatApiError(errcode, typeof errmsg === "string" ? errmsg : "", path);
  return parsed as T;
}

async function postOnce<T extends object>(
  path: string,
  body: unknown,
  options: WechatApiOptions,
): Promise<T> {
  const payload = Buffer.from(JSON.stringify(body ?? {}), "utf8");
  return jsonAnswer<T>(path, await callWechatApi(path, { method: "POST", body: payload }, options));
}
