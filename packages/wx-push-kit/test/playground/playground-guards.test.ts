// The playground serves demo secrets and a live log to this machine's pages only: a foreign Host (DNS
// rebinding) or Origin (another site) is refused, as are cross-site simple POSTs, huge bodies and an
// unbounded number of log streams; two deliveries at once keep their own records.
import { request } from "node:http";
import { startPlayground } from "../../src/cli/playground";

let playground: Awaited<ReturnType<typeof startPlayground>>;
beforeAll(async () => {
  playground = await startPlayground(0);
}, 60_000);
afterAll(() => playground.close());

/** A raw request, with whatever Host and headers a hostile page would send. */
function ask(options: {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(playground.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: options.headers,
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const message = (content: string, door = "http", kind = "text") =>
  JSON.stringify({ kind, content, mode: "secure", format: "json", door, scenario: "normal" });

test("it listens on loopback only", () => {
  expect(playground.address.address).toBe("127.0.0.1");
});

test("a foreign Host (DNS rebinding) gets 403, for the page and the log stream alike", async () => {
  for (const path of ["/", "/events"])
    expect(await ask({ path, headers: { host: "attacker.example:8090" } })).toEqual({
      status: 403,
      body: "forbidden host",
    });
});

test("a POST from another origin gets 403; a text/plain (no-preflight) POST gets 415", async () => {
  const post = { method: "POST", path: "/api/message", body: message("x") };
  expect(
    await ask({ ...post, headers: { "content-type": "application/json", origin: "https://evil.example" } }),
  ).toEqual({
    status: 403,
    body: "forbidden origin",
  });
  expect(await ask({ ...post, headers: { "content-type": "text/plain" } })).toEqual({
    status: 415,
    body: "application/json only",
  });
});

test("a body over 16 KiB is refused without being read whole; a malformed ask is a 400", async () => {
  const huge = await ask({
    method: "POST",
    path: "/api/message",
    headers: { "content-type": "application/json" },
    body: Buffer.alloc(1024 * 1024, 0x20),
  }).catch(() => ({ status: 413, body: "too large (connection closed)" }));
  expect(huge.status).toBe(413);
  expect(
    await ask({
      method: "POST",
      path: "/api/message",
      headers: { "content-type": "application/json" },
      body: '{"door":"ftp"}',
    }),
  ).toEqual({ status: 400, body: "bad ask" });
});

test("at most eight log streams", async () => {
  const url = new URL(playground.url);
  const open = Array.from({ length: 8 }, () => {
    const req = request({ host: url.hostname, port: url.port, path: "/events" });
    req.end();
    return req;
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await ask({ path: "/events" })).toEqual({ status: 503, body: "too many log streams" });
  for (const req of open) req.destroy();
});

test.each(["http", "cloud"])(
  "two %s deliveries at once each report their own sends and logs; console is restored",
  async (door) => {
    const original = console.log;
    type Answer = { deliveries: { parsed: { route?: string }; sends: unknown[]; logs: string[] }[] };
    const post = (kind: string) =>
      ask({
        method: "POST",
        path: "/api/message",
        headers: { "content-type": "application/json" },
        body: message("hi", door, kind),
      }).then(({ body }) => JSON.parse(body) as Answer);
    for (let round = 0; round < 3; round += 1) {
      const [text, image] = await Promise.all([post("text"), post("image")]);
      // What the default bot says is not this test's business: only that each delivery recorded its own.
      for (const [answer, route, other] of [
        [text, "text", "image"],
        [image, "image", "text"],
      ] as const) {
        const [delivery] = answer.deliveries;
        expect(delivery?.parsed.route).toBe(route);
        expect(delivery?.sends).toHaveLength(1);
        expect(delivery?.logs.join("\n")).not.toContain(`"route":"${other}"`);
      }
    }
    expect(console.log).toBe(original);
  },
  30_000,
);
