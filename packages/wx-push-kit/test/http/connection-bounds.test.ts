// What one connection and one address may hold on the developer server, over real sockets: a client that
// pipelines requests and never reads the answers is cut off at once; a connection does not outlive its age;
// one address re-opening slow sockets cannot take every slot from the others.
import type { Socket } from "node:net";
import { connect } from "node:net";
import { loadHttpConfig } from "../../src/http/config";
import { createRouter } from "../../src/core/router";
import { buildPushRequest } from "../../src/local/push-request";
import type { ServerLimits } from "../../src/server/node-server";
import { close, listen, send } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";

const FORGED_GET =
  "GET /?signature=0000000000000000000000000000000000000000&timestamp=1&nonce=2&echostr=x HTTP/1.1\r\nHost: a\r\n\r\n";

async function withServer(limits: Partial<ServerLimits>, run: (base: string, port: number) => Promise<void>) {
  const server = createTestServer({
    router: createRouter().on("text", async ({ reply }) => void (await reply.text("reply"))),
    config: loadHttpConfig({ WECHAT_TOKEN: "AAAAA" }),
    send: () => Promise.resolve(),
    limits,
  });
  const base = await listen(server);
  try {
    await run(base, Number(new URL(base).port));
  } finally {
    await close(server);
  }
}

const genuine = (n: number) =>
  buildPushRequest({
    message: {
      ToUserName: "gh_x",
      FromUserName: "o-genuine",
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: "text",
      Content: "hi",
      MsgId: String(9_200_000_000_000_000_000n + BigInt(n)),
    },
    mode: "plaintext",
    format: "json",
    settings: { token: "AAAAA" },
  });

/** Resolves when the server closed the socket; rejects after `ms`. */
const closedWithin = (socket: Socket, ms: number) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });

test("six sockets pipelining forged GETs without ever reading are closed within seconds; pushes still answered", async () => {
  await withServer({}, async (base, port) => {
    const sockets = Array.from({ length: 6 }, () => {
      const socket = connect(port, "127.0.0.1");
      socket.pause(); // never reads an answer
      socket.on("error", () => {});
      let open = true;
      socket.once("close", () => (open = false));
      const burst = FORGED_GET.repeat(200);
      const pump = () => {
        if (!open) return;
        if (socket.write(burst)) setImmediate(pump);
        else socket.once("drain", pump);
      };
      socket.on("connect", pump);
      return socket;
    });
    await Promise.all(sockets.map((socket) => closedWithin(socket, 5_000)));
    expect(await send(base, genuine(1))).toEqual({ status: 200, body: "success" });
  });
}, 15_000);

test("a keep-alive connection is closed at its age, after the answer in progress", async () => {
  await withServer({ maxConnectionAgeMs: 500, keepAliveTimeoutMs: 60_000 }, async (_base, port) => {
    const socket = connect(port, "127.0.0.1");
    const answers: string[] = [];
    socket.on("data", (chunk: Buffer) => answers.push(chunk.toString()));
    await new Promise((resolve) => socket.once("connect", resolve));
    const closed = closedWithin(socket, 5_000);
    // One request every 200 ms keeps it busy past its age: it is still closed, each request answered.
    for (let i = 0; i < 5 && !socket.destroyed; i += 1) {
      socket.write("GET /?signature=0&timestamp=1&nonce=2&echostr=x HTTP/1.1\r\nHost: a\r\n\r\n");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await closed;
    expect(answers.join("")).toContain("HTTP/1.1 401");
  });
}, 15_000);

test("one address holding every slot with slow sockets cannot keep the others out", async () => {
  await withServer({ maxConnections: 20 }, async (base, port) => {
    // 30 sockets from 127.0.0.2 (loopback has the whole 127/8), each trickling a request it never ends.
    const slow = Array.from({ length: 30 }, () => {
      const socket = connect({ port, host: "127.0.0.1", localAddress: "127.0.0.2" });
      socket.on("error", () => {});
      socket.on("connect", () => socket.write("POST / HTTP/1.1\r\nHost: a\r\n"));
      return socket;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answers = [];
    for (let n = 0; n < 10; n += 1) answers.push(await send(base, genuine(100 + n)));
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ status: 200, body: "success" })));
    for (const socket of slow) socket.destroy();
  });
}, 15_000);
