// Preloaded (node -r) into a process under test: every outgoing TCP connection is written to the file named
// by CONNECTIONS_LOG, and any that is not to loopback fails at once instead of leaving the machine.
const fs = require("node:fs");
const net = require("node:net");

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const log = process.env.CONNECTIONS_LOG;
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalized arguments as one array; socket.connect() takes them spread.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === "object" && first !== null ? first : { port: first, host: args[1] };
  const target =
    typeof options.path === "string" ? `unix:${options.path}` : String(options.host ?? "localhost");
  if (log) fs.appendFileSync(log, `${target}\n`);
  if (LOOPBACK.has(target) || target.startsWith("unix:")) return connect.apply(this, args);
  const refused = Object.assign(new Error(`connection to ${target} blocked by the test`), {
    code: "ECONNREFUSED",
  });
  process.nextTick(() => this.destroy(refused));
  return this;
};
