// Secrets in text that comes from elsewhere: WeChat's errmsg may echo the AppSecret or the access_token
// (bare, URL-encoded or JSON-escaped), and a config file or an answer may carry terminal escapes. One
// redactor serves every log line and every CLI line; it learns each token as it is fetched.
import { createRedactor } from "../../src/core/log";
import { main as callbackConfig } from "../../src/cli/callback-config";
import { displayUrl } from "../../src/cli/lib/safe-output";
import { createServerFromEnv } from "../../src/server/create-server";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";
import { close, listen, send } from "../helpers/http-client";
import { replyingBot, textPush } from "../helpers/pushes";

const credentials = { appid: "wx1234567890abcdef", secret: "s3cr3t-app-secret" };
/** The first token the fake API hands out (it numbers them). */
const FIRST_TOKEN = `ACCESS_TOKEN_1_${"x".repeat(40)}`;
const unicodeEscaped = (text: string) =>
  text
    .split("")
    .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .join("");

let api: FakeWechatApi;
beforeEach(async () => (api = await startFakeWechatApi(credentials)));
afterEach(() => api.close());

function withEnv<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return run().finally(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

test("callback-config: an errmsg echoing the token and the AppSecret, with terminal escapes, prints neither", async () => {
  api.fail("/tcb/setcallbackconfig", {
    errcode: 48001,
    errmsg: `api unauthorized for ${FIRST_TOKEN} secret=${unicodeEscaped(credentials.secret)} \u001b[2J\u001b]0;pwned\u0007 rid: 1`,
  });
  const lines: string[] = [];
  const code = await withEnv(
    {
      WECHAT_API_BASE: api.base,
      WECHAT_APPID: credentials.appid,
      WECHAT_APPSECRET: credentials.secret,
      CLOUDBASE_ENV_ID: "prod-1a2b3c",
    },
    () => callbackConfig(["upload"], { out: (line) => lines.push(line), err: (line) => lines.push(line) }),
  );
  expect(code).toBe(1);
  const output = lines.join("\n");
  expect(output).toContain("errcode 48001");
  expect(output).toContain("[redacted]");
  expect(output).not.toContain(FIRST_TOKEN);
  expect(output).not.toContain(unicodeEscaped(credentials.secret));
  expect([...output].some((char) => char === "\u001b" || char === "\u0007")).toBe(false);
});

test("callback-config --dry-run never prints the user:password@ of WECHAT_API_BASE", async () => {
  const lines: string[] = [];
  const code = await withEnv({ WECHAT_API_BASE: "https://proxy-user:proxy-pass@proxy.example:8443/wx" }, () =>
    callbackConfig(["upload", "--dry-run"], {
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
    }),
  );
  expect(code).toBe(0);
  expect(lines.join("\n")).toContain("POST https://proxy.example:8443/wx/tcb/setcallbackconfig");
  expect(lines.join("\n")).not.toContain("proxy-pass");
  expect(displayUrl("https://a:b@h/")).toBe("https://h/");
});

test("serve: a fetched access_token and the AppSecret echoed in WeChat's answers never reach the log", async () => {
  api.fail("/cgi-bin/message/custom/send", {
    errcode: 40003,
    errmsg: `invalid openid hint: [${FIRST_TOKEN}] "${JSON.stringify(credentials.secret).slice(1, -1)}" ${encodeURIComponent(credentials.secret)}`,
  });
  const printed: string[] = [];
  const capture = (...args: unknown[]) => void printed.push(args.map(String).join(" "));
  const spies = (["log", "warn", "error"] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation(capture),
  );
  // The real console log of `npm run serve` (no log override): what an operator's terminal shows.
  const push = createServerFromEnv(
    {
      WECHAT_TOKEN: "AAA",
      WECHAT_APPID: credentials.appid,
      WECHAT_APPSECRET: credentials.secret,
      WECHAT_API_BASE: api.base,
    },
    { router: replyingBot() },
  );
  const base = await listen(push.server);
  try {
    const request = textPush({ from: "o-AAA", msgId: "9500000000000000001", settings: { token: "AAA" } });
    expect(await send(base, request)).toEqual({ status: 200, body: "success" });
  } finally {
    await close(push.server);
    await push.close();
    for (const spy of spies) spy.mockRestore();
  }
  const log = printed.join("\n");
  expect(log).toContain("errcode 40003");
  expect(log).not.toContain(FIRST_TOKEN);
  expect(log).not.toContain(credentials.secret);
  expect(log).not.toContain(encodeURIComponent(credentials.secret));
  // The Token is three characters, the shortest WeChat allows: redacted too, even inside the openid.
  expect(log).not.toContain("AAA");
});

describe("the redactor", () => {
  test("every access_token in a line, whatever quotes surround it", () => {
    const redact = createRedactor([]);
    expect(redact('a access_token=one&b=1 {"access_token":"two"} access_token: three')).toBe(
      'a access_token=[redacted]&b=1 {"access_token":"[redacted]"} access_token: [redacted]',
    );
  });

  test("a secret as written, URL-encoded, JSON-escaped and \\u-escaped; one learnt later too", () => {
    const redact = createRedactor(['p/a+s"s']);
    for (const form of [
      'p/a+s"s',
      encodeURIComponent('p/a+s"s'),
      'p/a+s\\"s',
      'p\\/a+s\\"s',
      unicodeEscaped('p/a+s"s'),
    ])
      expect(redact(`x ${form} y`)).toBe("x [redacted] y");
    expect(redact("later-token-123")).toBe("later-token-123");
    redact.add("later-token-123");
    expect(redact("later-token-123")).toBe("[redacted]");
  });

  test("a three-character Token is redacted; shorter values are not secrets", () => {
    expect(createRedactor(["abc", "ab"])("abc ab")).toBe("[redacted] ab");
  });
});
