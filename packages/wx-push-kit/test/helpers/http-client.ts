import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { BuiltRequest } from "../../src/local/push-request";
import { deliver } from "../../src/cli/push";

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

/** Real HTTP over loopback, the push simulator's own client. */
export function send(
  base: string,
  built: Pick<BuiltRequest, "method" | "path" | "headers" | "body">,
): Promise<Answer> {
  return deliver(new URL(built.path, base), built);
}
