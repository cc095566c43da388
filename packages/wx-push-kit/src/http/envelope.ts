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
  // Quotes inside JSON strings are escaped, so an unescaped "Encrypt" followed by a colon is a key, never
  // a user's text; the first such key is the one used.
  for (let name = body.indexOf('"Encrypt"'); name !== -1; name = body.indexOf('"Encrypt"', name + 1)) {
    const colon = skipSpace(body, name + '"Encrypt"'.length);
    if (body[colon] === ":") return jsonStringAfter(body, colon);
  }
  return undefined;
}

/** The string value after the colon at `colon`, if it is one and plain base64 once its escapes are read. */
function jsonStringAfter(body: string, colon: number): string | undefined {
  const at = skipSpace(body, colon + 1);
  if (body[at] !== '"') return undefined;
  // The string ends at the first quote no backslash escapes.
  let end = at + 1;
  while (end < body.length && body[end] !== '"') end += body[end] === "\\" ? 2 : 1;
  if (end >= body.length) return undefined;
  // Any JSON escape may stand for a base64 character ("\/", "\u002b", "\u003d"): read them as JSON does.
  let value: unknown;
  try {
    value = JSON.parse(body.slice(at, end + 1));
  } catch {
    return undefined;
  }
  return typeof value === "string" && BASE64.test(value) ? value : undefined;
}

function fromXml(body: string): string | undefined {
  const open = indexOutsideText(body, "<Encrypt>");
  if (open === -1) return undefined;
  const start = open + "<Encrypt>".length;
  const close = body.indexOf("</Encrypt>", start);
  if (close === -1) return undefined;
  // Whitespace around the CDATA section is formatting, not part of the value.
  const inner = body.slice(start, close).trim();
  const value =
    inner.startsWith("<![CDATA[") && inner.endsWith("]]>")
      ? inner.slice("<![CDATA[".length, -"]]>".length)
      : inner;
  return BASE64.test(value) ? value : undefined;
}

/**
 * Where `tag` first stands as markup: a user's text in CDATA (compatible mode's plaintext copy comes before
 * Encrypt) or in a comment can contain "<Encrypt>" too, and must not be taken for the field.
 */
function indexOutsideText(body: string, tag: string): number {
  // Ends when no "<" is left: every step moves `at` forward.
  for (let at = 0; ;) {
    const next = body.indexOf("<", at);
    if (next === -1) return -1;
    if (body.startsWith(tag, next)) return next;
    if (body.startsWith("<![CDATA[", next)) {
      const end = body.indexOf("]]>", next);
      if (end === -1) return -1;
      // Stryker disable next-line ArithmeticOperator: no tag sought can start in the 3 characters before "]]>"
      at = end + 3;
    } else if (body.startsWith("<!--", next)) {
      const end = body.indexOf("-->", next + 4); // "<!-->" does not close itself
      if (end === -1) return -1;
      at = end + 3;
    } else at = next + 1;
  }
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (/\s/.test(text.charAt(at))) at += 1; // charAt past the end is "", which ends the loop
  return at;
}

/** Compatible mode carries the plaintext fields beside Encrypt; secure mode only ToUserName + Encrypt. */
export function hasPlaintextCopy(body: string, format: BodyFormat): boolean {
  return format === "json" ? body.includes('"MsgType"') : body.includes("<MsgType>");
}
