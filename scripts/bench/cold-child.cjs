// One cold start, measured inside a fresh node process: load the function (and the SDK), handle one
// event. argv: <entry> <noop|loopback>. Prints {requireMs, firstEventMs, totalMs} as JSON.
const started = process.hrtime.bigint();
const path = require("node:path");

const [entry, mode] = process.argv.slice(2);
const event = {
  FromUserName: "ohl4L0Rnhq7vmmbT_DaNQa4ePaz0",
  ToUserName: "wx3d289323f5900f8e",
  Content: "测试",
  CreateTime: 1555684067,
  MsgId: "49d72d67b16d115e7935ac386f2f0fa41535298877_1555684067",
  MsgType: "text",
};
let sends = 0;
if (mode === "noop") {
  // The same wx-server-sdk copy the function resolves, its send replaced by a no-op (for both contenders).
  const sdk = require(require.resolve("wx-server-sdk", { paths: [path.dirname(entry)] }));
  sdk.openapi = {
    customerServiceMessage: {
      send: async () => {
        sends += 1;
        return { errCode: 0 };
      },
    },
  };
}
const { main } = require(entry);
const loaded = process.hrtime.bigint();
main(event, {}).then(
  (returned) => {
    const done = process.hrtime.bigint();
    if (returned !== "success" || (mode === "noop" && sends !== 1)) {
      console.error(`bad run: returned ${String(returned)}, sends ${sends}`);
      process.exit(2);
    }
    const ms = (a, b) => Number(b - a) / 1e6;
    process.stdout.write(
      JSON.stringify({
        requireMs: ms(started, loaded),
        firstEventMs: ms(loaded, done),
        totalMs: ms(started, done),
      }),
    );
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
