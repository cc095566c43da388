// The kit as a fork would take it from npm: `npm pack` of packages/wx-push-kit, unpacked into the
// node_modules of a scratch copy of the template (instead of the workspace link; every other package linked
// from the repository's node_modules, so nothing is downloaded). That copy's `npm test` must pass: the
// tarball carries everything the template needs, and nothing depends on the workspace layout.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { copyTemplate, KIT_ROOT, REPOSITORY } from "../helpers/kit-cli";

let scratch = "";
let tarball = "";

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "packed-kit-"));
  const packed = spawnSync("npm", ["pack", "--silent", "--pack-destination", scratch], {
    cwd: KIT_ROOT,
    encoding: "utf8",
  });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  tarball = path.join(scratch, packed.stdout.trim().split("\n").at(-1) ?? "");

  const project = path.join(scratch, "project");
  copyTemplate(project);
  // node_modules as `npm install wx-push-kit-<version>.tgz` leaves it: the kit unpacked, the rest installed.
  const modules = path.join(project, "node_modules");
  fs.mkdirSync(path.join(modules, ".bin"), { recursive: true });
  const installed = path.join(REPOSITORY, "node_modules");
  for (const entry of fs.readdirSync(installed)) {
    if (entry === "wx-push-kit" || entry === ".bin" || entry === ".cache") continue;
    fs.symlinkSync(path.join(installed, entry), path.join(modules, entry));
  }
  const kit = path.join(modules, "wx-push-kit");
  fs.mkdirSync(kit);
  const unpacked = spawnSync("tar", ["-xzf", tarball, "-C", kit, "--strip-components=1"]);
  if (unpacked.status !== 0) throw new Error("could not unpack the tarball");
  for (const bin of fs.readdirSync(path.join(installed, ".bin"))) {
    const target =
      bin === "wx-push"
        ? "../wx-push-kit/bin/wx-push.js"
        : fs.realpathSync(path.join(installed, ".bin", bin));
    fs.symlinkSync(target, path.join(modules, ".bin", bin));
  }
}, 120_000);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("the tarball holds the kit's sources and command, not its tests or maintainer tooling", () => {
  const listed = spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" }).stdout.split("\n");
  expect(listed).toContain("package/bin/wx-push.js");
  expect(listed).toContain("package/src/cloud/index.ts");
  expect(listed).toContain("package/src/cli/playground/page.html");
  expect(listed).toContain("package/CHANGELOG.md");
  expect(listed.filter((file) => /^package\/(test|maintainer)\//.test(file))).toEqual([]);
});

test("a copy of the template with the packed kit installed builds, replays and passes its own npm test", () => {
  const project = path.join(scratch, "project");
  const run = (args: string[]) =>
    spawnSync("npm", args, {
      cwd: project,
      encoding: "utf8",
      timeout: 240_000,
      env: { ...process.env, CI: "true", WX_PUSH_ROOT: project },
    });
  const tested = run(["test"]);
  expect([tested.status, `${tested.stdout}${tested.stderr}`]).toEqual([
    0,
    expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/) as string,
  ]);
  const index = fs.readFileSync(path.join(project, "cloudfunctions/messagePush/index.js"), "utf8");
  expect(index).toMatch(/\/\/ kit: wx-push-kit@\d+\.\d+\.\d+/);
  // The bundle was built from the unpacked kit, not the repository's.
  const replay = run(["run", "replay", "--", "test/fixtures/events/text.json"]);
  expect(replay.status).toBe(0);
  expect(replay.stdout).toContain("customerServiceMessage.send");
}, 300_000);
