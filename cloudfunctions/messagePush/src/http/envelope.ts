import type { BodyFormat } from "./body";

// The Encrypt field of an encrypted push, found without parsing the body: msg_signature is checked on it
// before anything is parsed, so a forged 64 KB body costs a scan, not an XML parse (authenticate before
// you spend). Whatever is found here is used only after msg_signature verified it; a body with no such
// field, or one this scan cannot read, is simply refused.

const BASE64 = /^[A-Za-z0-9+/=]*$/;

export function extractEncrypt(body: string, format: BodyFormat): string | undefined {
  return format === "json" ? fromJson(body) : fromXml(body);
}

function fromJson(body: string): string | undefined {
  const name = body.indexOf('"Encrypt"');
  if (name === -1) return undefined;
  let at = skipSpace(body, name + '"Encrypt"'.length);
  if (body[at] !== ":") return undefined;
  at = skipSpace(body, at + 1);
  if (body[at] !== '"') return undefined;
  const close = body.indexOf('"', at + 1);
  if (close === -1) return undefined;
  // JSON may escape "/" as "\/"; base64 needs no other escape, so anything else is refused below.
  const value = body.slice(at + 1, close).replace(/\\\//g, "/");
  return BASE64.test(value) ? value : undefined;
}

function fromXml(body: string): string | undefined {
  const open = body.indexOf("<Encrypt>");
  if (open === -1) return undefined;
  let start = open + "<Encrypt>".length;
  let end: number;
  if (body.startsWith("<![CDATA[", start)) {
    start += "<![CDATA[".length;
    end = body.indexOf("]]>", start);
    if (end === -1 || !body.startsWith("</Encrypt>", end + 3)) return undefined;
  } else {
    end = body.indexOf("</Encrypt>", start);
    if (end === -1) return undefined;
  }
  const value = body.slice(start, end);
  return BASE64.test(value) ? value : undefined;
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && /\s/.test(text[at] as string)) at += 1;
  return at;
}

/** Compatible mode carries the plaintext fields beside Encrypt; secure mode only ToUserName + Encrypt. */
export function hasPlaintextCopy(body: string, format: BodyFormat): boolean {
  return format === "json" ? body.includes('"MsgType"') : body.includes("<MsgType>");
}
