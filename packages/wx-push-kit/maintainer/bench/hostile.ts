// Section 4 of `npm run bench`: the developer server under a flood of unauthenticated 64 KB bodies.
// Valid pushes are probed one at a time (their own latency, p50/p95) without and with the flood, in the
// same run; the flood comes from a separate autocannon process so the probe's client is not starved.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { Agent, request } from "node:http";
import path from "node:path";
import type { BuiltRequest } from "../../src/local/push-request";

export interface Latency {
  p50: number;
  p95: number;
  failed: number;
}

/** Sends each request in turn over one keep-alive connection; milliseconds per answer. */
export async function probe(port: number, pool: readonly BuiltRequest[]): Promise<Latency> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let failed = 0;
  for (const built of pool) {
    const started = process.hrtime.bigint();
    const status = await new Promise<number>((resolve) => {
      const req = request(
        { host: "127.0.0.1", port, method: built.method, path: built.path, headers: built.headers, agent },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", () => resolve(0));
      req.end(built.body);
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (status !== 200) failed += 1;
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), failed };
}

/** A 64 KB body of `<a/>` with a forged msg_signature: what an attacker can send without the Token. */
export function junkRequest(genuine: BuiltRequest): BuiltRequest {
  const sealed = "A".repeat(64);
  const head = `<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt>`;
  const body = `${head}${"<a/>".repeat(Math.floor((64 * 1024 - head.length - 6) / 4))}</xml>`;
  const query = { ...genuine.query, msg_signature: "0".repeat(40) };
  return { ...genuine, path: `/?${new URLSearchParams(query).toString()}`, query, body };
}

/** autocannon as its own process: `connections` sockets posting `junk` for `seconds`. */
export function startFlood(
  root: string,
  port: number,
  junk: BuiltRequest,
  connections: number,
  seconds: number,
): ChildProcess {
  const file = path.join(root, "node_modules", ".cache", "bench", "junk.xml");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, junk.body);
  return spawn(
    path.join(root, "node_modules", ".bin", "autocannon"),
    [
      "-c",
      String(connections),
      "-d",
      String(seconds),
      "-m",
      "POST",
      "-H",
      "content-type=text/xml",
      "-i",
      file,
      "--json",
      `http://127.0.0.1:${port}${junk.path}`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
}
