// node:http ↔ the handler (server/node-server.ts) over real HTTP on 127.0.0.1, with a recording handler in
// place of the door: what the handler is handed, what is written back, the body cap while the body streams,
// and how broken or silent connections end. Written from a mutation run's survivors.
import type { IncomingHttpHeaders, Server } from "node:http";
import { createServer, request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import { connect } from "node:net";
import { CLAIM_TTL_MS } from "../../src/core/dedupe";
import { MAX_BODY_BYTES } from "../../src/http/body";
import type { HttpHandler, HttpRequest, HttpResponse } from "../../src/http/handle";
import type { ServerLimits } from "../../src/server/node-server";
import {
  createPushServer,
  DEFAULT_LIMITS,
  createRequestListener,
  queryOf,
} from "../../src/server/node-server";
import { close, listen } from "../helpers/http-client";
import { createRecordingLog } from "../helpers/recording-log";

const ANSWER: HttpResponse = {
  status: 202,
  headers: { "content-type": "text/plain", "x-answer": "yes" },
  body: "ok",
};

/** A handler that records each request and answers ANSWER (or what `answer` says). */
function recorder(answer: (request: HttpRequest) => Promise<HttpResponse> = () => Promise.resolve(ANSWER)) {
  const requests: HttpRequest[] = [];
  const handle: HttpHandler = (request) => {
    requests.push(request);
    return answer(request);
  };
  return { requests, handle };
}

async function withServer(server: Server, run: (base: string, port: number) => Promise<void>): Promise<void> {
  const base = await listen(server);
  try {
    await run(base, Number(new URL(base).port));
  } finally {
    await close(server);
  }
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}
/** One request; `chunks` are written one by one; `end: false` leaves the body unfinished. */
function call(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string | number>;
    chunks?: string[];
    end?: boolean;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "POST",
        path: options.path ?? "/",
        headers: options.headers ?? {},
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (chunk: Buffer) => parts.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    if (options.end !== false) req.end();
    else req.flushHeaders();
  });
}

describe("the request listener", () => {
  test("hands the handler the method, the decoded query, the content type only, the whole body and a deadline", async () => {
    const { requests, handle } = recorder();
    await withServer(
      createServer(createRequestListener(handle, createRecordingLog())),
      async (_base, port) => {
        const before = Date.now();
        const answer = await call(port, {
          path: "/push?signature=s%20t&timestamp=1&nonce=2&empty=",
          headers: { "content-type": "application/json; charset=utf-8", "x-forwarded-for": "1.2.3.4" },
          chunks: ['{"a":', '"你好"}'],
        });
        expect(answer).toMatchObject({
          status: 202,
          body: "ok",
          headers: { "content-type": "text/plain", "x-answer": "yes" },
        });
        expect(requests).toEqual([
          {
            method: "POST",
            query: { signature: "s t", timestamp: "1", nonce: "2", empty: "" },
            headers: { "content-type": "application/json; charset=utf-8" },
            body: '{"a":"你好"}',
            deadline: expect.any(Number) as number,
          },
        ]);
        const deadline = requests[0]?.deadline ?? 0;
        expect(deadline).toBeGreaterThanOrEqual(before + CLAIM_TTL_MS - 1_000);
        expect(deadline).toBeLessThanOrEqual(Date.now() + CLAIM_TTL_MS - 1_000);
      },
    );
  });

  test("a UTF-8 body split across chunks arrives whole; a GET without a body has an empty one", async () => {
    const { requests, handle } = recorder();
    await withServer(
      createServer(createRequestListener(handle, createRecordingLog())),
      async (_base, port) => {
        const bytes = Buffer.from("<xml>你好</xml>");
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/" }, (res) => {
            res.resume();
            res.on("end", resolve);
          });
          req.on("error", reject);
          req.write(bytes.subarray(0, 7)); // ends inside 你
          setTimeout(() => req.end(bytes.subarray(7)), 20);
        });
        await call(port, { method: "GET", path: "/?echostr=1" });
        expect(requests.map((request) => [request.method, request.body, request.query])).toEqual([
          ["POST", "<xml>你好</xml>", {}],
          ["GET", "", { echostr: "1" }],
        ]);
        expect(requests[0]?.headers).toEqual({ "content-type": undefined });
      },
    );
  });

  test("a handler that rejects is a 500 and one error line; the server keeps serving", async () => {
    const log = createRecordingLog();
    let fail = true;
    const { handle } = recorder(() =>
      fail ? Promise.reject(new Error("door broke")) : Promise.resolve(ANSWER),
    );
    await withServer(createServer(createRequestListener(handle, log)), async (_base, port) => {
      const answer = await call(port, { chunks: ["{}"] });
      expect(answer).toMatchObject({
        status: 500,
        body: "internal error",
        headers: { "content-type": "text/plain" },
      });
      expect(log.entries).toEqual([
        {
          level: "error",
          message: expect.stringContaining("request failed") as string,
          fields: { error: "door broke" },
        },
      ]);
      fail = false;
      expect((await call(port, { chunks: ["{}"] })).status).toBe(202);
    });
  });
});

describe("the body cap while the body streams in", () => {
  const tooLarge = {
    status: 413,
    body: "payload too large",
    headers: { "content-type": "text/plain", connection: "close" },
  };

  test("a declared Content-Length over the cap is answered at once, before any body byte", async () => {
    const { requests, handle } = recorder();
    await withServer(
      createServer(createRequestListener(handle, createRecordingLog())),
      async (_base, port) => {
        // Headers only: a server that waited for the body would never answer (this test's timeout trips).
        const answer = await call(port, { headers: { "content-length": MAX_BODY_BYTES + 1 }, end: false });
        expect(answer).toMatchObject(tooLarge);
        expect(requests).toEqual([]);
      },
    );
  }, 3000);

  test("a chunked body is cut when it passes the cap, without waiting for its end", async () => {
    const { requests, handle } = recorder();
    await withServer(
      createServer(createRequestListener(handle, createRecordingLog())),
      async (_base, port) => {
        const answer = await call(port, {
          headers: { "transfer-encoding": "chunked" },
          chunks: ["x".repeat(MAX_BODY_BYTES), "y"],
          end: false,
        });
        expect(answer).toMatchObject(tooLarge);
        expect(requests).toEqual([]);
      },
    );
  }, 3000);

  test.each([
    ["with Content-Length", { "content-length": MAX_BODY_BYTES }],
    ["chunked", { "transfer-encoding": "chunked" }],
  ])("exactly the cap (%s) is read whole", async (_label, headers) => {
    const { requests, handle } = recorder();
    await withServer(
      createServer(createRequestListener(handle, createRecordingLog())),
      async (_base, port) => {
        const half = "z".repeat(MAX_BODY_BYTES / 2);
        expect((await call(port, { headers, chunks: [half, half] })).status).toBe(202);
        expect(requests.map((request) => request.body.length)).toEqual([MAX_BODY_BYTES]);
      },
    );
  });
});

test.each<[string, Record<string, string>]>([
  ["/", {}],
  ["/push", {}],
  ["?", {}],
  ["?a=1", { a: "1" }],
  ["/?a=1&b=%E4%BD%A0", { a: "1", b: "你" }],
  ["/p?q=1?x=2", { q: "1?x=2" }],
  ["//x?%zz=%E0%A4%A", { "%zz": "\uFFFD%A" }],
  ["*", {}],
])("queryOf(%j)", (target, query) => {
  expect(queryOf(target)).toEqual(query);
});

describe("connections", () => {
  const limits = (more: Partial<ServerLimits>) => ({
    headersTimeoutMs: 150,
    requestTimeoutMs: 60_000,
    checkIntervalMs: 60_000,
    ...more,
  });

  test("a silent socket is closed by its own timer, not by node's (here once a minute) request check", async () => {
    const server = createPushServer(recorder().handle, createRecordingLog(), limits({}));
    await withServer(server, async (_base, port) => {
      // Node's own check runs once a minute here: a close within this test's 10 s timeout is the 150 ms timer.
      await new Promise<void>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.on("close", () => resolve());
        socket.on("error", () => undefined);
      });
    });
  }, 10_000);

  test("a body trickling past the request timeout gets 408", async () => {
    const { requests, handle } = recorder();
    const server = createPushServer(
      handle,
      createRecordingLog(),
      limits({ headersTimeoutMs: 200, requestTimeoutMs: 300, checkIntervalMs: 50 }),
    );
    await withServer(server, async (_base, port) => {
      const answer = await new Promise<string>((resolve) => {
        let text = "";
        const socket = connect(port, "127.0.0.1", () =>
          socket.write("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n"),
        );
        const trickle = setInterval(() => socket.writable && socket.write("x"), 40);
        socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
        socket.on("error", () => undefined);
        socket.on("close", () => {
          clearInterval(trickle);
          resolve(text);
        });
      });
      expect(answer).toBe("HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n\r\n");
      expect(requests).toEqual([]);
    });
  }, 3000);

  test("a request node cannot parse gets 400, and a client that keeps sending is disconnected", async () => {
    const server = createPushServer(
      recorder().handle,
      createRecordingLog(),
      limits({ headersTimeoutMs: 5000 }),
    );
    await withServer(server, async (_base, port) => {
      const { answer, closed } = await new Promise<{ answer: string; closed: boolean }>((resolve) => {
        let text = "";
        // allowHalfOpen: this client does not end its side when the server ends its own.
        const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true }, () =>
          socket.write("BREW / HTTP/1.1\r\nhost: x\r\n\r\n"),
        );
        const trickle = setInterval(() => socket.writable && socket.write("more\r\n"), 30);
        const giveUp = setTimeout(() => {
          clearInterval(trickle);
          socket.destroy();
          resolve({ answer: text, closed: false });
        }, 8000);
        socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
        socket.on("error", () => undefined);
        socket.on("close", () => {
          clearInterval(trickle);
          clearTimeout(giveUp);
          resolve({ answer: text, closed: true });
        });
      });
      expect(answer).toBe("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      expect(closed).toBe(true);
    });
  }, 10_000);

  test("the default limits: seconds, not node's minutes", () => {
    const server = createPushServer(recorder().handle, createRecordingLog());
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([
      5_000, 6_000, 5_000,
    ]);
    // The connection cap is the guard's (fair share per address), not node's refuse-the-newcomer one.
    expect(server.maxConnections).toBeUndefined();
    expect(DEFAULT_LIMITS).toMatchObject({
      maxConnections: 1_000,
      maxPendingPerConnection: 8,
      maxConnectionAgeMs: 30_000,
    });
  });

  /** The clientError listener on its own, with a socket that records what is done to it. */
  function fakeSocket(writable: boolean) {
    const done: string[] = [];
    const socket = {
      writable,
      end: (data: string, callback?: () => void) => {
        done.push(`end ${data}`);
        callback?.();
      },
      destroy: () => void done.push("destroy"),
    };
    return { done, socket: socket as unknown as Socket };
  }

  test.each<[string | undefined, string]>([
    ["ERR_HTTP_REQUEST_TIMEOUT", "408 Request Timeout"],
    ["ERR_HTTP_HEADERS_TIMEOUT", "408 Request Timeout"],
    ["HPE_INVALID_METHOD", "400 Bad Request"],
    ["HPE_HEADER_OVERFLOW", "400 Bad Request"],
    [undefined, "400 Bad Request"],
  ])("clientError %s → %s, then the socket is destroyed", (code, status) => {
    const server = createPushServer(recorder().handle, createRecordingLog());
    const { done, socket } = fakeSocket(true);
    server.emit(
      "clientError",
      Object.assign(new Error("client error"), code === undefined ? {} : { code }),
      socket,
    );
    expect(done).toEqual([`end HTTP/1.1 ${status}\r\nconnection: close\r\n\r\n`, "destroy"]);
  });

  test("clientError on a socket that can no longer be written: destroyed, nothing written", () => {
    const server = createPushServer(recorder().handle, createRecordingLog());
    const { done, socket } = fakeSocket(false);
    server.emit("clientError", Object.assign(new Error("reset"), { code: "ECONNRESET" }), socket);
    expect(done).toEqual(["destroy"]);
  });
});
