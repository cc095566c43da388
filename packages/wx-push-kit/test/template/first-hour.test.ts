// The template as its user meets it, in a scratch copy of the repository (node_modules linked): the first
// changes anyone makes (the reply, the greeting, the 「人工」 rule dropped, a keyword rule added with its
// fixture), then `npm test -- -u` once and `CI=true npm test`, as typed. Nothing under test/ but snapshots and
// the new fixture may need an edit, and the README none. This is the shipped template's check: a project that
// has already reshaped its bot (no acknowledge.ts, no 「人工」 rule) skips it, and says so.
import type { SpawnSyncReturns } from "node:child_process";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { copyTemplate, REPOSITORY } from "../helpers/kit-cli";

const FUNCTION = "cloudfunctions/messagePush/src";
const ACKNOWLEDGE = `${FUNCTION}/handlers/acknowledge.ts`;
const GREETING = `${FUNCTION}/handlers/user-enter-tempsession.ts`;
const BOT = `${FUNCTION}/bot.ts`;

const read = (file: string) => fs.readFileSync(path.join(REPOSITORY, file), "utf8");
const shipped =
  fs.existsSync(path.join(REPOSITORY, ACKNOWLEDGE)) &&
  /export const ACKNOWLEDGEMENT = "[^"]*";/.test(read(ACKNOWLEDGE)) &&
  /export const GREETING = "[^"]*";/.test(read(GREETING)) &&
  read(BOT).includes(".hears(WANTS_AGENT, transferToAgent)");
if (!shipped)
  console.warn(
    "模板已被改动，跳过「第一个小时」检查 (the template has been reshaped: first-hour check skipped)",
  );

let sandbox = "";
const run = (command: string, args: string[], env: Record<string, string> = {}) => {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: sandbox,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, WX_PUSH_ROOT: sandbox, CI: "", ...env },
  });
  return { code: result.status, all: `${result.stdout}\n${result.stderr}` };
};
const npm = (args: string[], env: Record<string, string> = {}) => run("npm", args, env);
const write = (file: string, change: (text: string) => string) => {
  const full = path.join(sandbox, file);
  const before = fs.readFileSync(full, "utf8");
  const after = change(before);
  if (after === before) throw new Error(`${file} unchanged`);
  fs.writeFileSync(full, after);
};
/** The files `git status` would show as changed or new under test/, and whether README.md changed. */
const changedUnder = (folder: string) =>
  spawnSync("git", ["status", "--porcelain", "--untracked-files=all", "--", folder], {
    cwd: sandbox,
    encoding: "utf8",
  })
    .stdout.split("\n")
    .filter((line) => line !== "")
    .map((line) => line.slice(3));

(shipped ? describe : describe.skip)("the template's first hour", () => {
  beforeAll(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "first-hour-"));
    copyTemplate(sandbox);
    fs.symlinkSync(path.join(REPOSITORY, "node_modules"), path.join(sandbox, "node_modules"), "dir");
    // A repository of its own, to see what the user's commands changed.
    for (const args of [
      ["init", "-q"],
      ["add", "-A"],
      ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "template"],
    ])
      spawnSync("git", args, { cwd: sandbox });
  }, 60_000);
  afterAll(() => fs.rmSync(sandbox, { recursive: true, force: true }));

  test("change the reply and the greeting, drop 「人工」, add a keyword rule and its fixture: -u once, then CI passes", () => {
    write(ACKNOWLEDGE, (text) =>
      text.replace(/ACKNOWLEDGEMENT = "[^"]*"/, 'ACKNOWLEDGEMENT = "好的，已收到您的消息"'),
    );
    write(GREETING, (text) => text.replace(/GREETING = "[^"]*"/, 'GREETING = "欢迎光临，有什么可以帮您？"'));
    write(BOT, (text) =>
      text
        .replace('import { transferToAgent, WANTS_AGENT } from "./handlers/transfer";\n', "")
        .replace(
          ".hears(WANTS_AGENT, transferToAgent)",
          '.hears(/价格/, async ({ reply }) => {\n      await reply.text("价格请看商品详情页");\n    })',
        ),
    );
    // The new fixture, copied from text.json: it keeps that file's MsgId, and is still its own delivery.
    const text = JSON.parse(
      fs.readFileSync(path.join(sandbox, "test/fixtures/events/text.json"), "utf8"),
    ) as object;
    fs.writeFileSync(
      path.join(sandbox, "test/fixtures/events/text.price.json"),
      JSON.stringify({ ...text, Content: "这个多少钱？价格呢" }),
    );

    const recorded = npm(["test", "--", "-u"]);
    expect([recorded.code, recorded.all]).toEqual([
      0,
      expect.stringMatching(/snapshots? (updated|written)/) as string,
    ]);
    const ci = npm(["test"], { CI: "true" });
    expect([ci.code, ci.all]).toEqual([0, expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/) as string]);

    // Only recordings and the new fixture changed under test/; the README not at all.
    expect(changedUnder("test").sort()).toEqual([
      "test/__snapshots__/replay.test.ts.snap",
      "test/fixtures/events/text.price.json",
    ]);
    expect(changedUnder("README.md")).toEqual([]);
    const snapshot = fs.readFileSync(path.join(sandbox, "test/__snapshots__/replay.test.ts.snap"), "utf8");
    expect(snapshot).toContain("价格请看商品详情页");
    expect(snapshot).toContain("好的，已收到您的消息");
    expect(snapshot).toContain("欢迎光临，有什么可以帮您？");
    expect(snapshot).not.toContain("transfer_customer_service");

    const replay = npm(["run", "replay", "--", "test/fixtures/events/text.price.json"]);
    expect(replay.code).toBe(0);
    expect(replay.all).toContain('"text":{"content":"价格请看商品详情页"}');
  }, 480_000);

  test("a fixture copied with its MsgId: the first local `npm test` records it and passes", () => {
    fs.copyFileSync(
      path.join(sandbox, "test/fixtures/events/image.json"),
      path.join(sandbox, "test/fixtures/events/image.again.json"),
    );
    const first = npm(["test"]);
    expect([first.code, first.all]).toEqual([0, expect.stringMatching(/1 snapshot written/) as string]);
    expect(npm(["test"], { CI: "true" }).code).toBe(0);
  }, 240_000);

  test("`npm install` inside the function folder (a DevTools habit): the tests still see one SDK", () => {
    const nested = path.join(sandbox, "cloudfunctions/messagePush/node_modules");
    fs.cpSync(
      path.dirname(require.resolve("wx-server-sdk/package.json")),
      path.join(nested, "wx-server-sdk"),
      {
        recursive: true,
      },
    );
    try {
      const tested = npm(["test"], { CI: "true" });
      expect([tested.code, tested.all]).toEqual([0, expect.stringMatching(/Tests:\s+\d+ passed/) as string]);
    } finally {
      fs.rmSync(nested, { recursive: true, force: true });
    }
  }, 240_000);

  test("a type error in a handler fails `npm test`, naming the file", () => {
    write(ACKNOWLEDGE, (text) => text.replace("await reply.text(", "await reply.txet("));
    try {
      const failed = npm(["test"]);
      expect(failed.code).not.toBe(0);
      expect(failed.all).toContain("acknowledge.ts");
      expect(failed.all).toMatch(/txet/);
    } finally {
      write(ACKNOWLEDGE, (text) => text.replace("await reply.txet(", "await reply.text("));
    }
  }, 240_000);

  test("with a default handler file deleted (and its rule), check:function and deploy still work", () => {
    fs.rmSync(path.join(sandbox, GREETING));
    write(BOT, (text) =>
      text
        .replace('import { greet } from "./handlers/user-enter-tempsession";\n', "")
        .replace('.on("event.user_enter_tempsession", greet)', ""),
    );
    expect(npm(["run", "build"]).code).toBe(0);
    const check = npm(["run", "check:function"]);
    expect([check.code, check.all]).toEqual([0, expect.stringContaining("wx-push-kit@") as string]);
    const deploy = npm(["run", "deploy", "--", "--dry-run"], { CLOUDBASE_ENV_ID: "prod-1a2b3c" });
    expect([deploy.code, deploy.all]).toEqual([0, expect.stringContaining("nothing run") as string]);
  }, 240_000);
});
