// Usage: npm run dev [-- <event.json|folder> ...]
// The edit → replay loop: watches src/ and the fixtures, and on each change replays (rebuilding first, and
// listing type errors without blocking), each run in a fresh process so nothing is remembered between runs.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { FUNCTION_DIR, ROOT } from "./lib/function";

const HELP = `用法 Usage: npm run dev [-- <event.json|目录 folder> ...]

监视 cloudfunctions/messagePush/src/ 和 test/fixtures/events/，有改动就重新构建并重放（默认重放全部示例事件），
类型错误会列出但不阻止重放。Ctrl+C 退出。
Watches src/ and the fixtures; on each change rebuilds and replays. Ctrl+C to stop.`;

const WATCHED = [path.join(FUNCTION_DIR, "src"), path.join(ROOT, "test", "fixtures", "events")];

export function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    console.log(HELP);
    return Promise.resolve(0);
  }
  const targets = argv.length > 0 ? [...argv] : [path.join("test", "fixtures", "events")];
  let running: ChildProcess | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const replay = () => {
    if (running !== undefined) {
      again = true; // a change during a run: one more run after it
      return;
    }
    console.log(`\n━━ ${new Date().toLocaleTimeString()} 重放 replay ━━`);
    running = spawn(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      ["scripts/replay.ts", "--typecheck", ...targets],
      {
        cwd: ROOT,
        stdio: "inherit",
      },
    );
    running.on("close", () => {
      running = undefined;
      console.log("（等待改动 watching for changes… Ctrl+C 退出）");
      if (again) {
        again = false;
        replay();
      }
    });
  };
  // Editors save in bursts (write, rename, chmod): wait for the burst to end.
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(replay, 200);
  };
  const watchers = WATCHED.map((folder) => fs.watch(folder, { recursive: true }, changed));
  replay();
  return new Promise((resolve) => {
    const stop = () => {
      for (const watcher of watchers) watcher.close();
      running?.kill();
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
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
