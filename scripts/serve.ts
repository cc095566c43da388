// Usage: npm run serve [-- --demo]
// The developer-server door on node:http: URL verification and pushes in every mode, answered by the same
// router as the cloud function. Settings from the environment (WECHAT_TOKEN, …) or --demo.
import { parseArgs } from "node:util";
import { createApp } from "../cloudfunctions/messagePush/src/app";
import { createConsoleLog } from "../cloudfunctions/messagePush/src/core/log";
import { createMemoryStore } from "../cloudfunctions/messagePush/src/core/memory-store";
import type { Send } from "../cloudfunctions/messagePush/src/core/reply";
import { ConfigError, loadHttpConfig } from "../cloudfunctions/messagePush/src/http/config";
import { createPushServer } from "../cloudfunctions/messagePush/src/http/node";
import { createHttpsSend, createHttpsTyping } from "../cloudfunctions/messagePush/src/http/send";
import type { SetTyping } from "../cloudfunctions/messagePush/src/core/reply";
import { apiBase } from "../cloudfunctions/messagePush/src/wechat-api/client";
import { createTokenSource } from "../cloudfunctions/messagePush/src/wechat-api/token";
import { DEMO_SETTINGS } from "./lib/push-request";

const HELP = `用法 Usage: npm run serve [-- --demo]

启动开发者服务器（消息推送 URL）：URL 验证，明文/兼容/安全模式，JSON 或 XML。
Starts the developer-server push endpoint on HOST:PORT (default 127.0.0.1:8080).

环境变量 environment:
  WECHAT_TOKEN              消息推送的 Token (required)
  WECHAT_ENCODING_AES_KEY   EncodingAESKey (兼容模式/安全模式)
  WECHAT_APPID              小程序 AppID (encrypted modes; replies)
  WECHAT_APPSECRET          AppSecret: replies go out through cgi-bin/message/custom/send;
                            without it replies are printed, not sent
  WECHAT_PUSH_MODE          plaintext | compatible | secure (default: what each request says)
  WECHAT_API_BASE           API base URL (default https://api.weixin.qq.com)
  HOST, PORT                listen address
  --demo                    文档示例配置 the documentation's sample Token AAAAA / EncodingAESKey / AppID`;

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      demo: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  const env: Record<string, string | undefined> = values.demo
    ? {
        ...process.env,
        WECHAT_TOKEN: DEMO_SETTINGS.token,
        WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
        WECHAT_APPID: DEMO_SETTINGS.appid,
        WECHAT_APPSECRET: undefined,
      }
    : process.env;
  const log = createConsoleLog("[serve]");
  let config;
  try {
    config = loadHttpConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\n\n${HELP}`);
      return 2;
    }
    throw error;
  }
  const appid = env["WECHAT_APPID"];
  const secret = env["WECHAT_APPSECRET"];
  let send: Send = (payload) =>
    Promise.resolve(log.info("未设置 WECHAT_APPSECRET，仅打印回复 (would send)", { ...payload }));
  let typing: SetTyping | undefined;
  if (appid !== undefined && secret !== undefined && secret !== "") {
    const tokens = createTokenSource({ appid, secret, base: apiBase(env) });
    send = createHttpsSend(tokens, { base: apiBase(env) });
    typing = createHttpsTyping(tokens, { base: apiBase(env) });
  }

  const host = env["HOST"] ?? "127.0.0.1";
  const port = Number(env["PORT"] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT 无效 (invalid port): ${env["PORT"]}`);
    return 2;
  }
  const server = createPushServer({
    app: createApp(),
    config,
    send,
    log,
    ...(typing === undefined ? {} : { typing }),
    store: createMemoryStore(),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const where =
    typeof address === "object" && address !== null ? `http://${host}:${address.port}/` : String(address);
  console.log(`消息推送服务已启动 push endpoint listening on ${where}`);
  console.log(
    `  模式 mode: ${config.mode ?? "auto"} · 密钥 key: ${config.aesKey ? "set" : "not set"} · ` +
      `回复 replies: ${secret ? "cgi-bin/message/custom/send" : "printed only (no WECHAT_APPSECRET)"}` +
      (values.demo ? " · 演示配置 demo settings" : ""),
  );
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return new Promise<number>(() => {}); // runs until stopped
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`启动失败 (serve failed): ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
