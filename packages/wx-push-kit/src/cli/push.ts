// Usage: npm run push -- <text|image|miniprogrampage|enter|verify> [content] [--mode M] [--format F] [--url URL] [--demo]
// Sends a push to a developer-server URL signed (and encrypted) exactly as WeChat does.
import { request } from "node:http";
import { parseArgs } from "node:util";
import type { BodyFormat, PushMode } from "../server/index";
import type { BuiltRequest, PushSettings } from "../local/push-request";
import { swallowedByNpm } from "./lib/npm-flags";
import { buildPushRequest, buildVerifyRequest, DEMO_SETTINGS } from "../local/push-request";

const HELP = `用法 Usage: npm run push -- <类型 kind> [内容 content] [options]

按微信的方式签名（并加密）一条消息推送，发到开发者服务器 URL，打印响应。
Signs (and encrypts) a push as WeChat does, sends it to your server URL, prints the answer.

kind:  text <内容>            文本消息 (default content "你好")
       image [MediaId]        图片消息
       miniprogrampage        小程序卡片
       enter [SessionFrom]    进入客服会话事件 user_enter_tempsession
       verify [echostr]       URL 验证 (GET)
options:
  --mode plaintext|compatible|secure   明文模式 / 兼容模式 / 安全模式 (default: secure with a key, else plaintext)
  --format json|xml                    数据格式 (default json)
  --url URL                            default http://127.0.0.1:8080/
  --from OPENID  --msgid ID            sender and MsgId (default: a fresh one)
  --repeat N                           deliver the same push N times, as WeChat's retries do
  --demo                               use the documentation's sample Token/EncodingAESKey/AppID
                                       (pairs with \`npm run serve -- --demo\`)
Settings come from WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY, WECHAT_APPID unless --demo.`;

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      mode: { type: "string" },
      format: { type: "string", default: "json" },
      url: { type: "string", default: "http://127.0.0.1:8080/" },
      from: { type: "string", default: "o9AgO5Kd5ggOC-bXrbNODIiE3bGY" },
      msgid: { type: "string" },
      repeat: { type: "string", default: "1" },
      demo: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  const [kind, content] = positionals;
  if (values.help === true || kind === undefined) {
    console.log(HELP);
    return values.help === true ? 0 : 2;
  }
  const swallowed = values.demo ? undefined : swallowedByNpm("demo", "push");
  if (swallowed !== undefined) {
    console.error(swallowed);
    return 2;
  }
  const settings = values.demo ? DEMO_SETTINGS : settingsFromEnv();
  if (settings === undefined) {
    console.error(
      "缺少 WECHAT_TOKEN（或使用 --demo）: set WECHAT_TOKEN (and the key and appid for encrypted modes), or pass --demo",
    );
    return 2;
  }
  const format = values.format as BodyFormat;
  if (format !== "json" && format !== "xml")
    return usage(`--format 应为 json 或 xml, got "${values.format}"`);
  const mode = (values.mode ?? (settings.encodingAESKey === undefined ? "plaintext" : "secure")) as PushMode;
  if (!["plaintext", "compatible", "secure"].includes(mode))
    return usage(`--mode 应为 plaintext|compatible|secure`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 10) return usage("--repeat 应为 1-10");

  let built: BuiltRequest;
  if (kind === "verify") {
    built = buildVerifyRequest(settings, content ?? "4375120948345356249");
  } else {
    const message = messageOf(kind, content, values.from, values.msgid);
    if (message === undefined) return usage(`未知类型 unknown kind "${kind}"`);
    built = buildPushRequest({ message, mode, format, settings });
    console.log(`→ ${mode} · ${format} · ${JSON.stringify(message)}`);
  }
  let failed = false;
  for (let i = 0; i < repeat; i += 1) {
    let answer;
    try {
      answer = await deliver(new URL(built.path, values.url), built);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      console.error(
        code === "ECONNREFUSED"
          ? `${values.url} 没有服务在监听：先在另一个终端运行 npm run serve -- --demo，或用 --url 指向你的服务器 ` +
              `(nothing listens at ${values.url}: start \`npm run serve -- --demo\` in another terminal, or pass --url)`
          : `发送失败 (push failed): ${error instanceof Error ? error.message : String(error)}`,
      );
      return 1;
    }
    console.log(`← HTTP ${answer.status} ${answer.body}`);
    failed ||= answer.status !== 200;
  }
  return failed ? 1 : 0;
}

function settingsFromEnv(): PushSettings | undefined {
  const token = process.env["WECHAT_TOKEN"];
  if (token === undefined || token === "") return undefined;
  const key = process.env["WECHAT_ENCODING_AES_KEY"];
  const appid = process.env["WECHAT_APPID"];
  return {
    token,
    ...(key ? { encodingAESKey: key } : {}),
    ...(appid ? { appid } : {}),
  };
}

export function messageOf(
  kind: string,
  content: string | undefined,
  from: string,
  msgid: string | undefined,
): Record<string, unknown> | undefined {
  const base = {
    ToUserName: "gh_97417a04a28d",
    FromUserName: from,
    CreateTime: Math.floor(Date.now() / 1000),
  };
  const id = msgid ?? String(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6)));
  switch (kind) {
    case "text":
      return {
        ...base,
        MsgType: "text",
        Content: content ?? "你好",
        MsgId: id,
      };
    case "image":
      return {
        ...base,
        MsgType: "image",
        PicUrl: "http://mmbiz.qpic.cn/demo/0",
        MediaId: content ?? "demo-media-id",
        MsgId: id,
      };
    case "miniprogrampage":
      return {
        ...base,
        MsgType: "miniprogrampage",
        MsgId: id,
        Title: content ?? "商品详情",
        AppId: "wxba5fad812f8e6fb9",
        PagePath: "pages/index/index",
        ThumbUrl: "http://mmbiz.qpic.cn/demo/thumb",
        ThumbMediaId: "demo-thumb-media-id",
      };
    case "enter":
      return {
        ...base,
        MsgType: "event",
        Event: "user_enter_tempsession",
        SessionFrom: content ?? "index-page",
      };
    default:
      return undefined;
  }
}

export function deliver(
  url: URL,
  built: Pick<BuiltRequest, "method" | "headers" | "body">,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: built.method, headers: built.headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", reject);
    req.end(built.body);
  });
}

function usage(problem: string): number {
  console.error(`${problem}\n\n${HELP}`);
  return 2;
}
