import { request } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { BuiltRequest } from "../../scripts/lib/push-request";

export interface Answer {
  status: number;
  body: string;
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Real HTTP over loopback. */
export function send(
  base: string,
  built: Pick<BuiltRequest, "method" | "path" | "headers" | "body">,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(built.path, base),
      { method: built.method, headers: built.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(built.body);
  });
}
