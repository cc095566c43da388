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

/** tcb's whole output for one command (doctor's short reads), within a minute. */
export function runTcb(
  tcb: string,
  args: readonly string[],
  home: string,
  cwd: string,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(tcb, args, { cwd, env: { ...process.env, HOME: home, USERPROFILE: home } });
    let output = "";
    const timer = setTimeout(() => child.kill(), 60_000);
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", (error) => (output += String(error)));
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}
