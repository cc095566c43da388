// Usage: npm run replay -- <event.json|folder> [...] [--openid OPENID]
// Runs the built cloud function on recorded push events, with wx-server-sdk replaced by a recorder, and
// prints what the function would send and what it returned. No WeChat account, no network.
import path from "node:path";
import { isPassiveReply } from "../server";
import { parseArgs } from "node:util";
import { listEventFiles, readEvent } from "./lib/fixtures";
import { loadBuiltFunction } from "./lib/load-function";
import { recordingSdk } from "./lib/recording-sdk";

const HELP = `用法 Usage: npm run replay -- <event.json|目录 folder> [...] [--openid OPENID]

在本地用录制的推送事件运行已构建的云函数 (cloudfunctions/messagePush/index.js)，
打印它会发送的客服消息和返回值。wx-server-sdk 被记录器替代，不访问网络。
Replays recorded push events through the built function with a recording wx-server-sdk.

  --openid   getWXContext().OPENID for every event (default: the event's FromUserName)
  -h, --help this text`;

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      openid: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true || positionals.length === 0) {
    console.log(HELP);
    return values.help === true ? 0 : 2;
  }
  const main = loadBuiltFunction(recordingSdk);
  const files = listEventFiles(positionals);
  let failures = 0;
  let sends = 0;
  let transfers = 0;
  for (const file of files) {
    recordingSdk.reset();
    console.log(`\n▶ ${path.relative(process.cwd(), file)}`);
    try {
      const event = readEvent(file);
      // For a push, the platform sets OPENID to the sender.
      const openid = values.openid ?? senderOf(event);
      recordingSdk.context = openid === undefined ? {} : { OPENID: openid };
      const returned = await main(event, {});
      for (const call of recordingSdk.calls) console.log(`  → ${call.api} ${JSON.stringify(call.data)}`);
      if (recordingSdk.calls.length === 0) console.log("  → (不回复 no reply)");
      sends += recordingSdk.calls.length;
      if (isPassiveReply(returned)) {
        transfers += 1;
        console.log(
          `  ← main() 返回被动回复 returned a passive reply (转人工 hand-over) ${JSON.stringify(returned)}`,
        );
      } else {
        console.log(`  ← main() 返回 returned ${JSON.stringify(returned)}`);
        if (returned !== "success") failures += 1;
      }
    } catch (error) {
      failures += 1;
      console.error(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(
    `\n重放 ${files.length} 个事件，发送 ${sends} 条客服消息，转人工 ${transfers} 个，失败 ${failures} 个` +
      ` (replayed ${files.length} events, ${sends} sends, ${transfers} transfers, ${failures} failed)`,
  );
  return failures === 0 ? 0 : 1;
}

function senderOf(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const from = (event as Record<string, unknown>)["FromUserName"];
  return typeof from === "string" ? from : undefined;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
