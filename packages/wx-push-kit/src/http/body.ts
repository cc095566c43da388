// Push bodies come as JSON or XML (chosen in the console's 消息推送 settings). Both become the same flat
// record that parsePush reads; XML values stay text and parsePush accepts numbers written as text.
// The parsers are require()d on first use: the cloud push path never loads them.
/* eslint-disable @typescript-eslint/no-require-imports */
import type { XMLParser } from "fast-xml-parser";
import { lazy } from "../core/lazy";

export type BodyFormat = "json" | "xml";
export type BodyErrorCode =
  "bad-json" | "bad-xml" | "doctype" | "not-an-object" | "not-json-or-xml" | "too-large";

export class BodyError extends Error {
  override readonly name = "BodyError";
  constructor(
    readonly code: BodyErrorCode,
    message: string,
  ) {
    super(`[message-push] bad push body (${code}): ${message}`);
  }
}

/** Pushes are a few hundred bytes; anything near this is not from WeChat. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The format of a body, from its first non-blank character: "{" is JSON, "<" is XML, anything else neither.
 * Never from Content-Type: WeChat has been reported to send JSON pushes labelled text/xml, and said it will
 * not change that (github.com/tencentyun/wafer2-startup/issues/101, /issues/104).
 */
export function detectFormat(body: string): BodyFormat | undefined {
  const first = /\S/.exec(body)?.[0];
  return first === "{" ? "json" : first === "<" ? "xml" : undefined;
}

/** The format, or a BodyError for a body that is neither JSON nor XML. */
export function knownFormat(format: BodyFormat | undefined): BodyFormat {
  if (format === undefined) throw new BodyError("not-json-or-xml", "the body starts with neither { nor <");
  return format;
}

/**
 * `checked`: whether the XML must pass the well-formedness check (as costly as the parse itself) or it
 * does not matter: a decrypted body is WeChat's own (its msg_signature matched), and of an encrypted
 * push's outer body only Encrypt is used, which msg_signature then authenticates. Plaintext is checked.
 */
export function decodeBody(body: string, format: BodyFormat, checked = true): Record<string, unknown> {
  if (Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES)
    throw new BodyError("too-large", "body exceeds the size cap");
  return format === "json" ? decodeJson(body) : decodeXml(body, checked);
}

type JsonParser = { parse(text: string): unknown };
// MsgId is a 64-bit integer in URL pushes: JSON.parse would round it, so big integers are kept as text.
const jsonParser = lazy(() =>
  (require("json-bigint") as (options: object) => JsonParser)({
    storeAsString: true,
    protoAction: "error",
    constructorAction: "error",
  }),
);

function decodeJson(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = jsonParser().parse(body);
  } catch (error) {
    throw new BodyError("bad-json", describe(error));
  }
  if (!isRecord(value)) throw new BodyError("not-an-object", "the JSON body is not an object");
  return value;
}

const xmlParser = lazy((): XMLParser => {
  const { XMLParser: Parser } = require("fast-xml-parser") as typeof import("fast-xml-parser");
  return new Parser({
    // The predefined entities, character references (&lt; &#x4eba;) and, harmlessly, HTML's named ones
    // (&nbsp;; htmlEntities is also what enables character references). A DOCTYPE, where custom entities
    // would be declared, is refused before parsing.
    processEntities: true,
    htmlEntities: true,
    ignoreAttributes: true,
    // Stryker disable next-line BooleanLiteral: only document.xml is read, so <?xml …?> never reaches a field
    ignoreDeclaration: true,
    parseTagValue: false,
    // Whitespace outside a CDATA section is formatting (a padded <MsgType> must still route); CDATA is kept exact.
    trimValues: true,
  });
});

function decodeXml(body: string, checked: boolean): Record<string, unknown> {
  // No DTDs at all: entity expansion is how XML bombs and external-entity reads start.
  if (/<!DOCTYPE|<!ENTITY/i.test(body))
    throw new BodyError("doctype", "DOCTYPE and entity declarations are refused");
  const validation = checked ? validateXml(body) : undefined;
  if (validation !== undefined) throw new BodyError("bad-xml", validation);
  let document: Record<string, unknown>; // the parser returns an object or throws
  try {
    document = xmlParser().parse(body) as Record<string, unknown>;
  } catch (error) {
    throw new BodyError("bad-xml", describe(error));
  }
  const root = document["xml"];
  if (!isRecord(root)) throw new BodyError("not-an-object", "the XML body has no <xml> root element");
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(root)) {
    if (name !== "#text") record[name] = value;
  }
  return record;
}

function validateXml(body: string): string | undefined {
  const { XMLValidator } = require("fast-xml-parser") as typeof import("fast-xml-parser");
  const result = XMLValidator.validate(body);
  return result === true ? undefined : `${result.err.msg} (line ${result.err.line})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}
