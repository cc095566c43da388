// `npm run deploy` against a stand-in tcb that reproduces the real CLI's success and its silent failure,
// and `npm run check:function` on good and broken function folders.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { installedSdkVersion } from "../../src/cli/build";
import { checkFunction } from "../../src/cli/lib/check-function";
import { FUNCTION_DIR } from "../../src/cli/lib/function";
import { startKit } from "../helpers/kit-cli";

const FAKE_TCB = path.join(__dirname, "..", "helpers", "fake-tcb.js");
const SECRET_ID = "AKIDfakeSecretId0123456789";
const SECRET_KEY = "fakeSecretKey-do-not-print";

function deploy(env: Record<string, string | undefined>, ...args: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = startKit(["deploy", ...args], {
      env: { ...process.env, ...env },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("npm run deploy", () => {
  let log: string;
  beforeEach(() => (log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tcb-")), "calls.log")));
  const env = (mode: string) => ({
    TCB_BIN: FAKE_TCB,
    FAKE_TCB_MODE: mode,
    FAKE_TCB_LOG: log,
    CLOUDBASE_ENV_ID: "prod-1a2b3c",
    TCB_API_KEY_ID: SECRET_ID,
    TCB_API_KEY: SECRET_KEY,
  });
  const calls = () =>
    fs
      .readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string[]);

  const homes = () => fs.readFileSync(`${log}.home`, "utf8").trim().split("\n");

  test("logs in, deploys with the env, verifies the function, reminds about permissions", async () => {
    const { code, output } = await deploy(env("success"));
    expect(code).toBe(0);
    expect(calls()).toEqual([
      ["fn", "deploy", "messagePush", "-e", "prod-1a2b3c", "--force", "--yes"],
      ["fn", "detail", "messagePush", "-e", "prod-1a2b3c"],
      ["logout"],
    ]);
    expect(output).toContain("已部署到 deployed to prod-1a2b3c");
    expect(output).toContain("-604101");
    // Progress: each step with the time so far, tcb's own lines streamed, each tcb call timed.
    expect(output).toMatch(/4\/5 登录并部署 log in and deploy \[\d+\.\d s\]/);
    expect(output).toContain("    │ ✔ [messagePush] 云函数部署成功！");
    expect(output).toMatch(/✓ tcb fn deploy messagePush .* \(\d+\.\d s\)/);
    expect(output).not.toContain(SECRET_ID);
    expect(output).not.toContain(SECRET_KEY);
  }, 60_000);

  test("the keys reach tcb through a private HOME, never its command line, and no login is left behind", async () => {
    const { code, output } = await deploy(env("success"));
    expect(code).toBe(0);
    // The fake tcb refuses to work without a login, and echoes the SecretId it found: redacted on the way out.
    expect(output).toContain("云函数部署成功！(as [redacted])");
    for (const args of calls()) expect(args.join(" ")).not.toMatch(new RegExp(`${SECRET_ID}|${SECRET_KEY}`));
    const used = [...new Set(homes())];
    expect(used).toHaveLength(1);
    expect(used[0]).not.toBe(os.homedir());
    expect(fs.existsSync(used[0] ?? "")).toBe(false);
  }, 60_000);

  test("fails loudly when tcb prints 函数部署失败 but exits 0", async () => {
    const { code, output } = await deploy(env("silent-failure"));
    expect(code).toBe(1);
    expect(output).toContain("函数部署失败");
    expect(output).toContain("✗ tcb fn deploy messagePush");
    expect(calls().map((args) => args.slice(0, 2).join(" "))).toEqual(["fn deploy", "logout"]);
    expect(fs.existsSync(homes()[0] ?? "")).toBe(false);
  }, 60_000);

  test("fails when the function is not there after a deploy that looked fine", async () => {
    const { code, output } = await deploy(env("missing"));
    expect(code).toBe(1);
    expect(output).toContain("✗ tcb fn detail messagePush");
  }, 60_000);

  test("without credentials, says exactly what is missing and runs nothing", async () => {
    const { code, output } = await deploy({
      ...env("success"),
      TCB_API_KEY: "",
      TENCENTCLOUD_SECRETKEY: "",
      CLOUDBASE_ENV_ID: "",
    });
    expect(code).toBe(2);
    expect(output).toContain(
      "缺少 (missing): CLOUDBASE_ENV_ID (云开发环境 ID), TCB_API_KEY (腾讯云 SecretKey)",
    );
    expect(fs.existsSync(log)).toBe(false);
  }, 60_000);

  test("--dry-run prints the commands with the keys masked", async () => {
    const { code, output } = await deploy(env("success"), "--dry-run");
    expect(code).toBe(0);
    expect(output).toContain("never on its command line");
    expect(output).toContain("fn deploy messagePush -e prod-1a2b3c --force --yes");
    expect(output).toContain("logout");
    expect(output).not.toContain(SECRET_KEY);
    expect(fs.existsSync(log)).toBe(false);
  }, 60_000);
});

describe("check:function", () => {
  test("the built function is deployable, declares every cloud call it makes, and says how it was built", async () => {
    const result = await checkFunction(FUNCTION_DIR);
    expect(result.problems).toEqual([]);
    expect(result.openapiCalls).toEqual([
      "customerServiceMessage.getTempMedia",
      "customerServiceMessage.send",
      "customerServiceMessage.setTyping",
      "customerServiceMessage.uploadTempMedia",
    ]);
    // The mode kept in the function's package.json: lean unless the developer chose another.
    const kept = (
      JSON.parse(fs.readFileSync(path.join(FUNCTION_DIR, "package.json"), "utf8")) as {
        wxServerSdk?: string;
      }
    ).wxServerSdk;
    expect(result.build).toBe(`${kept ?? "lean"} wx-server-sdk@${installedSdkVersion()}`);
    const files = result.sizes.map(({ file }) => file);
    for (const file of ["index.js", "bundle.js", "bundle.js.map", "http.js", "http.js.map"])
      expect(files).toContain(file);
    // The SDK, when inlined, is in bundle.js: the biggest file; index.js is two lines.
    if (kept !== "external") expect(result.sizes[0]?.file).toMatch(/^bundle\.js/);
    expect(result.sizes.find(({ file }) => file === "index.js")?.bytes).toBeLessThan(1024);
    // A developer may have run `npm install` in the folder (a DevTools habit): that is a warning, never a problem.
    for (const warning of result.warnings) expect(warning).toMatch(/node_modules|package-lock\.json/);
  });

  test("names each problem of a broken folder", async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "fn-"));
    try {
      for (const file of ["index.js", "bundle.js", "http.js"])
        fs.copyFileSync(path.join(FUNCTION_DIR, file), path.join(folder, file));
      fs.writeFileSync(path.join(folder, "index.ts"), "export {};");
      fs.writeFileSync(
        path.join(folder, "package.json"),
        JSON.stringify({
          scripts: { postinstall: "tsc" },
          dependencies: { "no-such-package-xyz": "1" },
        }),
      );
      fs.writeFileSync(path.join(folder, "config.json"), JSON.stringify({ permissions: { openapi: [] } }));
      const { problems } = await checkFunction(folder);
      expect(problems.join("\n")).toContain("index.ts");
      expect(problems.join("\n")).toContain("postinstall");
      expect(problems.join("\n")).toContain("no-such-package-xyz");
      expect(problems.join("\n")).toMatch(/缺少 [^：]*customerServiceMessage\.send/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
