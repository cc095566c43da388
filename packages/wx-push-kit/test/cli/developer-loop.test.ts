// The loop a developer lives, with the kit's commands: edit a handler → replay → check before upload → dev,
// in a temporary copy of the kit's fixture project (node_modules linked), as child processes, exactly as the
// commands are typed. (The template's own first hour, npm test included, is test/template/first-hour.test.ts.)
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";
import { BIN, KIT_ROOT, PROJECT } from "../helpers/kit-cli";

let sandbox: string;

function run(command: string, args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(command, args, {
    cwd: sandbox,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, WX_PUSH_ROOT: sandbox, ...env },
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    all: `${result.stdout}\n${result.stderr}`,
  };
}
/** `wx-push <command>` in the sandbox. */
const kit = (...args: string[]) => run(process.execPath, [BIN, ...args]);
const edit = (file: string, from: string, to: string) => {
  const full = path.join(sandbox, file);
  const text = fs.readFileSync(full, "utf8");
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  fs.writeFileSync(full, text.replace(from, to));
};
const ACK = `ACKNOWLEDGEMENT = "${ACKNOWLEDGEMENT}"`;

beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "loop-"));
  fs.cpSync(PROJECT, sandbox, {
    recursive: true,
    filter: (source) => !/\/cloudfunctions\/[^/]+\/(index|bundle|http)\.js(\.map)?$/.test(source),
  });
  fs.symlinkSync(path.join(KIT_ROOT, "..", "..", "node_modules"), path.join(sandbox, "node_modules"), "dir");
  // What `npm install` leaves: the built function (its `prepare` script builds).
  if (kit("build").code !== 0) throw new Error("build failed in the sandbox");
}, 60_000);
afterAll(() => fs.rmSync(sandbox, { recursive: true, force: true }));

test("an edited reply shows in `npm run replay` at once: it rebuilds when src/ changed", () => {
  // The file's mtime must move past the build's, as an editor's save does.
  const later = new Date(Date.now() + 2000);
  edit("cloudfunctions/messagePush/src/handlers/acknowledge.ts", ACK, 'ACKNOWLEDGEMENT = "收到啦"');
  fs.utimesSync(path.join(sandbox, "cloudfunctions/messagePush/src/handlers/acknowledge.ts"), later, later);
  const replay = kit("replay", "test/fixtures/events/text.json");
  expect(replay.code).toBe(0);
  expect(replay.stdout).toContain("构建中 building (src/ 有改动");
  expect(replay.stdout).toContain('"text":{"content":"收到啦"}');
  // And then it is current: no second build.
  expect(kit("replay", "test/fixtures/events/text.json").stdout).not.toContain("构建中");
  edit("cloudfunctions/messagePush/src/handlers/acknowledge.ts", 'ACKNOWLEDGEMENT = "收到啦"', ACK);
});

test("each fixture is a fresh delivery; a copy that keeps its MsgId is answered and pointed out", () => {
  fs.copyFileSync(
    path.join(sandbox, "test/fixtures/events/text.json"),
    path.join(sandbox, "test/fixtures/events/text.retry.json"),
  );
  try {
    const replay = kit("replay", "test/fixtures/events");
    expect(replay.code).toBe(0);
    const copy = replay.stdout.slice(replay.stdout.indexOf("▶ test/fixtures/events/text.retry.json"));
    expect(copy).toContain("same MsgId as test/fixtures/events/text.json");
    expect(copy.split("▶")[1]).toContain("customerServiceMessage.send");
    expect(replay.stdout).toMatch(/MsgId 重复 1 个/);
  } finally {
    fs.rmSync(path.join(sandbox, "test/fixtures/events/text.retry.json"));
  }
});

test("a missing replay file is named in Chinese and English; the rest of the batch still runs", () => {
  const replay = kit("replay", "test/fixtures/events/nope.json", "test/fixtures/events/image.json");
  expect(replay.code).toBe(1);
  expect(replay.stderr).toContain("找不到 not found: test/fixtures/events/nope.json");
  expect(replay.stdout).toContain("▶ test/fixtures/events/image.json");
  expect(replay.all).not.toContain("ENOENT");
});

test("a fixture with a 19-digit numeric MsgId replays and is answered", () => {
  const replay = kit("replay", "test/fixtures/events/text.msgid-number.json");
  expect(replay.code).toBe(0);
  expect(replay.stdout).toContain("customerServiceMessage.send");
});

test("an --external-sdk build replays the same way, and every later build keeps that mode until told otherwise", () => {
  expect(kit("build", "--external-sdk").code).toBe(0);
  const manifest = path.join(sandbox, "cloudfunctions/messagePush/package.json");
  expect(fs.readFileSync(manifest, "utf8")).toContain('"wx-server-sdk"');
  // src/ changes: the replay rebuilds, as the developer built it (the SDK still installed by the cloud).
  const source = "cloudfunctions/messagePush/src/handlers/acknowledge.ts";
  edit(source, ACK, 'ACKNOWLEDGEMENT = "收到了"');
  try {
    const replay = kit("replay", "test/fixtures/events/text.json");
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain("构建中 building");
    expect(replay.stdout).toContain('"text":{"content":"收到了"}');
    const index = fs.readFileSync(path.join(sandbox, "cloudfunctions/messagePush/index.js"), "utf8");
    expect(index).toContain("// sdk: external ");
  } finally {
    edit(source, 'ACKNOWLEDGEMENT = "收到了"', ACK);
  }
  // Kept by a plain build too (what npm install and npm test run), until another mode is asked for.
  expect(kit("build").code).toBe(0);
  expect(fs.readFileSync(path.join(sandbox, "cloudfunctions/messagePush/index.js"), "utf8")).toContain(
    "// sdk: external ",
  );
  // Back to the default: the function's package.json lists nothing for the cloud to install again.
  expect(kit("build", "--lean-sdk").code).toBe(0);
  expect(JSON.parse(fs.readFileSync(manifest, "utf8"))).toMatchObject({ dependencies: {} });
  expect(fs.readFileSync(manifest, "utf8")).not.toContain("wx-server-sdk");
});

test("a handler that does not type-check: replay --typecheck says so and replays; check:function refuses", () => {
  edit("cloudfunctions/messagePush/src/handlers/acknowledge.ts", "reply.text(", "reply.txet(");
  try {
    const replay = kit("replay", "--typecheck", "test/fixtures/events/unknown.voice.json");
    expect(replay.stderr).toContain("类型错误");
    expect(replay.stderr).toContain("acknowledge.ts");
    expect(replay.stdout).toContain("▶ test/fixtures/events/unknown.voice.json");
    const check = kit("check-function");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("does not type-check");
    const deploy = run(process.execPath, [BIN, "deploy"], {
      CLOUDBASE_ENV_ID: "prod-1a2b3c",
      TCB_API_KEY_ID: "id",
      TCB_API_KEY: "key",
      TCB_BIN: path.join(__dirname, "..", "helpers", "fake-tcb.js"),
    });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain("拒绝部署");
  } finally {
    edit("cloudfunctions/messagePush/src/handlers/acknowledge.ts", "reply.txet(", "reply.text(");
    expect(kit("build").code).toBe(0);
  }
});

test("`npm install` inside the function folder: check:function warns about what an upload would carry", () => {
  const nested = path.join(sandbox, "cloudfunctions/messagePush/node_modules");
  fs.mkdirSync(nested, { recursive: true });
  fs.cpSync(path.dirname(require.resolve("wx-server-sdk/package.json")), path.join(nested, "wx-server-sdk"), {
    recursive: true,
  });
  fs.writeFileSync(path.join(sandbox, "cloudfunctions/messagePush/package-lock.json"), "{}");
  const check = kit("check-function");
  expect(check.stderr).toContain("node_modules 存在");
  expect(check.stderr).toContain("package-lock.json 存在");
  fs.rmSync(nested, { recursive: true, force: true });
  fs.rmSync(path.join(sandbox, "cloudfunctions/messagePush/package-lock.json"));
}, 120_000);

test("`npm run dev` replays at start, when a fixture changes, and when a file is saved by rename (sed -i, vim)", async () => {
  const child = spawn(process.execPath, [BIN, "dev", "test/fixtures/events/text.json"], {
    cwd: sandbox,
    env: { ...process.env, WX_PUSH_ROOT: sandbox },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const seen = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dev did not replay ${count}×:\n${output}`)), 30_000);
      const check = () => {
        if ((output.match(/重放 1 个事件/g) ?? []).length >= count) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", check);
      check();
    });
  try {
    await seen(1);
    const fixture = path.join(sandbox, "test/fixtures/events/text.json");
    fs.writeFileSync(fixture, fs.readFileSync(fixture, "utf8").replace('"测试"', '"改过的"'));
    await seen(2);
    // A "safe write": a new file renamed over the old one, as sed -i and many editors save.
    const source = path.join(sandbox, "cloudfunctions/messagePush/src/handlers/acknowledge.ts");
    fs.writeFileSync(
      `${source}.tmp`,
      fs.readFileSync(source, "utf8").replace(ACK, 'ACKNOWLEDGEMENT = "改名保存"'),
    );
    fs.renameSync(`${source}.tmp`, source);
    await seen(3);
    expect(output).toContain('"text":{"content":"改名保存"}');
    expect(output).toContain("watching for changes");
  } finally {
    child.kill("SIGTERM");
  }
}, 60_000);
