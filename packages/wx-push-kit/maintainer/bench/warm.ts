// Warm per-event cost, in one process: the full pipeline (parse → dedupe in memory → router → reply with a
// no-op send) against a minimal hand-written switch on MsgType building the same payloads.
// The kit's fixture bot (stateless, 「收到」), as sections 1 and 3 use: never the template's, which its users change.
import { createBot } from "../../test/fixture-project/cloudfunctions/messagePush/src/bot";
import { createApp } from "../../src/core/app";
import { silentLog } from "../../src/core/log";
import { createMemoryStore } from "../../src/core/memory-store";
import type { SendPayload } from "../../src/core/reply";

const EVENTS = 50_000;
const ROUNDS = 7;

function makeEvents(round: number): Record<string, unknown>[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const base = {
      ToUserName: "wx3d289323f5900f8e",
      FromUserName: `o-${i % 997}`,
      CreateTime: 1_700_000_000 + round * EVENTS + i,
    };
    switch (i % 4) {
      case 0:
        return { ...base, MsgType: "text", Content: "你好", MsgId: `t-${round}-${i}` };
      case 1:
        return { ...base, MsgType: "image", PicUrl: "http://x/y", MediaId: "m", MsgId: `i-${round}-${i}` };
      case 2:
        return {
          ...base,
          MsgType: "miniprogrampage",
          MsgId: `p-${round}-${i}`,
          Title: "t",
          AppId: "wx1",
          PagePath: "p",
          ThumbUrl: "u",
          ThumbMediaId: "m",
        };
      default:
        return { ...base, MsgType: "event", Event: "user_enter_tempsession", SessionFrom: "s" };
    }
  });
}

let sink = 0;
const send = (payload: SendPayload) => {
  sink += payload.touser.length;
  return Promise.resolve();
};

async function handWritten(event: Record<string, unknown>): Promise<void> {
  const touser = event["FromUserName"] as string;
  switch (event["MsgType"]) {
    case "text":
    case "image":
    case "miniprogrampage":
      return send({ touser, msgtype: "text", text: { content: "收到" } });
    case "event":
      if (event["Event"] === "user_enter_tempsession")
        return send({ touser, msgtype: "text", text: { content: "您好" } });
  }
}

async function main() {
  const app = createApp({ router: createBot(), store: createMemoryStore(), log: silentLog });
  const pipeline = (event: Record<string, unknown>) =>
    app.handle(event, { send, recipientOf: (m) => m.FromUserName });
  const rates: Record<"pipeline" | "switch", number[]> = { pipeline: [], switch: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, run] of [
      ["pipeline", pipeline],
      ["switch", handWritten],
    ] as const) {
      const events = makeEvents(round);
      const start = process.hrtime.bigint();
      for (const event of events) await run(event);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (round > 0) rates[name].push(EVENTS / seconds); // round 0 warms the JIT
    }
  }
  process.stdout.write(JSON.stringify({ ...rates, sink }));
}

void main();
