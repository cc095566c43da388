// Usage: npm run serve [-- --demo]
// The developer-server door on node:http: URL verification and pushes in every mode, answered by the same
// router as the cloud function. Settings from the environment (WECHAT_TOKEN, …) or --demo.
import { parseArgs } from "node:util";
import { ConfigError, createServerFromEnv, settingsOf } from "../server/index";
import { loadBot } from "./lib/bot";
import { swallowedByNpm } from "./lib/npm-flags";
import { DEMO_SETTINGS } from "../local/push-request";

const HELP = `用法 Usage: npm run serve [-- --demo]

启动开发者服务器（消息推送 URL）：URL 验证，明文/兼容/安全模式，JSON 或 XML。
Starts the developer-server push endpoint on HOST:PORT (default 127.0.0.1:8080).

环境变量 environment:
  WECHAT_TOKEN              消息推送的 Token (required)
  WECHAT_ENCODING_AES_KEY   EncodingAESKey (兼容模式/安全模式)
  WECHAT_APPID              小程序 AppID (encrypted modes; replies)
  WECHAT_APPSECRET          AppSecret: replies go out through cgi-bin/message/custom/send;
                            without it replies are printed, not sent
  WECHAT_PUSH_MODE          plaintext | compatible | secure (default: encrypted only when a key is set,
                            else plaintext only)
  PUSH_MAX_AGE_S            可选：拒绝时间戳偏离超过 N 秒的推送 opt-in freshness window (off by default)
  PUSH_DEDUPE_STORE         memory (default) | redis (several instances sharing one Redis)
  REDIS_URL                 redis://host:port, with PUSH_DEDUPE_STORE=redis
  PUSH_DEDUPE_FAIL          open (default: answer, deduplicating in memory, while the store is down) | closed
  PUSH_MAX_CONNECTIONS      最大连接数 connection cap (default 1000)
  WECHAT_API_BASE           API base URL (default https://api.weixin.qq.com)
  WX_PUSH_DOOR              server (default) | container: 云托管 (WeChat Cloud Run) — unsigned JSON pushes
                            marked by x-wx-source, CheckContainerPath answered 200, replies through the
                            开放接口服务 (http://api.weixin.qq.com, no token, no AppSecret); listens on
                            0.0.0.0:8080 unless HOST/PORT say otherwise. Keep the service's public access off.
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
  const swallowed = values.demo ? undefined : swallowedByNpm("demo", "serve");
  if (swallowed !== undefined) {
    console.error(swallowed);
    return 2;
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
  let push;
  try {
    push = createServerFromEnv(env, { router: loadBot()() });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\n\n${HELP}`);
      return 2;
    }
    throw error;
  }
  const { server, config } = push;
  const settings = settingsOf(env);
  // In a container the platform's network reaches it from outside the container: all interfaces there.
  const container = config.door === "container";
  const host = settings["HOST"] ?? (container ? "0.0.0.0" : "127.0.0.1");
  const port = Number(settings["PORT"] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT 无效 (invalid port): ${settings["PORT"]}`);
    return 2;
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      console.error(
        `端口 ${port} 已被占用，请用 PORT=其他端口 重试 (port ${port} is in use: set PORT to another one)`,
      );
      return 2;
    }
    throw error;
  }
  const address = server.address();
  // The address actually bound, not the one asked for: what the operator reads is what is exposed.
  const where =
    typeof address === "object" && address !== null
      ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}/`
      : String(address);
  console.log(`消息推送服务已启动 push endpoint listening on ${where}`);
  const accepts = container
    ? "云托管 container (x-wx-source)"
    : (config.mode ?? (config.aesKey ? "encrypted only 仅加密" : "plaintext only 仅明文"));
  const replies = {
    https: "cgi-bin/message/custom/send",
    "open-api": "开放接口服务 open API service (no token)",
    print: "printed only (no WECHAT_APPSECRET)",
  }[push.replies];
  console.log(
    `  模式 mode: ${accepts} · 去重 dedupe: ${push.store} · 回复 replies: ${replies}` +
      (values.demo ? " · 演示配置 demo settings" : ""),
  );
  const stop = () => void push.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return new Promise<number>(() => {}); // runs until stopped
}
