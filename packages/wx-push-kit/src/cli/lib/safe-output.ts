// What the CLIs print comes partly from elsewhere: the config file, WeChat's errmsg, tcb's output. Each line
// goes through here: secrets redacted (the configured ones and every token fetched), and control characters
// removed, so neither a file nor an answer can move the cursor, recolour or rewrite the terminal.
import type { Redactor } from "../../server/index";
import { createRedactor } from "../../server/index";

/** C0 controls but tab and newline, DEL and the C1 controls (ESC [ … and its one-byte form CSI). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text.replace(CONTROL, "");
}

export interface SafeOutput {
  out(line: string): void;
  err(line: string): void;
  readonly redactor: Redactor;
}

/** Output that redacts and strips every line; `secrets` are the environment's, more can be added. */
export function safeOutput(
  io: { out(line: string): void; err(line: string): void },
  secrets: readonly (string | undefined)[],
): SafeOutput {
  const redactor = createRedactor(secrets);
  const clean = (line: string) => stripControl(redactor(line));
  return {
    out: (line) => io.out(clean(line)),
    err: (line) => io.err(clean(line)),
    redactor,
  };
}

/** A URL for people: never the user:password@ part (WECHAT_API_BASE may carry a proxy's credentials). */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
}
