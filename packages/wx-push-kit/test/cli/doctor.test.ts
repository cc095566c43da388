// `wx-push doctor` on a scratch copy of the fixture project, its online checks against the fake WeChat API
// and the fake tcb (never a real host): every broken setup named with its fix and a non-zero exit; a good
// setup passes with 0.
import fs from "node:fs";
import path from "node:path";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import { BUILD_CACHE, PROJECT, startKit } from "../helpers/kit-cli";

const FAKE_TCB = path.join(__dirname, "..", "helpers", "fake-tcb.js");
const GOOD_APPID = "wx1234567890abcdef";
const ROUTES = [
  ["text", ""],
  ["image", ""],
  ["miniprogrampage", ""],
  ["event", "user_enter_tempsession"],
];
let api: FakeWechatApi;

beforeAll(async () => {
  api = await startFakeWechatApi();
});
afterAll(() => api.close());

interface Setup {
  appid: string;
  runtime: string;
  timeout: number;
  permissions: string[];
}

function project(name: string, setup: Setup): string {
  const root = path.join(BUILD_CACHE, `doctor-${name}-${process.pid}`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.cpSync(PROJECT, root, {
    recursive: true,
    // The built function comes along (the callback config's check wants index.js beside the source).
    filter: (source) => path.basename(source) !== "node_modules",
  });
  fs.writeFileSync(path.join(root, "project.config.json"), JSON.stringify({ appid: setup.appid }));
  const rc = JSON.parse(fs.readFileSync(path.join(root, "cloudbaserc.json"), "utf8")) as {
    functions: Record<string, unknown>[];
  };
  Object.assign(rc.functions[0] ?? {}, { runtime: setup.runtime, timeout: setup.timeout });
  fs.writeFileSync(path.join(root, "cloudbaserc.json"), JSON.stringify(rc));
  fs.writeFileSync(
    path.join(root, "cloudfunctions", "messagePush", "config.json"),
    JSON.stringify({ permissions: { openapi: setup.permissions } }),
  );
  return root;
}

function doctor(root: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = startKit(["doctor"], {
    cwd: root,
    env: {
      PATH: process.env["PATH"],
      WX_PUSH_ROOT: root,
      CLOUDBASE_ENV_ID: "prod-1a2b3c",
      WECHAT_APPID: GOOD_APPID,
      WECHAT_APPSECRET: "s3cr3t-app-secret",
      WECHAT_API_BASE: api.base,
      TCB_API_KEY_ID: "AKID-test",
      TCB_API_KEY: "test-key",
      TCB_BIN: FAKE_TCB,
      ...env,
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

const ALL_PERMISSIONS = [
  "customerServiceMessage.send",
  "customerServiceMessage.setTyping",
  "customerServiceMessage.uploadTempMedia",
  "customerServiceMessage.getTempMedia",
];
/** A setup with nothing wrong. */
const GOOD: Setup = { appid: GOOD_APPID, runtime: "Nodejs20.19", timeout: 20, permissions: ALL_PERMISSIONS };
const liveRoutes = (functionName: string) => ({
  enable: true,
  callbacks: ROUTES.map(([msgType, event]) => ({
    msgType,
    event,
    functionName,
    env: "prod-1a2b3c",
    enable: true,
  })),
});

test("a broken setup: each problem named with its fix, exit 1", async () => {
  const root = project("broken", {
    appid: "touristappid",
    runtime: "Nodejs18.15",
    timeout: 3,
    permissions: ["customerServiceMessage.send"],
  });
  api.overrideReadBack({
    container_config: { enable: true },
    function_config: { enable: true, callbacks: liveRoutes("otherFunction").callbacks.slice(0, 2) },
  });
  const { code, output } = await doctor(root, { FAKE_TCB_RUNTIME: "Nodejs18.15", FAKE_TCB_TIMEOUT: "3" });
  expect(code).toBe(1);
  for (const fix of [
    "把 project.config.json 的 appid", // placeholder appid
    "cloudbaserc.json 的运行时 Nodejs18.15 已停止维护", // old runtime in the file
    "cloudbaserc.json 的函数超时只有 3 秒", // 3 s timeout in the file
    "customerServiceMessage.setTyping", // a missing permission, named
    "云托管的消息推送已开启", // container push on
    "线上缺少这些推送路由", // routes missing
    "推送到了别处或已停用：text| → otherFunction", // routes elsewhere
    "线上函数 deployed messagePush 的运行时 Nodejs18.15", // the deployed function's runtime
    "线上函数 deployed messagePush 的函数超时只有 3 秒", // and its timeout
  ])
    expect(output).toContain(fix);
  // Secrets are never echoed.
  expect(output).not.toContain("s3cr3t-app-secret");
  expect(output).not.toContain("test-key");
}, 60_000);

test("a good setup: every check passes, exit 0", async () => {
  const root = project("good", GOOD);
  api.overrideReadBack({ function_config: liveRoutes("messagePush") });
  const { code, output } = await doctor(root, { FAKE_TCB_RUNTIME: "Nodejs20.19", FAKE_TCB_TIMEOUT: "20" });
  expect(output).not.toContain("✗");
  expect(output).toContain("没有发现问题 (no problem found)");
  expect(code).toBe(0);
}, 60_000);

test("--offline skips the platform: only the files are read", async () => {
  const root = project("offline", GOOD);
  const before = api.requests.length;
  const child = startKit(["doctor", "--offline"], {
    cwd: root,
    env: {
      PATH: process.env["PATH"],
      WX_PUSH_ROOT: root,
      CLOUDBASE_ENV_ID: "prod-1a2b3c",
      WECHAT_API_BASE: api.base,
    },
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  expect(code).toBe(0);
  expect(api.requests.length).toBe(before);
}, 60_000);
