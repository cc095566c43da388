// decodeBody at its edges: the size cap counted in UTF-8 bytes, XML text exactly as sent (entities decoded,
// attributes and declarations dropped, white space kept), and every refusal by its code and message.
import { BodyError, decodeBody, MAX_BODY_BYTES } from "../../src/http/body";
import { thrown } from "../helpers/thrown";

const refusal = (run: () => unknown): BodyError => thrown(BodyError, run);

/** A JSON object {"a":"…"} of exactly `bytes` UTF-8 bytes, mostly three-byte characters. */
function jsonOf(bytes: number): string {
  const wide = Math.floor((bytes - 8) / 3);
  return `{"a":"${"人".repeat(wide)}${"x".repeat(bytes - 8 - wide * 3)}"}`;
}

describe("the size cap", () => {
  test("a body of exactly MAX_BODY_BYTES is decoded", () => {
    const body = jsonOf(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(decodeBody(body, "json")).toEqual({ a: expect.stringMatching(/^人+x*$/) as unknown });
  });

  test("one byte more is refused before parsing, counted in bytes, not characters", () => {
    const body = jsonOf(MAX_BODY_BYTES + 1);
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    const error = refusal(() => decodeBody(body, "json"));
    expect(error.code).toBe("too-large");
    expect(error.name).toBe("BodyError");
    expect(error.message).toBe("[message-push] bad push body (too-large): body exceeds the size cap");
  });
});

test.each<[string, string, "json" | "xml", boolean, string, RegExp]>([
  ["a JSON array", "[1]", "json", true, "not-an-object", /^the JSON body is not an object$/],
  ["JSON null", "null", "json", true, "not-an-object", /^the JSON body is not an object$/],
  ["a JSON number", "1", "json", true, "not-an-object", /^the JSON body is not an object$/],
  [
    "a DOCTYPE",
    '<!DOCTYPE xml [<!ENTITY x "y">]><xml><a>&x;</a></xml>',
    "xml",
    true,
    "doctype",
    /^DOCTYPE and entity declarations are refused$/,
  ],
  // The validator's own words, then where: the line is what an operator needs to find it.
  ["mismatched tags", "<xml><a>x</b></xml>", "xml", true, "bad-xml", /\S.* \(line 1\)$/],
  ["mismatched tags on line 2", "<xml>\n<a>x</b></xml>", "xml", true, "bad-xml", /\S.* \(line 2\)$/],
  // Unchecked (an outer body or a decrypted one): the parser's own failure is still a bad-xml refusal.
  ["an unclosed comment, unchecked", "<xml><!-- ", "xml", false, "bad-xml", /\S/],
  ["an unclosed CDATA, unchecked", "<xml><a><![CDATA[x", "xml", false, "bad-xml", /\S/],
  ["no <xml> root", "<a>1</a>", "xml", true, "not-an-object", /^the XML body has no <xml> root element$/],
])("refuses %s with its code and a message that says why", (_label, body, format, checked, code, why) => {
  const error = refusal(() => decodeBody(body, format, checked));
  expect(error.code).toBe(code);
  const prefix = `[message-push] bad push body (${code}): `;
  expect(error.message.startsWith(prefix)).toBe(true);
  expect(error.message.slice(prefix.length)).toMatch(why);
});

describe("XML text is what was sent", () => {
  test.each([true, false])("entities and character references are decoded (checked: %s)", (checked) => {
    expect(
      decodeBody(
        "<xml><Content>a &lt; b &amp;&amp; c &gt; d &#x4eba;&#24037;</Content></xml>",
        "xml",
        checked,
      ),
    ).toEqual({ Content: "a < b && c > d 人工" });
  });

  test("attributes are ignored, on the root and on fields", () => {
    expect(decodeBody('<xml id="1"><Content lang="zh">hi</Content></xml>', "xml")).toEqual({
      Content: "hi",
    });
  });

  test("white space outside CDATA is formatting and dropped; inside CDATA it is kept", () => {
    expect(
      decodeBody(
        "<xml><Content> <![CDATA[  a b  ]]>\n</Content><N> 1 </N><M>\n <![CDATA[text]]> </M></xml>",
        "xml",
      ),
    ).toEqual({ Content: "  a b  ", N: "1", M: "text" });
  });

  test("an XML declaration is allowed and not a field", () => {
    expect(decodeBody('<?xml version="1.0" encoding="UTF-8"?><xml><a>1</a></xml>', "xml")).toEqual({
      a: "1",
    });
  });
});
