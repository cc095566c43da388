// A scratch copy of the fixture project whose bot keeps state (test/fixtures/stateful-bot/bot.ts), built,
// for the door tests of sessions, the quota and the hand-over. Under BUILD_CACHE, inside node_modules, so
// the bot's `wx-push-kit` imports resolve as in a user's project.
import fs from "node:fs";
import path from "node:path";
import { BLUE_PNG } from "../fixtures/stateful-bot/bot";
import type { Serving } from "./kit-cli";
import { BUILD_CACHE, PROJECT, runKit, startServing } from "./kit-cli";

const STATEFUL_BOT = path.join(__dirname, "..", "fixtures", "stateful-bot", "bot.ts");
/** The stateful project's recorded model answer to a question about 退货 (Markdown, as models write). */
export const RECORDED_ANSWER = "**退货**：收到商品 7 天内可以申请。";

export interface StatefulProject {
  root: string;
  /** The built function: what the SDK runner loads (FUNCTION_ENTRY). */
  entry: string;
}

export function statefulProject(name: string): StatefulProject {
  const root = path.join(BUILD_CACHE, `${name}-${process.pid}`);
  fs.rmSync(root, { recursive: true, force: true });
  const functionDir = path.join(root, "cloudfunctions", "messagePush");
  fs.mkdirSync(path.join(functionDir, "src"), { recursive: true });
  for (const file of ["cloudbaserc.json", "temp-cloud-callback-config.json"])
    fs.copyFileSync(path.join(PROJECT, file), path.join(root, file));
  const source = path.join(PROJECT, "cloudfunctions", "messagePush");
  for (const file of ["config.json", "package.json", "src/index.ts"])
    fs.copyFileSync(path.join(source, file), path.join(functionDir, file));
  fs.copyFileSync(STATEFUL_BOT, path.join(functionDir, "src", "bot.ts"));
  // A picture the bot sends by file name, as a user keeps one in the function's folder.
  fs.mkdirSync(path.join(functionDir, "assets"));
  fs.writeFileSync(path.join(functionDir, "assets", "logo.png"), BLUE_PNG);
  // The model's recorded answers, as a project keeps them: what its local runs answer 「问 …」 with.
  fs.mkdirSync(path.join(root, "test", "fixtures", "ai"), { recursive: true });
  fs.writeFileSync(
    path.join(root, "test", "fixtures", "ai", "answers.json"),
    JSON.stringify({ answers: [{ question: "退货", answer: RECORDED_ANSWER }] }),
  );
  const built = runKit(["build"], { cwd: root, env: { WX_PUSH_ROOT: root } });
  if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}\n${built.stderr}`);
  return { root, entry: path.join(functionDir, "index.js") };
}

/**
 * `wx-push serve` of a stateful project, as production runs it: its claims and state in Redis, its replies
 * over real HTTP to the fake WeChat API (AppID and AppSecret are the fake's). `env` adds the bot's switches.
 */
export function serveWithRedis(
  root: string,
  backends: { redisUrl: string; apiBase: string },
  env: Record<string, string> = {},
  cwd = root,
): Promise<Serving> {
  return startServing([], {
    cwd,
    env: {
      ...process.env,
      WX_PUSH_ROOT: root,
      PORT: "0",
      WECHAT_TOKEN: "AAAAA",
      WECHAT_APPID: "wx1234567890abcdef",
      WECHAT_APPSECRET: "s3cr3t-app-secret",
      WECHAT_API_BASE: backends.apiBase,
      PUSH_DEDUPE_STORE: "redis",
      REDIS_URL: backends.redisUrl,
      ...env,
    },
  });
}
