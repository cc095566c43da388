import type { PassiveReply } from "../core/passive";
import type { BodyFormat } from "./body";
import { signature } from "./signature";
import { encrypt } from "./wx-crypto";

// A passive reply as the HTTP answer to the push, in the data format configured in the console (XML or
// JSON: 格式必须与后台配置的数据格式一致) and, in the encrypted modes, sealed like an incoming push:
// {Encrypt, MsgSignature, TimeStamp, Nonce}, MsgSignature = sha1(sort(token, TimeStamp, Nonce, Encrypt)).
// Source: developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html (回包加密)

export interface Sealing {
  token: string;
  key: Buffer;
  appid: string;
  /** The request's nonce, echoed back (回填URL参数中的nonce). */
  nonce: string;
  /** Seconds. */
  timestamp: number;
  /** 16 bytes; injectable so the documented vectors can be reproduced. */
  random?: Buffer;
}

export interface RenderedReply {
  contentType: string;
  body: string;
}

/** Any flat record of strings and numbers, as WeChat's field names say; so any kind of passive reply. */
export function renderPassiveReply(
  reply: PassiveReply,
  format: BodyFormat,
  sealing?: Sealing,
): RenderedReply {
  const fields = reply as unknown as Record<string, string | number>;
  const plain = format === "json" ? JSON.stringify(fields) : toXml(fields);
  if (sealing === undefined) return { contentType: contentTypeOf(format), body: plain };
  const sealed = encrypt(sealing.key, sealing.appid, plain, sealing.random);
  const timestamp = String(sealing.timestamp);
  const envelope = {
    Encrypt: sealed,
    MsgSignature: signature(sealing.token, timestamp, sealing.nonce, sealed),
    TimeStamp: sealing.timestamp,
    Nonce: sealing.nonce,
  };
  return {
    contentType: contentTypeOf(format),
    body: format === "json" ? JSON.stringify(envelope) : toXml(envelope),
  };
}

function toXml(fields: Record<string, string | number>): string {
  const elements = Object.entries(fields).map(([name, value]) =>
    typeof value === "number" ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`,
  );
  return `<xml>${elements.join("")}</xml>`;
}

/** CDATA cannot contain "]]>": split it across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.split("]]>").join("]]]]><![CDATA[>")}]]>`;
}

function contentTypeOf(format: BodyFormat): string {
  return format === "json" ? "application/json; charset=utf-8" : "application/xml; charset=utf-8";
}
