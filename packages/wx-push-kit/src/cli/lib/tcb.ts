// tcb (the CloudBase CLI) run with a login of its own, never the user's: shared by deploy and doctor.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A HOME of its own for tcb, holding the login as `tcb login --apiKeyId … --apiKey …` would store it
 * ($HOME/.config/.cloudbase/auth.json, read from @cloudbase/cli 2.12.10's source): the keys never appear
 * on a command line (visible to every user in the process list), and the user's own HOME is untouched.
 * tcb 2.12.10 does not log in from TENCENTCLOUD_SECRETID/SECRETKEY in the environment by itself.
 */
export function privateLogin(secretId: string, secretKey: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "tcb-login-"));
  const folder = path.join(home, ".config", ".cloudbase");
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(folder, "auth.json"), JSON.stringify({ credential: { secretId, secretKey } }), {
    mode: 0o600,
  });
  return home;
}

/**
 * Runs tcb with the given HOME (its login) and collects what it says; `onText` sees the output as it comes
 * (a deploy can take minutes: silence looks like a hang). Killed after `limitMs`.
 */
export function runTcb(
  tcb: string,
  args: readonly string[],
  home: string,
  cwd: string,
  options: { onText?: (text: string) => void; limitMs?: number } = {},
): Promise<{ status: number | null; output: string }> {
  const { onText = () => undefined, limitMs = 60_000 } = options;
  return new Promise((resolve) => {
    const child = spawn(tcb, args, { cwd, env: { ...process.env, HOME: home, USERPROFILE: home } });
    let output = "";
    const timer = setTimeout(() => child.kill(), limitMs);
    const take = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      onText(text);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (error) => (output += String(error)));
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}
