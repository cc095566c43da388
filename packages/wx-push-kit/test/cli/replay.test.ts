// The replay command as a user runs it (`wx-push replay`): a real child process on the fixture project's
// built function.
import fs from "node:fs";
import path from "node:path";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";
import { PROJECT, runKit } from "../helpers/kit-cli";

function replay(...args: string[]) {
  const run = runKit(["replay", ...args]);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run replay", () => {
  test("prints the send payload and the return value for an event file", () => {
    const { code, stdout } = replay("test/fixtures/events/text.json");
    expect(code).toBe(0);
    expect(stdout).toContain(
      `→ customerServiceMessage.send {"touser":"ohl4L0Rnhq7vmmbT_DaNQa4ePaz0","msgtype":"text","text":{"content":"${ACKNOWLEDGEMENT}"}}`,
    );
    expect(stdout).toContain('← main() 返回 returned "success"');
  });

  test("replays a folder and says when nothing is sent", () => {
    const { code, stdout } = replay("test/fixtures/events", "--openid", "o-override");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /▶ test\/fixtures\/events\/unknown\.voice\.json\n(.*push not handled.*\n)? {2}→ \(不回复 no reply\)/,
    );
    expect(stdout).toContain('"touser":"o-override"');
    const events = fs
      .readdirSync(path.join(PROJECT, "test/fixtures/events"))
      .filter((f) => f.endsWith(".json"));
    const transfers = events.filter((name) => name.startsWith("text.transfer"));
    expect(stdout.match(/returned "success"/g)).toHaveLength(events.length - transfers.length);
    expect(
      stdout.match(/returned a passive reply \(转人工 hand-over\) \{"MsgType":"transfer_customer_service"/g),
    ).toHaveLength(transfers.length);
  });

  test("fails clearly on a missing file or no argument", () => {
    const missing = replay("test/fixtures/events/nope.json");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.json");
    const none = replay();
    expect(none.code).toBe(2);
    expect(none.stdout).toContain("用法 Usage");
  });
});
