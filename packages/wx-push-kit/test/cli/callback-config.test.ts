// The callback-config CLI: validation fixtures in-process, upload/pull as a real child process against
// the fake WeChat API on 127.0.0.1.
import fs from "node:fs";
import path from "node:path";
import { main } from "../../src/cli/callback-config";
import { validateConfigText } from "../../src/cli/lib/callback-config";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import { PROJECT, startKit } from "../helpers/kit-cli";

const ROOT = PROJECT;
const FIXTURES = path.join(__dirname, "..", "fixtures", "callback-config");
const credentials = {
  appid: "wx1234567890abcdef",
  secret: "s3cr3t-app-secret",
};

async function runInProcess(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** The real CLI in a child process (async, so the fake server in this process keeps answering). */
function runCli(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = startKit(["callback-config", ...args], {
      env: { ...process.env, CLOUDBASE_ENV_ID: undefined, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const fixture = (name: string) => path.join(FIXTURES, name);

describe("validate", () => {
  const saved = process.env["CLOUDBASE_ENV_ID"];
  beforeAll(() => delete process.env["CLOUDBASE_ENV_ID"]);
  afterAll(() => {
    if (saved !== undefined) process.env["CLOUDBASE_ENV_ID"] = saved;
  });

  test("the repository's own file is valid (its env placeholder is a warning)", async () => {
    const { code, stdout, stderr } = await runInProcess("validate");
    expect(code).toBe(0);
    expect(stdout).toContain("4 条路由 routes");
    expect(stderr).toContain("占位符");
  });

  test("expands the legacy msgType 1 into the four customer-service routes", async () => {
    const { code, stdout } = await runInProcess("validate", fixture("valid.legacy.json"));
    expect(code).toBe(0);
    for (const row of ["text", "image", "miniprogrampage", "event            user_enter_tempsession"]) {
      expect(stdout).toContain(row);
    }
  });

  test("accepts the tuple form, with a per-route enable", async () => {
    const { code, stdout } = await runInProcess("validate", fixture("valid.tuples.json"));
    expect(code).toBe(0);
    expect(stdout).toMatch(/miniprogrampage +- +messagePush +prod-1a2b3c +false/);
  });

  test("warns about an unknown event with the known list, and still passes", async () => {
    const { code, stderr } = await runInProcess("validate", fixture("valid.unknown-event.json"));
    expect(code).toBe(0);
    expect(stderr).toContain('未知的 event "user_leave_tempsession"');
    expect(stderr).toContain("user_enter_tempsession");
  });

  test("takes the env from CLOUDBASE_ENV_ID when the file has none", async () => {
    process.env["CLOUDBASE_ENV_ID"] = "from-env-42";
    try {
      const { code, stdout } = await runInProcess("validate", fixture("invalid.no-env.json"));
      expect(code).toBe(0);
      expect(stdout).toContain("from-env-42");
    } finally {
      delete process.env["CLOUDBASE_ENV_ID"];
    }
  });

  test.each([
    ["invalid.syntax.json", "(file)", "第 5 行第 3 列：这里缺少一个值（多余的逗号？）"],
    ["invalid.full-width-quote.json", "(file)", "全角字符「“」"],
    ["invalid.no-callbacks.json", "callbacks", "缺少此字段"],
    ["invalid.enable-string.json", "enable", "应为 true 或 false"],
    ["invalid.legacy-msgtype-2.json", "callbacks[0]", "msgType: 1"],
    ["invalid.function-missing.json", "callbacks[0].functionName", "cloudfunctions/noSuchFunction 不存在"],
    ["invalid.no-env.json", "callbacks[0].env", "CLOUDBASE_ENV_ID"],
    ["invalid.unknown-key.json", "callbacks[0]", "evnt"],
    [
      "invalid.duplicate-tuple.json",
      "callbacks",
      "<text, -> 同时推送到 messagePush@prod-1a2b3c 和 messagePush@test-9z8y7x",
    ],
  ])("%s fails, naming %s and the fix", async (file, where, message) => {
    const { code, stderr } = await runInProcess("validate", fixture(file));
    expect(code).toBe(1);
    expect(stderr).toContain(`${file} ${where}: `);
    expect(stderr).toContain(message);
  });

  test("a path-like or spaced functionName is refused before any folder is looked up", () => {
    for (const name of [
      "messagePush/../messagePush",
      "../messagePush",
      "message push",
      "messagePush\u001b[2J",
    ]) {
      const result = validateConfigText(
        JSON.stringify({ enable: true, callbacks: [{ msgType: 1, functionName: name, env: "prod-1a2b3c" }] }),
        { root: ROOT },
      );
      expect(result.errors).toEqual([
        { where: "callbacks[0].functionName", message: expect.stringContaining("a function name") as string },
      ]);
      expect(result.tuples).toEqual([]);
    }
  });

  test("a missing index.js says to build", async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, "cloudfunctions", "tmpFn"));
    const fn = path.basename(dir);
    fs.writeFileSync(path.join(dir, "package.json"), "{}");
    fs.writeFileSync(path.join(dir, "config.json"), "{}");
    const config = path.join(dir, "callback.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        enable: true,
        callbacks: [{ msgType: 1, functionName: fn, env: "e1" }],
      }),
    );
    try {
      const { code, stderr } = await runInProcess("validate", config);
      expect(code).toBe(1);
      expect(stderr).toContain("缺少 index.js");
      expect(stderr).toContain("npm run build");
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe("upload and pull against the fake WeChat API", () => {
  let api: FakeWechatApi;
  beforeEach(async () => (api = await startFakeWechatApi(credentials)));
  afterEach(() => api.close());
  const env = () => ({
    WECHAT_API_BASE: api.base,
    WECHAT_APPID: credentials.appid,
    WECHAT_APPSECRET: credentials.secret,
  });
  const noSecrets = (output: string) => {
    expect(output).not.toContain(credentials.secret);
    for (const token of api.tokens) expect(output).not.toContain(token);
  };

  test("sends exactly the documented body, verifies it by read-back, and prints no secret", async () => {
    const run = await runCli(["upload", fixture("valid.legacy.json")], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("verified by read-back");
    const [token, set, get] = api.requests;
    expect(token?.path).toBe("/cgi-bin/stable_token");
    expect(token?.body).toEqual({
      grant_type: "client_credential",
      appid: credentials.appid,
      secret: credentials.secret,
      force_refresh: false,
    });
    expect(set?.path).toBe("/tcb/setcallbackconfig");
    expect(set?.query).toEqual({ access_token: api.tokens[0] });
    const body = set?.body as {
      function_config: {
        enable: unknown;
        callbacks: Record<string, unknown>[];
      };
    };
    expect(Object.keys(body)).toEqual(["function_config"]);
    expect(body.function_config.enable).toBe(true);
    expect(body.function_config.callbacks).toHaveLength(4);
    const expected = [
      ["text", ""],
      ["image", ""],
      ["miniprogrampage", ""],
      ["event", "user_enter_tempsession"],
    ];
    body.function_config.callbacks.forEach((callback, index) => {
      expect(Object.keys(callback).sort()).toEqual(["enable", "env", "event", "functionName", "msgType"]);
      expect(callback["msgType"]).toBe(expected[index]?.[0]);
      expect(callback["event"]).toBe(expected[index]?.[1]);
      expect(callback["env"]).toBe("prod-1a2b3c");
      expect(callback["functionName"]).toBe("messagePush");
      expect(callback["enable"]).toBe(true);
    });
    expect(get?.path).toBe("/tcb/getcallbackconfig");
    noSecrets(run.stdout + run.stderr);
  }, 30_000);

  test("--dry-run prints the body and touches no network", async () => {
    const run = await runCli(["upload", fixture("valid.tuples.json"), "--dry-run"], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"function_config"');
    expect(api.requests).toEqual([]);
  }, 30_000);

  test("a read-back that differs fails with the table", async () => {
    api.overrideReadBack({
      function_config: {
        enable: true,
        callbacks: [
          {
            msgType: "text",
            event: "",
            env: "prod-1a2b3c",
            functionName: "other",
            enable: true,
          },
        ],
      },
    });
    const run = await runCli(["upload", fixture("valid.legacy.json")], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("read-back differs");
    expect(run.stdout).toMatch(/text +- +messagePush@prod-1a2b3c +other@prod-1a2b3c +✗/);
  }, 30_000);

  test.each([
    ["/cgi-bin/stable_token", 40013, "检查 WECHAT_APPID"],
    ["/cgi-bin/stable_token", 40125, "检查 WECHAT_APPSECRET"],
    ["/cgi-bin/stable_token", 40164, "IP 白名单"],
    ["/tcb/setcallbackconfig", 42001, "已过期"],
    ["/tcb/setcallbackconfig", 40014, "不合法"],
    ["/tcb/setcallbackconfig", 41001, "缺少 access_token"],
    ["/tcb/setcallbackconfig", 40101, "缺少必填参数"],
    ["/tcb/setcallbackconfig", 48001, "第三方平台"],
  ])(
    "%s errcode %i becomes one line saying what to do",
    async (apiPath, errcode, advice) => {
      api.fail(apiPath, { errcode, errmsg: "from the fake" });
      const run = await runCli(["upload", fixture("valid.legacy.json")], env());
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`errcode ${errcode}`);
      expect(run.stderr).toContain(advice);
      noSecrets(run.stdout + run.stderr);
    },
    30_000,
  );

  test("system busy (-1) twice fails after one retry", async () => {
    api.fail("/tcb/setcallbackconfig", { errcode: -1, errmsg: "system error" }, 2);
    const run = await runCli(["upload", fixture("valid.legacy.json")], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("系统繁忙");
    expect(api.requests.filter((r) => r.path === "/tcb/setcallbackconfig")).toHaveLength(2);
  }, 30_000);

  test("a hung server times out with a clear message", async () => {
    api.fail("/tcb/setcallbackconfig", "hang", 2);
    const run = await runCli(["upload", fixture("valid.legacy.json"), "--timeout", "300"], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("请求超时");
  }, 30_000);

  test("an answer that is not JSON is explained", async () => {
    api.fail("/tcb/getcallbackconfig", "not-json");
    const run = await runCli(["upload", fixture("valid.legacy.json")], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("返回的不是 JSON");
  }, 30_000);

  test("a missing secret is named and nothing is sent", async () => {
    const run = await runCli(["upload", fixture("valid.legacy.json")], {
      ...env(),
      WECHAT_APPSECRET: "",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("缺少环境变量 (missing) WECHAT_APPSECRET");
    expect(api.requests).toEqual([]);
  }, 30_000);

  test("pull shows the difference between the live config and the file", async () => {
    const same = await runCli(["upload", fixture("valid.legacy.json")], env());
    expect(same.code).toBe(0);
    const pulled = await runCli(["pull", fixture("valid.tuples.json")], env());
    expect(pulled.code).toBe(1);
    expect(pulled.stdout).toMatch(
      /miniprogrampage +- +messagePush@prod-1a2b3c \(off\) +messagePush@prod-1a2b3c +✗/,
    );
    const matching = await runCli(["pull", fixture("valid.legacy.json")], env());
    expect(matching.code).toBe(0);
    expect(matching.stdout).toContain("the live config matches");
  }, 60_000);
});

test("upload --dry-run works on the shipped file with no environment at all, and prints the body", async () => {
  const run = await runCli(["upload", "--dry-run"], {
    WECHAT_APPID: undefined,
    WECHAT_APPSECRET: undefined,
    CLOUDBASE_ENV_ID: undefined,
  });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("tcb/setcallbackconfig");
  expect(run.stdout).toContain('"msgType": "text"');
  expect(run.stdout).toContain("still a placeholder env");
});

test("the notification tuples from the route table validate without warnings, and upload sends them", async () => {
  const validated = await runInProcess("validate", fixture("valid.notifications.json"));
  expect(validated.code).toBe(0);
  expect(validated.stderr).toBe("");
  const dry = await runCli(["upload", fixture("valid.notifications.json"), "--dry-run"], {});
  expect(dry.code).toBe(0);
  for (const event of [
    "wxa_media_check",
    "subscribe_msg_popup_event",
    "subscribe_msg_change_event",
    "subscribe_msg_sent_event",
  ])
    expect(dry.stdout).toContain(`"event": "${event}"`);
  expect(dry.stdout).toContain('"event": "user_enter_tempsession"');
});
