// The BUILT function with the REAL wx-server-sdk (no mocks), its cloud calls sent over loopback to a
// CloudBase stand-in that decodes the SDK's protobuf. This proves our use of the SDK: key names after its
// camelCase→snake_case conversion, its errors (CloudSDKError), its timeout, and config.json permissions.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { OPENAPI_TIMEOUT_MS } from "../../src/cloud/sdk";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";
import { buildFunction, installedSdkVersion } from "../../src/cli/build";
import { ROOT } from "../../src/cli/lib/function";
import type { Answer, FakeCloudBase, OpenApiCall } from "../../src/local/fake-cloudbase";
import { loadEventFixtures, mustStaySilent, recorded, senderOf } from "../../src/testing/event-fixtures";
import type { Runner } from "../../src/testing/function-runner";
import { startSdkRunner, startStandIn } from "../../src/testing/function-runner";
import { BUILD_CACHE } from "../helpers/kit-cli";

let cloudbase: FakeCloudBase;
let configCopy: string;
let runner: Runner;

const startRunner = (entry?: string, env: Record<string, string> = {}) =>
  startSdkRunner(cloudbase, entry === undefined ? env : { ...env, FUNCTION_ENTRY: entry });

beforeAll(async () => {
  // The stand-in reads permissions from a copy of config.json, so one test can remove one.
  ({ cloudbase, configCopy } = await startStandIn());
  runner = await startRunner();
}, 30_000);

afterAll(async () => {
  await runner.stop();
  await cloudbase.close();
});

const run = (event: unknown, openid?: string, source?: string) => runner.run(event, openid, source);

const send = (touser: string, content: string): OpenApiCall => ({
  apiName: "customerServiceMessage.send",
  payload: { touser, msgtype: "text", text: { content } },
});

// Every recorded event through this same path, default build: test/replay.test.ts.

describe("WeChat errors through the real SDK never escape main", () => {
  let n = 0;
  const push = () => ({
    ToUserName: "wx3d289323f5900f8e",
    FromUserName: "o-errors",
    CreateTime: 1700000000,
    MsgType: "text",
    Content: "在吗",
    MsgId: `err-${(n += 1)}`,
  });

  test.each<[string, "permanent" | "transient", Answer]>([
    ["45015 (48-hour window closed)", "permanent", { errcode: 45015, errmsg: "response out of time limit" }],
    ["45047 (reply limit)", "permanent", { errcode: 45047, errmsg: "out of response count limit" }],
    ["40003 (invalid openid)", "permanent", { errcode: 40003, errmsg: "invalid openid" }],
    ["-1 (system busy)", "transient", { errcode: -1, errmsg: "system error" }],
    ["a malformed response body", "transient", { malformed: true }],
  ])("%s is classified %s", async (_label, kind, answer) => {
    cloudbase.answerNext(answer);
    const event = push();
    const first = await run(event);
    expect(first.threw).toBeUndefined();
    expect(first.returned).toBe("success");
    if (kind === "transient") {
      // Retried in-process after a backoff: the second attempt goes out, within the same invocation.
      expect(first.calls).toEqual([send("o-errors", ACKNOWLEDGEMENT), send("o-errors", ACKNOWLEDGEMENT)]);
      expect(first.logs.join("\n")).not.toContain("handler failed");
    } else {
      expect(first.calls).toHaveLength(1);
      expect(first.logs.join("\n")).toContain("not retried");
    }
    // WeChat's redelivery: a duplicate either way (answered, or never answerable).
    const again = await run(event);
    expect(again.calls).toEqual([]);
  });

  test("a hung gateway is cut within the push's time (3 s bound), and not resent: it may have been delivered", async () => {
    cloudbase.answerNext({ hang: true });
    const event = push();
    const first = await run(event);
    expect(first.returned).toBe("success");
    expect(first.logs.join("\n")).toContain("send outcome unknown");
    expect(first.calls).toHaveLength(1);
    // WeChat's redelivery: a duplicate, not a second 「收到」.
    expect((await run(event)).calls).toEqual([]);
  }, 20_000);

  test("the SDK call timeout and the function timeout fit WeChat's 5-second push budget", () => {
    const rc = JSON.parse(fs.readFileSync(path.join(ROOT, "cloudbaserc.json"), "utf8")) as {
      functions: { name: string; timeout: number }[];
    };
    const timeout = rc.functions.find((fn) => fn.name === "messagePush")?.timeout ?? 0;
    expect(OPENAPI_TIMEOUT_MS).toBeLessThan(timeout * 1000);
    expect(timeout).toBeLessThanOrEqual(5);
  });

  test("a permission missing from config.json is refused (-604101) and logged, not thrown", async () => {
    const saved = fs.readFileSync(configCopy, "utf8");
    fs.writeFileSync(configCopy, JSON.stringify({ permissions: { openapi: [] } }));
    try {
      const refusedBefore = cloudbase.refused.length;
      const result = await run(push());
      expect(result.returned).toBe("success");
      expect(result.calls).toEqual([]);
      expect(cloudbase.refused.slice(refusedBefore).map((call) => call.apiName)).toEqual([
        "customerServiceMessage.send",
      ]);
      expect(result.logs.join("\n")).toContain("errcode -604101");
    } finally {
      fs.writeFileSync(configCopy, saved);
    }
  });

  test("a forged invocation from a mini program (SOURCE wx_client) sends nothing", async () => {
    const result = await run(push(), "o-errors", "wx_client");
    expect(result.returned).toBe("success");
    expect(result.calls).toEqual([]);
  });
});

describe("nothing leaves the machine", () => {
  const LOOPBACK_ONLY = path.join(__dirname, "..", "helpers", "loopback-only.js");
  /** Runs one text push with each outgoing connection recorded (and any off loopback refused). */
  async function connectionsOfOnePush(
    env: Record<string, string>,
  ): Promise<{ hosts: string[]; sent: number }> {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "connections-"));
    const log = path.join(folder, "connections.log");
    const watched = await startRunner(undefined, {
      NODE_OPTIONS: `--require ${LOOPBACK_ONLY}`,
      CONNECTIONS_LOG: log,
      ...env,
    });
    try {
      const { calls } = await watched.run(
        {
          ToUserName: "wx1",
          FromUserName: "o-net",
          CreateTime: 1,
          MsgType: "text",
          Content: "x",
          MsgId: `net-${Math.random()}`,
        },
        "o-net",
      );
      // The SDK's own probes are not awaited by anything: give one a moment to start.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const hosts = fs.existsSync(log) ? [...new Set(fs.readFileSync(log, "utf8").trim().split("\n"))] : [];
      return { hosts, sent: calls.length };
    } finally {
      await watched.stop();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }

  test.each(["memory", "database"])(
    "a push (dedupe store: %s) connects to the stand-in and nowhere else",
    async (store) => {
      const { hosts, sent } = await connectionsOfOnePush({ PUSH_DEDUPE_STORE: store });
      expect(sent).toBe(1);
      expect(hosts).toEqual(["127.0.0.1"]);
    },
  );

  test("the guard works: outside SCF the SDK would ask metadata.tencentyun.com (refused here)", async () => {
    const { hosts, sent } = await connectionsOfOnePush({ TENCENTCLOUD_RUNENV: "" });
    expect(sent).toBe(1);
    expect(hosts).toContain("metadata.tencentyun.com");
  });
});

// The other two builds must ask the platform for exactly what the default build asks for: same requests,
// same answers, event by event (the default build's own are pinned by test/replay.test.ts's snapshots).
describe.each([
  ["--full-sdk (the whole SDK inlined)", "full"],
  ["--external-sdk (the SDK installed in the cloud)", "external"],
] as const)("the %s build through the same stand-in", (_label, sdk) => {
  let folder: string;
  let other: Runner;
  let reference: Runner;
  beforeAll(async () => {
    // Under node_modules/.cache: an external build resolves wx-server-sdk from the repository, as in the cloud
    // it resolves the copy the cloud installed beside it.
    const cache = BUILD_CACHE;
    fs.mkdirSync(cache, { recursive: true });
    folder = fs.mkdtempSync(path.join(cache, `build-${sdk}-`));
    await buildFunction({ sdk, outfile: path.join(folder, "index.js") });
    [other, reference] = await Promise.all([startRunner(path.join(folder, "index.js")), startRunner()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([other.stop(), reference.stop()]);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test("its package.json lists exactly what the cloud must install", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies).toEqual(
      sdk === "external" ? { "wx-server-sdk": installedSdkVersion() } : {},
    );
  });

  test.each(loadEventFixtures().map((fixture) => [fixture.name, fixture] as const))(
    "%s: the same exact requests and answer as the default build",
    async (name, { event }) => {
      const openid = senderOf(event) ?? "o-malformed";
      const [mine, theirs] = [await other.run(event, openid), await reference.run(event, openid)];
      if (mustStaySilent(name)) expect(mine.calls).toEqual([]);
      expect(recorded(mine.returned, mine.calls)).toEqual(recorded(theirs.returned, theirs.calls));
    },
  );

  test("its SDK errors classify the same: -1 is retried in-process and answered once", async () => {
    const event = {
      ToUserName: "wx1",
      FromUserName: "o-b",
      CreateTime: 1,
      MsgType: "text",
      Content: "x",
      MsgId: `${sdk}-1`,
    };
    cloudbase.answerNext({ errcode: -1, errmsg: "system error" });
    expect((await other.run(event)).calls).toEqual([
      send("o-b", ACKNOWLEDGEMENT),
      send("o-b", ACKNOWLEDGEMENT),
    ]);
    expect((await other.run(event)).calls).toEqual([]);
  });
});
