import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Bounds on what one connection, and one address, may hold. WeChat opens a connection, sends one push of a
 * few hundred bytes, reads the answer within 5 s; a client that pipelines requests without reading the
 * answers, or that keeps a connection for minutes, is not WeChat and must not hold memory or slots.
 */
export interface ConnectionLimits {
  /** Connections open at once, all addresses together. */
  maxConnections: number;
  /** Requests one connection may have unanswered (pipelined) at once; one more closes it. */
  maxPendingPerConnection: number;
  /** A connection is closed once idle after this long, and at `maxConnectionAgeMs + graceMs` at the latest. */
  maxConnectionAgeMs: number;
  /** How long a request still in progress at the age limit may finish. */
  graceMs: number;
}

interface Tracked {
  address: string;
  pending: number;
  /** Past its age: close as soon as nothing is pending. */
  retiring: boolean;
  timer: NodeJS.Timeout;
}

/**
 * Applies the limits to a node:http server. Node's own `maxConnections` refuses newcomers once full, so one
 * client re-opening slow sockets could keep every slot: here a full server instead closes the oldest
 * connection of the address holding the most (or refuses the newcomer when that is its own address), so
 * each address gets a fair share without a fixed per-address number (behind a proxy, all are one address).
 */
export function guardConnections(server: Server, limits: ConnectionLimits): void {
  const tracked = new Map<Socket, Tracked>();
  // Insertion order of each set is age order: the first socket is the oldest.
  const byAddress = new Map<string, Set<Socket>>();

  const forget = (socket: Socket) => {
    const entry = tracked.get(socket);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    tracked.delete(socket);
    const sockets = byAddress.get(entry.address);
    sockets?.delete(socket);
    if (sockets?.size === 0) byAddress.delete(entry.address);
  };

  const makeRoom = (address: string): boolean => {
    let heaviest: Set<Socket> | undefined;
    let heaviestAddress = "";
    for (const [candidate, sockets] of byAddress) {
      if (heaviest === undefined || sockets.size > heaviest.size) {
        heaviest = sockets;
        heaviestAddress = candidate;
      }
    }
    const own = byAddress.get(address)?.size ?? 0;
    // The newcomer's address already holds as many as anyone: it gets no more.
    if (heaviest === undefined || own >= heaviest.size || heaviestAddress === address) return false;
    const oldest = heaviest.values().next().value;
    if (oldest !== undefined) {
      forget(oldest);
      oldest.destroy();
    }
    return true;
  };

  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    if (tracked.size >= limits.maxConnections && !makeRoom(address)) {
      socket.destroy();
      return;
    }
    const entry: Tracked = {
      address,
      pending: 0,
      retiring: false,
      timer: setTimeout(() => {
        if (entry.pending === 0) socket.destroy();
        else {
          entry.retiring = true;
          entry.timer = setTimeout(() => socket.destroy(), limits.graceMs).unref();
        }
      }, limits.maxConnectionAgeMs).unref(),
    };
    tracked.set(socket, entry);
    const sockets = byAddress.get(address) ?? new Set<Socket>();
    sockets.add(socket);
    byAddress.set(address, sockets);
    socket.once("close", () => forget(socket));
  });

  // 'request' comes for each pipelined request as it is parsed, before the earlier answers are written.
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const entry = tracked.get(req.socket);
    if (entry === undefined) return;
    entry.pending += 1;
    if (entry.pending > limits.maxPendingPerConnection) {
      req.socket.destroy();
      return;
    }
    if (entry.retiring) res.shouldKeepAlive = false;
    res.once("close", () => {
      entry.pending -= 1;
      if (entry.retiring && entry.pending === 0) req.socket.destroy();
    });
  });
}
