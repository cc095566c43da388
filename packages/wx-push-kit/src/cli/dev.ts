// Usage: npm run dev [-- <event.json|folder> ...]
// The edit → replay loop: watches the function's src/ and the fixtures, and on each change replays (rebuilding
// first, and listing type errors without blocking), each run in a fresh process so nothing is remembered.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FUNCTION_DIR, KIT_ROOT, ROOT } from "./lib/function";

const HELP = `用法 Usage: npm run dev [-- <event.json|目录 folder> ...]

监视 cloudfunctions/<函数>/src/ 和 test/fixtures/events/，有改动就重新构建并重放（默认重放全部示例事件），
类型错误会列出但不阻止重放。Ctrl+C 退出。
Watches src/ and the fixtures; on each change rebuilds and replays. Ctrl+C to stop.`;

const WATCHED = [path.join(FUNCTION_DIR, "src"), path.join(ROOT, "test", "fixtures", "events")];
/** How often the watched files are looked at. */
const POLL_MS = 300;

export function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    console.log(HELP);
    return Promise.resolve(0);
  }
  const targets = argv.length > 0 ? [...argv] : [path.join("test", "fixtures", "events")];
  let running: ChildProcess | undefined;
  let again = false;

  const replay = () => {
    if (running !== undefined) {
      again = true; // a change during a run: one more run after it
      return;
    }
    console.log(`\n━━ ${new Date().toLocaleTimeString()} 重放 replay ━━`);
    running = spawn(
      process.execPath,
      [path.join(KIT_ROOT, "bin", "wx-push.js"), "replay", "--typecheck", ...targets],
      { cwd: ROOT, stdio: "inherit" },
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
  // Polled by content, not fs.watch: editors that save by writing a new file and renaming it over the old
  // one (vim, sed -i, "safe write" in IDEs) leave a watcher on a file that no longer exists.
  let seen = digest();
  const timer = setInterval(() => {
    const now = digest();
    if (now === seen) return;
    seen = now;
    replay();
  }, POLL_MS);
  replay();
  return new Promise((resolve) => {
    const stop = () => {
      clearInterval(timer);
      running?.kill();
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** Paths, sizes, times and contents of every watched file: any save, however it is done, changes it. */
function digest(): string {
  const hash = createHash("sha1");
  const walk = (folder: string): void => {
    if (!fs.existsSync(folder)) return;
    for (const entry of fs
      .readdirSync(folder, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(full).update("\0").update(fs.readFileSync(full)).update("\0");
    }
  };
  for (const folder of WATCHED) walk(folder);
  return hash.digest("hex");
}
