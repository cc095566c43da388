// `wx-push <command> [...]`: one entry for every command of the kit. Each command's module is loaded only
// when it runs, so `wx-push push` never pays for esbuild and `wx-push build` never for the stand-ins.
/* eslint-disable @typescript-eslint/no-require-imports -- each command loaded on demand */
import { KIT_VERSION } from "../version";

type Main = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Main }> = {
  build: {
    summary: "构建云函数 build the function (index.js, bundle.js, http.js)",
    load: () => (require("./build") as typeof import("./build")).main,
  },
  start: {
    summary: "构建并回放示例事件 build and replay the sample events",
    load: () => (argv) =>
      (require("./replay") as typeof import("./replay")).main([
        "--typecheck",
        "--next-steps",
        "test/fixtures/events",
        ...argv,
      ]),
  },
  replay: {
    summary: "回放推送事件 replay push events through the built function",
    load: () => (require("./replay") as typeof import("./replay")).main,
  },
  dev: {
    summary: "监视并自动重放 watch and replay on change",
    load: () => (require("./dev") as typeof import("./dev")).main,
  },
  serve: {
    summary: "开发者服务器 the developer-server push endpoint",
    load: () => (require("./serve") as typeof import("./serve")).main,
  },
  push: {
    summary: "推送模拟器 send a push as WeChat does",
    load: () => (require("./push") as typeof import("./push")).main,
  },
  playground: {
    summary: "本地演练场页面 the local playground page",
    load: () => (require("./playground") as typeof import("./playground")).main,
  },
  "callback-config": {
    summary: "消息推送配置 validate / upload / pull the callback config",
    load: () => (require("./callback-config") as typeof import("./callback-config")).main,
  },
  deploy: {
    summary: "用 tcb 部署并核对 deploy with tcb and verify",
    load: () => (require("./deploy") as typeof import("./deploy")).main,
  },
  "check-function": {
    summary: "检查函数目录 check the function folder before an upload",
    load: () => (require("./check-function") as typeof import("./check-function")).main,
  },
};

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
