// `wx-push <command> [...]`: one entry for every command of the kit. Each command's module is loaded only
// when it runs, so `wx-push push` never pays for esbuild and `wx-push build` never for the stand-ins.
/* eslint-disable @typescript-eslint/no-require-imports -- each command loaded on demand */
import fs from "node:fs";
import { KIT_VERSION } from "../version";

type Main = (argv: readonly string[]) => Promise<number>;

/** The commands: what each does, and the module whose `main` runs it (loaded only when it runs). */
const COMMANDS: Record<string, { summary: string; load: () => Main }> = {
  build: command("构建云函数 build the function (index.js, bundle.js, http.js)", () => require("./build")),
  start: {
    summary: "构建并回放示例事件和对话 build and replay the sample events and conversations",
    load: () => (argv) =>
      (require("./replay") as typeof import("./replay")).main([
        "--typecheck",
        "--next-steps",
        // Conversations (one user's pushes in order) when the project records any.
        "test/fixtures/events",
        ...(fs.existsSync("test/fixtures/conversations") ? ["test/fixtures/conversations"] : []),
        ...argv,
      ]),
  },
  replay: command("回放推送事件 replay push events through the built function", () => require("./replay")),
  dev: command("监视并自动重放 watch and replay on change", () => require("./dev")),
  serve: command("开发者服务器 the developer-server push endpoint", () => require("./serve")),
  push: command("推送模拟器 send a push as WeChat does", () => require("./push")),
  playground: command("本地演练场页面 the local playground page", () => require("./playground")),
  "callback-config": command("消息推送配置 validate / upload / pull the callback config", () =>
    require("./callback-config"),
  ),
  deploy: command("用 tcb 部署并核对 deploy with tcb and verify", () => require("./deploy")),
  "check-function": command("检查函数目录 check the function folder before an upload", () =>
    require("./check-function"),
  ),
  doctor: command("找出会让推送在线上失效的配置 find setups that fail in production", () =>
    require("./doctor"),
  ),
};

function command(summary: string, load: () => unknown): { summary: string; load: () => Main } {
  return { summary, load: () => (load() as { main: Main }).main };
}

export function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    `wx-push-kit ${KIT_VERSION}`,
    "用法 Usage: wx-push <命令 command> [参数 options]   (wx-push <command> --help for each)",
    "",
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`),
  ].join("\n");
}

export async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") {
    console.log(help());
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-v") {
    console.log(KIT_VERSION);
    return 0;
  }
  const found = COMMANDS[command];
  if (found === undefined) {
    console.error(`未知命令 unknown command "${command}"\n\n${help()}`);
    return 2;
  }
  return found.load()(rest);
}
