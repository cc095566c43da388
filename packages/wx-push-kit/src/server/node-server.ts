import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { ConnectionLimits } from "./connection-guard";
import { guardConnections } from "./connection-guard";
import { CLAIM_TTL_MS } from "../core/dedupe";
import type { Log } from "../core/log";
import { MAX_BODY_BYTES } from "../http/body";
import type { HttpHandler, HttpRequest, HttpResponse } from "../http/handle";

/**
 * Connection limits for a server on the open internet. WeChat sends a push of a few hundred bytes at once
 * and waits 5 s at most, so anything slower is not WeChat: a silent or trickling socket is closed within
 * seconds (node only checks request timeouts every `connectionsCheckingInterval`, 30 s by default).
 */
export interface ServerLimits extends Omit<ConnectionLimits, "graceMs"> {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  checkIntervalMs: number;
}

/** How long the server works on one push, sends and retries included: well inside the claim's lease. */
export const WORK_LIMIT_MS = CLAIM_TTL_MS - 1_000;

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 6_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxConnections: 1_000,
  // WeChat sends one push and waits for its answer; eight unanswered requests is a client that never reads.
  maxPendingPerConnection: 8,
  // Node's keep-alive handling replaces the socket's own timeout once a request is parsed, so a client
  // trickling one request every few seconds could keep a connection forever without this.
  maxConnectionAgeMs: 30_000,
};

/** node:http ↔ the framework-free handler. Bodies are capped while they stream in; nothing escapes. */
export function createRequestListener(
  handle: HttpHandler,
  log: Log,
  now: () => number = Date.now,
): RequestListener {
  return (req, res) => {
    readBody(req)
      .then(
        async (body) => {
          const request: HttpRequest = {
            method: req.method ?? "GET",
            query: queryOf(req.url ?? "/"),
            headers: {
              "content-type": req.headers["content-type"],
              // 云托管 marks WeChat's internal calls with it (the container door requires it).
              "x-wx-source": headerOf(req.headers["x-wx-source"]),
            },
            body,
            // The work of a push ends before its claim lapses (CLAIM_TTL_MS): past that, another delivery
            // could take the claim over and answer again.
            deadline: now() + WORK_LIMIT_MS,
          };
          const response = await handle(request);
          // Written in the check phase, after this turn's other requests were read: measured ~1.7× the
          // throughput of writing from the microtask (each write there is its own syscall and wake-up).
          setImmediate(() => write(res, response));
        },
        () => {
          write(res, {
            status: 413,
            headers: { "content-type": "text/plain", connection: "close" },
            body: "payload too large",
          });
          req.resume(); // drain what is left without keeping it
        },
      )
      .catch((error: unknown) => {
        // Never an unhandled rejection: one odd request must not stop the server.
        log.error("HTTP 请求处理出错 request failed", {
          error: error instanceof Error ? error.message : String(error),
        });
        write(res, { status: 500, headers: { "content-type": "text/plain" }, body: "internal error" });
      });
  };
}

/**
 * The query of a request target, whatever its shape ("//", "http://[::1/", "*"): only the part after "?"
 * matters here, and URLSearchParams never throws (a bad %-escape decodes to U+FFFD).
 */
export function queryOf(target: string): Record<string, string> {
  const mark = target.indexOf("?");
  return mark === -1 ? {} : Object.fromEntries(new URLSearchParams(target.slice(mark + 1)));
}

export function createPushServer(
  handle: HttpHandler,
  log: Log,
  limits: Partial<ServerLimits> = {},
  now: () => number = Date.now,
): Server {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, checkIntervalMs, ...connections } = {
    ...DEFAULT_LIMITS,
    ...limits,
  };
  const server = createServer(
    {
      connectionsCheckingInterval: checkIntervalMs,
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
    },
    createRequestListener(handle, log, now),
  );
  server.keepAliveTimeout = keepAliveTimeoutMs;
  // A push in progress at the age limit may finish its work (WORK_LIMIT_MS) and be answered.
  guardConnections(server, { ...connections, graceMs: WORK_LIMIT_MS + 1_000 });
  // A socket that connects and says nothing never starts a request, so no request timeout applies to it.
  server.on("connection", (socket) => socket.setTimeout(headersTimeoutMs, () => socket.destroy()));
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    // Destroyed once the answer is out: node's server allows half-open sockets, and a bare end() would
    // leave a trickling client holding the socket (and a connection slot) as long as it keeps sending.
    const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT" || error.code === "ERR_HTTP_HEADERS_TIMEOUT";
    const status = timedOut ? "408 Request Timeout" : "400 Bad Request";
    if (socket.writable)
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n\r\n`, () => socket.destroy());
    else socket.destroy();
  });
  return server;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new Error("too large"));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused = true;
        chunks.length = 0;
        reject(new Error("too large"));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function write(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
