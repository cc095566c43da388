// `npm run serve -- --demo` and `npm run push -- … --demo` as a user runs them: two real processes talking
// over loopback.
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";
import type { Serving } from "../helpers/kit-cli";
import { runKit, startServing } from "../helpers/kit-cli";

let serving: Serving;
let url = "";
const serverOutput = () => serving.output();

beforeAll(async () => {
  serving = await startServing(["--demo"], { env: { ...process.env, PORT: "0" } });
  url = serving.url;
}, 40_000);

afterAll(() => serving.stop());

test("serve binds loopback by default, and says the address it really bound", () => {
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test("HOST= (set but empty) is unset: loopback, not every interface", async () => {
  const child = await startServing(["--demo"], { env: { ...process.env, HOST: "", PORT: "0" } });
  try {
    expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  } finally {
    await child.stop();
  }
}, 40_000);

function push(...args: string[]) {
  const run = runKit(["push", ...args, "--demo", "--url", url], {
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("a secure JSON text push is answered success, and the server prints the reply it would send", async () => {
  const { code, stdout } = push("text", "你好", "--msgid", "7000000000000000001");
  expect(code).toBe(0);
  expect(stdout).toContain("← HTTP 200 success");
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(serverOutput()).toContain(`"msgtype":"text","text":{"content":"${ACKNOWLEDGEMENT}"}`);
});

test("compatible XML, URL verification and retries work against the same server; plaintext is refused", () => {
  expect(push("enter", "--mode", "compatible", "--format", "xml").stdout).toContain("← HTTP 200 success");
  // With an EncodingAESKey set, the 3-field signature of plaintext mode (it does not cover the body) is not enough.
  expect(push("image", "--mode", "plaintext").stdout).toContain("← HTTP 401 unauthorized");
  expect(push("verify", "hello-echo").stdout).toContain("← HTTP 200 hello-echo");
  const retried = push("text", "again", "--msgid", "7000000000000000002", "--repeat", "3");
  expect(retried.stdout.match(/← HTTP 200 success/g)).toHaveLength(3);
});

test("push explains its usage and refuses unknown kinds", () => {
  const bad = push("voice");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('未知类型 unknown kind "voice"');
});

test("`npm run serve --demo` (without --) says to write `-- --demo`, not that WECHAT_TOKEN is missing", () => {
  const run = runKit(["serve"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, npm_config_demo: "true", WECHAT_TOKEN: undefined },
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("npm run serve -- --demo");
  expect(run.stderr).not.toContain("WECHAT_TOKEN");
});

test("a port in use is explained with the fix (set PORT), not a bare EADDRINUSE", () => {
  const port = new URL(url).port; // the demo server above holds it
  const run = runKit(["serve", "--demo"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, PORT: port },
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(`端口 ${port} 已被占用`);
  expect(run.stderr).toContain("set PORT");
});
