// Peer: node-webot's `wechat` middleware on node:http, secure mode, answering "" (its documented way to
// acknowledge without a passive reply). It needs req.query, which connect/express would provide.
const http = require("node:http");
const wechat = require("wechat");

const middleware = wechat(
  { token: "AAAAA", appid: "wxba5fad812f8e6fb9", encodingAESKey: "A".repeat(43) },
  (req, res) => res.reply(""),
);
const server = http.createServer((req, res) => {
  req.query = Object.fromEntries(new URL(req.url, "http://localhost").searchParams);
  middleware(req, res, () => res.end(""));
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`ready ${server.address().port}\n`));
