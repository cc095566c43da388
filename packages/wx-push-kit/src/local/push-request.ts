// Builds the requests WeChat sends to a developer server, signed and encrypted exactly as the platform
// does, from the project's own signature/encrypt functions: the simulator, the tests and the benchmark
// all agree with the server by construction.
import { randomBytes } from "node:crypto";
import type { BodyFormat, PushMode } from "../server/index";
import { decodeAesKey, encrypt, signature } from "../server/index";

export interface PushSettings {
  token: string;
  encodingAESKey?: string;
  appid?: string;
}

export interface BuiltRequest {
  method: "GET" | "POST";
  /** Path and query, e.g. "/?signature=…&timestamp=…". */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

/** The sample settings of the documentation (Token AAAAA, EncodingAESKey 43×A): not secrets. */
export const DEMO_SETTINGS = {
  token: "AAAAA",
  encodingAESKey: "A".repeat(43),
  appid: "wxba5fad812f8e6fb9",
} as const satisfies PushSettings;

export function serializeMessage(message: Readonly<Record<string, unknown>>, format: BodyFormat): string {
  if (format === "json") {
    // URL pushes carry MsgId as a bare 64-bit integer, which JSON.stringify cannot write from a number.
    return JSON.stringify(message).replace(/"MsgId":"(\d+)"/, '"MsgId":$1');
  }
  // XML nests what JSON writes at the top: a subscription event's List sits in <SubscribeMsg…Event>.
  const wrapper = SUBSCRIBE_WRAPPERS[String(message["Event"])];
  const record =
    wrapper !== undefined && message["List"] !== undefined
      ? { ...message, List: undefined, [wrapper]: { List: message["List"] } }
      : message;
  return `<xml>${xmlFields(record)}</xml>`;
}

const SUBSCRIBE_WRAPPERS: Record<string, string> = {
  subscribe_msg_popup_event: "SubscribeMsgPopupEvent",
  subscribe_msg_change_event: "SubscribeMsgChangeEvent",
  subscribe_msg_sent_event: "SubscribeMsgSentEvent",
};

/** Elements for a record: objects nest, arrays repeat the element, as WeChat's XML pushes do. */
function xmlFields(record: Readonly<Record<string, unknown>>): string {
  return Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .flatMap(([name, value]) =>
      Array.isArray(value) ? value.map((item) => [name, item] as const) : [[name, value] as const],
    )
    .map(([name, value]) => {
      if (typeof value === "object" && value !== null)
        return `<${name}>${xmlFields(value as Record<string, unknown>)}</${name}>`;
      return typeof value === "number" || (name === "MsgId" && /^\d+$/.test(String(value)))
        ? `<${name}>${String(value)}</${name}>`
        : `<${name}><![CDATA[${String(value).replace(/]]>/g, "]]]]><![CDATA[>")}]]></${name}>`;
    })
    .join("");
}

export function buildPushRequest(options: {
  message: Readonly<Record<string, unknown>>;
  mode: PushMode;
  format: BodyFormat;
  settings: PushSettings;
  timestamp?: string;
  nonce?: string;
  random?: Buffer;
}): BuiltRequest {
  const { message, mode, format, settings } = options;
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const plain = serializeMessage(message, format);
  const query: Record<string, string> = {
    signature: signature(settings.token, timestamp, nonce),
    timestamp,
    nonce,
  };
  let body = plain;
  if (mode !== "plaintext") {
    if (settings.encodingAESKey === undefined || settings.appid === undefined) {
      throw new TypeError(`[message-push] ${mode} mode needs an EncodingAESKey and an appid`);
    }
    const sealed = encrypt(decodeAesKey(settings.encodingAESKey), settings.appid, plain, options.random);
    const outer =
      mode === "secure"
        ? { ToUserName: message["ToUserName"], Encrypt: sealed }
        : { ...message, Encrypt: sealed };
    body = format === "json" ? JSON.stringify(outer) : serializeMessage(outer, "xml");
    if (typeof message["FromUserName"] === "string") query["openid"] = message["FromUserName"];
    query["encrypt_type"] = "aes";
    query["msg_signature"] = signature(settings.token, timestamp, nonce, sealed);
  }
  return {
    method: "POST",
    path: `/?${new URLSearchParams(query).toString()}`,
    query,
    headers: {
      "content-type": format === "json" ? "application/json" : "text/xml",
    },
    body,
  };
}

/** The GET WeChat sends when the URL is saved in the console (URL 验证). */
export function buildVerifyRequest(
  settings: PushSettings,
  echostr: string,
  timestamp?: string,
  nonce?: string,
): BuiltRequest {
  const ts = timestamp ?? String(Math.floor(Date.now() / 1000));
  const n = nonce ?? String(randomBytes(4).readUInt32BE(0));
  const query = {
    signature: signature(settings.token, ts, n),
    echostr,
    timestamp: ts,
    nonce: n,
  };
  return {
    method: "GET",
    path: `/?${new URLSearchParams(query).toString()}`,
    query,
    headers: {},
    body: "",
  };
}
