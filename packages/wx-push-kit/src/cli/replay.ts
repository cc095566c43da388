// Usage: npm run replay -- <event.json|folder> [...] [--openid OPENID] [--typecheck]
// Runs the built cloud function on recorded push events with the real wx-server-sdk, its cloud calls sent to
// a loopback CloudBase stand-in, and prints what the function would send and what it returned. No WeChat
// account, no network. Rebuilds first when src/ changed, so what runs is always the current code.
import path from "node:path";
import { isPassiveReply } from "../server/index";
import { buildFunction } from "./build";
import { parseCommandArgs } from "./lib/args";
import { isConversationFile, listEventFiles, readConversation, readEvent } from "./lib/fixtures";
import { staleBuild } from "./lib/freshness";
import { summarise, typeErrors } from "./lib/typecheck";
import type { CloudRun } from "../local/cloud-replay";
import { startCloudReplay } from "../local/cloud-replay";
import { FUNCTION_DIR } from "./lib/function";

const HELP = `用法 Usage: npm run replay -- <event.json|目录 folder> [...] [--openid OPENID] [--typecheck]

在本地用录制的推送事件运行云函数 (cloudfunctions/messagePush/index.js)，打印它会发送的客服消息和返回值。
src/ 有改动时先重新构建。每个文件都当作一次全新的投递（冷启动，去重记录清空）；MsgId 相同的文件会被指出，
因为真实推送里它们会被当作重试。conversations/ 目录里的文件是一个用户按顺序发的多条推送，在同一个实例里依次回放。用真实的 wx-server-sdk，云调用发到本机的 CloudBase 模拟服务，不访问外网。
Replays recorded push events through the function (rebuilt first when src/ changed), each as a fresh delivery;
a file in a conversations/ folder is one user's pushes, replayed in order to one warm instance.

  --openid      getWXContext().OPENID for every event (default: the event's FromUserName)
  --typecheck   先做类型检查并简短列出错误，不阻止重放 (print type errors briefly, replay anyway)
  -h, --help    this text`;

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      openid: { type: "string" },
      typecheck: { type: "boolean", default: false },
      "next-steps": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    HELP,
    true,
  );
  if (typeof parsed === "string") {
    console.error(parsed);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length === 0) {
    console.log(HELP);
    return values.help === true ? 0 : 2;
  }
  if (values.typecheck === true) printTypeErrors();
  const stale = staleBuild();
  if (stale !== undefined) {
    console.log(`构建中 building (${stale})…`);
    await buildFunction();
  }

  const { files, missing } = listEventFiles(positionals);
  const cloud = await startCloudReplay();
  try {
    const code = await replayAll(files, missing, values.openid, cloud);
    if (values["next-steps"] === true) printNextSteps();
    return code;
  } finally {
    await cloud.close();
  }
}

async function replayAll(
  files: readonly string[],
  missing: readonly string[],
  openidOption: string | undefined,
  cloud: Awaited<ReturnType<typeof startCloudReplay>>,
): Promise<number> {
  for (const target of missing) console.error(`✗ 找不到 not found: ${target}`);
  let failures = missing.length;
  let duplicates = 0;
  const firstWithKey = new Map<string, string>();
  const tally = { sends: 0, transfers: 0, failures: 0 };
  const show = (run: CloudRun, indent: string) => {
    const { returned, calls, refused, errors } = run;
    for (const call of calls) console.log(`${indent}→ ${call.apiName} ${JSON.stringify(call.payload)}`);
    for (const call of refused)
      console.log(
        `${indent}✗ ${call.apiName} 被平台拒绝：config.json 未授权 (refused: not granted in config.json, -604101)`,
      );
    if (calls.length + refused.length === 0) console.log(`${indent}→ (不回复 no reply)`);
    tally.sends += calls.length;
    if (isPassiveReply(returned)) {
      tally.transfers += 1;
      console.log(
        `${indent}← main() 返回被动回复 returned a passive reply (转人工 hand-over) ${JSON.stringify(returned)}`,
      );
    } else {
      console.log(`${indent}← main() 返回 returned ${JSON.stringify(returned)}`);
      if (returned !== "success") tally.failures += 1;
    }
    // main() answers "success" whatever a handler did (WeChat must not retry a bug): what it logged at
    // error level is what tells a failed run here.
    if (errors.length > 0 && returned === "success") {
      tally.failures += 1;
      console.log(
        `${indent}✗ 出错 ${errors.length} 处（见上面的错误日志）failed: ${plural(errors.length, "error")} logged above`,
      );
    }
  };
  let events = 0;
  for (const file of files) {
    const shown = path.relative(process.cwd(), file);
    console.log(`\n▶ ${shown}`);
    try {
      if (isConversationFile(file)) {
        // One user's pushes in order, to one warm instance: what a step remembers, the next one sees.
        const steps = readConversation(file);
        const invoke = cloud.instance();
        for (const [index, step] of steps.entries()) {
          events += 1;
          console.log(`  [${index + 1}/${steps.length}] ${describe(step)}`);
          show(await invoke(step, openidOption ?? senderOf(step)), "    ");
        }
        continue;
      }
      events += 1;
      const event = readEvent(file);
      const key = msgIdOf(event);
      const earlier = key === undefined ? undefined : firstWithKey.get(key);
      if (earlier !== undefined) {
        duplicates += 1;
        console.log(
          `  ⚠ 与 ${earlier} 的 MsgId 相同：真实推送中会被当作重试而跳过；这里作为新的投递重放\n` +
            `    (same MsgId as ${earlier}: WeChat's retries look like this; replayed here as a fresh delivery)`,
        );
      } else if (key !== undefined) firstWithKey.set(key, shown);
      // Each file is a fresh delivery to a cold instance: nothing remembered from the files before.
      // For a push, the platform sets OPENID to the sender.
      show(await cloud.run(event, openidOption ?? senderOf(event)), "  ");
    } catch (error) {
      tally.failures += 1;
      console.error(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const { sends, transfers } = tally;
  failures += tally.failures;
  console.log(
    `\n重放 ${events} 个事件，发送 ${sends} 条客服消息，转人工 ${transfers} 个，MsgId 重复 ${duplicates} 个，失败 ${failures} 个` +
      ` (replayed ${plural(events, "event")}, ${plural(sends, "send")}, ${plural(transfers, "transfer")}, ` +
      `${plural(duplicates, "repeated MsgId")}, ${failures} failed)`,
  );
  return failures === 0 ? 0 : 1;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** After `npm start`: where what was just seen comes from, and what to do next. */
function printNextSteps(): void {
  const source = path.relative(process.cwd(), path.join(FUNCTION_DIR, "src")) || "src";
  console.log(
    [
      "",
      "下一步 What next:",
      `  · 回复写在 ${source}/bot.ts 和 handlers/ 里：改一句回复试试 (your replies live in bot.ts and handlers/: change one)`,
      "  · npm run dev          一改就重新构建并重放 (rebuild and replay on every save)",
      "  · npm test             类型检查 + 重放快照 + 你的测试；回复改了就 npm test -- -u 重新记录 (re-record with -u)",
      "  · npm run playground   在浏览器里像用户一样聊天 (chat as a user in the browser)",
      "  · README.md            上传、部署、消息推送配置 (upload, deploy, the push config)",
    ].join("\n"),
  );
}

/** Type errors, a few lines, never blocking: the replay still shows what the code does. */
function printTypeErrors(): void {
  const errors = typeErrors();
  if (errors.length === 0) return;
  console.error(
    `⚠ 类型错误 ${errors.length} 个（不影响重放，但 npm run deploy 会拒绝）type errors (replay goes on; deploy refuses):`,
  );
  for (const line of summarise(errors)) console.error(line);
}

/** A step of a conversation in a few words: its type and, for a text, what it says. */
function describe(step: unknown): string {
  if (typeof step !== "object" || step === null) return "(不是推送 not a push)";
  const { MsgType, Event, Content } = step as Record<string, unknown>;
  const kind = [MsgType, Event].filter((part) => typeof part === "string").join(".");
  return typeof Content === "string" ? `${kind} 「${Content}」` : kind;
}

function msgIdOf(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const id = (event as Record<string, unknown>)["MsgId"];
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

function senderOf(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const from = (event as Record<string, unknown>)["FromUserName"];
  return typeof from === "string" ? from : undefined;
}
