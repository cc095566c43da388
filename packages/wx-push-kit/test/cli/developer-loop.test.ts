// The loop a new mini-program developer lives: edit a handler → replay → test → check before upload, in a
// temporary copy of the repository (its own src/, build and fixtures; node_modules linked), as child
// processes, exactly as the commands are typed.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
let sandbox: string;

function run(command: string, args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(command, args, {
    cwd: sandbox,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    all: `${result.stdout}\n${result.stderr}`,
  };
}
const tsx = (...args: string[]) => run(path.join(sandbox, "node_modules", ".bin", "tsx"), args);
const edit = (file: string, from: string, to: string) => {
  const full = path.join(sandbox, file);
  const text = fs.readFileSync(full, "utf8");
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  fs.writeFileSync(full, text.replace(from, to));
};

beforeAll(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "loop-"));
  const tracked = spawnSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .stdout.split("\n")
    .filter((file) => file !== "" && fs.existsSync(path.join(ROOT, file)));
  for (const file of tracked) {
    fs.mkdirSync(path.dirname(path.join(sandbox, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(sandbox, file));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(sandbox, "node_modules"), "dir");
  // What `npm install` leaves: the built function (its `prepare` script builds).
  if (tsx("scripts/build.ts").code !== 0) throw new Error("build failed in the sandbox");
}, 60_000);
afterAll(() => fs.rmSync(sandbox, { recursive: true, force: true }));

test("an edited reply shows in `npm run replay` at once: it rebuilds when src/ changed", () => {
  // The file's mtime must move past the build's, as an editor's save does.
  const later = new Date(Date.now() + 2000);
  edit(
    "cloudfunctions/messagePush/src/handlers/acknowledge.ts",
    'ACKNOWLEDGEMENT = "收到"',
    'ACKNOWLEDGEMENT = "收到啦"',
  );
  fs.utimesSync(path.join(sandbox, "cloudfunctions/messagePush/src/handlers/acknowledge.ts"), later, later);
  const replay = tsx("scripts/replay.ts", "test/fixtures/events/text.json");
  expect(replay.code).toBe(0);
  expect(replay.stdout).toContain("构建中 building (src/ 有改动");
  expect(replay.stdout).toContain('"text":{"content":"收到啦"}');
  // And then it is current: no second build.
  expect(tsx("scripts/replay.ts", "test/fixtures/events/text.json").stdout).not.toContain("构建中");
});

test("the changed reply fails `npm test` with a readable diff; `-u` re-records; CI then passes; no test code edited", () => {
  const jest = (...args: string[]) =>
    run(path.join(sandbox, "node_modules", ".bin", "jest"), ["test/replay.test.ts", ...args], { CI: "true" });
  const failing = jest();
  expect(failing.code).toBe(1);
  expect(failing.all).toMatch(/-\s+"content": "收到",/);
  expect(failing.all).toMatch(/\+\s+"content": "收到啦",/);
  const rerecorded = run(path.join(sandbox, "node_modules", ".bin", "jest"), ["test/replay.test.ts", "-u"], {
    CI: "",
  });
  expect(rerecorded.code).toBe(0);
  expect(rerecorded.all).toMatch(/snapshots? updated/);
  expect(jest().code).toBe(0);
  // Back to the template's reply for the tests below.
  edit(
    "cloudfunctions/messagePush/src/handlers/acknowledge.ts",
    'ACKNOWLEDGEMENT = "收到啦"',
    'ACKNOWLEDGEMENT = "收到"',
  );
  fs.copyFileSync(
    path.join(ROOT, "test/__snapshots__/replay.test.ts.snap"),
    path.join(sandbox, "test/__snapshots__/replay.test.ts.snap"),
  );
  expect(tsx("scripts/build.ts").code).toBe(0);
}, 120_000);

test("CI refuses a new fixture that has no recording yet; a local run records it", () => {
  const jest = (env: string) =>
    run(path.join(sandbox, "node_modules", ".bin", "jest"), ["test/replay.test.ts"], { CI: env });
  fs.copyFileSync(
    path.join(sandbox, "test/fixtures/events/image.json"),
    path.join(sandbox, "test/fixtures/events/image.second.json"),
  );
  try {
    const ci = jest("true");
    expect(ci.code).toBe(1);
    expect(ci.all).toMatch(/New snapshot was not written.*CI/s);
    expect(jest("").code).toBe(0);
    expect(jest("true").code).toBe(0);
  } finally {
    fs.rmSync(path.join(sandbox, "test/fixtures/events/image.second.json"));
    fs.copyFileSync(
      path.join(ROOT, "test/__snapshots__/replay.test.ts.snap"),
      path.join(sandbox, "test/__snapshots__/replay.test.ts.snap"),
    );
  }
}, 120_000);

test("each fixture is a fresh delivery; a copy that keeps its MsgId is answered and pointed out", () => {
  fs.copyFileSync(
    path.join(sandbox, "test/fixtures/events/text.json"),
    path.join(sandbox, "test/fixtures/events/text.retry.json"),
  );
  try {
    const replay = tsx("scripts/replay.ts", "test/fixtures/events");
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
  const replay = tsx(
    "scripts/replay.ts",
    "test/fixtures/events/nope.json",
    "test/fixtures/events/image.json",
  );
  expect(replay.code).toBe(1);
  expect(replay.stderr).toContain("找不到 not found: test/fixtures/events/nope.json");
  expect(replay.stdout).toContain("▶ test/fixtures/events/image.json");
  expect(replay.all).not.toContain("ENOENT");
});

test("a fixture with a 19-digit numeric MsgId replays and is answered", () => {
  const replay = tsx("scripts/replay.ts", "test/fixtures/events/text.msgid-number.json");
  expect(replay.code).toBe(0);
  expect(replay.stdout).toContain("customerServiceMessage.send");
});

test("an --external-sdk build replays the same way, and every later build keeps that mode until told otherwise", () => {
  expect(tsx("scripts/build.ts", "--external-sdk").code).toBe(0);
  const manifest = path.join(sandbox, "cloudfunctions/messagePush/package.json");
  expect(fs.readFileSync(manifest, "utf8")).toContain('"wx-server-sdk"');
  // src/ changes: the replay rebuilds, as the developer built it (the SDK still installed by the cloud).
  const source = "cloudfunctions/messagePush/src/handlers/acknowledge.ts";
  edit(source, 'ACKNOWLEDGEMENT = "收到"', 'ACKNOWLEDGEMENT = "收到了"');
  try {
    const replay = tsx("scripts/replay.ts", "test/fixtures/events/text.json");
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain("构建中 building");
    expect(replay.stdout).toContain('"text":{"content":"收到了"}');
    const index = fs.readFileSync(path.join(sandbox, "cloudfunctions/messagePush/index.js"), "utf8");
    expect(index).toContain("// sdk: external ");
  } finally {
    edit(source, 'ACKNOWLEDGEMENT = "收到了"', 'ACKNOWLEDGEMENT = "收到"');
  }
  // Kept by a plain build too (what npm install and npm test run), until another mode is asked for.
  expect(tsx("scripts/build.ts").code).toBe(0);
  expect(fs.readFileSync(path.join(sandbox, "cloudfunctions/messagePush/index.js"), "utf8")).toContain(
    "// sdk: external ",
  );
  // Back to the default: the function's package.json lists nothing for the cloud to install again.
  expect(tsx("scripts/build.ts", "--lean-sdk").code).toBe(0);
  expect(JSON.parse(fs.readFileSync(manifest, "utf8"))).toMatchObject({ dependencies: {} });
  expect(fs.readFileSync(manifest, "utf8")).not.toContain("wx-server-sdk");
});

test("a handler that does not type-check: replay --typecheck says so and replays; check:function refuses", () => {
  edit("cloudfunctions/messagePush/src/handlers/acknowledge.ts", "await reply.text(", "await reply.txet(");
  try {
    const replay = tsx("scripts/replay.ts", "--typecheck", "test/fixtures/events/unknown.voice.json");
    expect(replay.stderr).toContain("类型错误");
    expect(replay.stderr).toContain("acknowledge.ts");
    expect(replay.stdout).toContain("▶ test/fixtures/events/unknown.voice.json");
    const check = tsx("scripts/check-function.ts");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("does not type-check");
    const deploy = run(path.join(sandbox, "node_modules", ".bin", "tsx"), ["scripts/deploy.ts"], {
      CLOUDBASE_ENV_ID: "prod-1a2b3c",
      TCB_API_KEY_ID: "id",
      TCB_API_KEY: "key",
      TCB_BIN: path.join(ROOT, "test/helpers/fake-tcb.js"),
    });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain("拒绝部署");
  } finally {
    edit("cloudfunctions/messagePush/src/handlers/acknowledge.ts", "await reply.txet(", "await reply.text(");
    expect(tsx("scripts/build.ts").code).toBe(0);
  }
});

test("`npm install` inside the function folder: check:function warns, and the tests still see one SDK", () => {
  const nested = path.join(sandbox, "cloudfunctions/messagePush/node_modules");
  fs.mkdirSync(nested, { recursive: true });
  fs.cpSync(path.join(ROOT, "node_modules/wx-server-sdk"), path.join(nested, "wx-server-sdk"), {
    recursive: true,
  });
  fs.writeFileSync(path.join(sandbox, "cloudfunctions/messagePush/package-lock.json"), "{}");
  const check = tsx("scripts/check-function.ts");
  expect(check.stderr).toContain("node_modules 存在");
  expect(check.stderr).toContain("package-lock.json 存在");
  const jest = run(
    path.join(sandbox, "node_modules", ".bin", "jest"),
    ["test/replay.test.ts", "test/reliability/cloud-door.test.ts"],
    {
      CI: "true",
    },
  );
  expect(jest.all).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  expect(jest.code).toBe(0);
}, 120_000);

test("`npm run dev` replays at start and again when a fixture changes", async () => {
  const child = spawn(
    path.join(sandbox, "node_modules", ".bin", "tsx"),
    ["scripts/dev.ts", "test/fixtures/events/text.json"],
    {
      cwd: sandbox,
    },
  );
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
    expect(output).toContain("watching for changes");
  } finally {
    child.kill("SIGTERM");
  }
}, 60_000);
