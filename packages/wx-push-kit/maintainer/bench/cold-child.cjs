// One cold start, measured inside a fresh node process: load the function (and the SDK), handle one text
// push, the SDK's send going to the loopback stand-in named by TCB_CONTEXT_CNFG. argv: <entry>.
// Prints {requireMs, firstEventMs, totalMs} as JSON.
const started = process.hrtime.bigint();

const [entry] = process.argv.slice(2);
const event = {
  FromUserName: "ohl4L0Rnhq7vmmbT_DaNQa4ePaz0",
  ToUserName: "wx3d289323f5900f8e",
  Content: "测试",
  CreateTime: 1555684067,
  MsgId: "49d72d67b16d115e7935ac386f2f0fa41535298877_1555684067",
  MsgType: "text",
};
const { main } = require(entry);
const loaded = process.hrtime.bigint();
main(event, {}).then(
  (returned) => {
    const done = process.hrtime.bigint();
    if (returned !== "success") {
      console.error(`bad run: returned ${String(returned)}`);
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
