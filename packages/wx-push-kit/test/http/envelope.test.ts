// Finding Encrypt without parsing the body (msg_signature is checked on it first): what is found, and
// that anything it cannot read exactly is refused rather than guessed.
import { extractEncrypt, hasPlaintextCopy } from "../../src/http/envelope";

const SEALED = "ab+/CD==";

describe("extractEncrypt, JSON", () => {
  test.each<[string, string | undefined]>([
    [`{"ToUserName":"gh","Encrypt":"${SEALED}"}`, SEALED],
    [`{"Encrypt" :  "${SEALED}"}`, SEALED],
    [`{"Encrypt":\n"${SEALED}"}`, SEALED],
    [`{"Encrypt":"ab\\/CD=="}`, "ab/CD=="], // JSON may escape "/"
    [`{"Encrypt":""}`, ""],
    [`{"ToUserName":"gh"}`, undefined], // no field
    [`{"Encrypt":123}`, undefined], // not a string
    [`{"Encrypt" "x"}`, undefined], // no colon
    [`{"Encrypt":"ab`, undefined], // unterminated
    [`{"Encrypt":"a\\"b"}`, undefined], // an escaped quote is no base64
    [`{"Encrypt":"a\\nb"}`, undefined], // nor any other escape
    [`{"Encrypt":"a b"}`, undefined], // nor a space
    [`{"Encrypt":"中文"}`, undefined],
  ])("%s → %s", (body, expected) => {
    expect(extractEncrypt(body, "json")).toBe(expected);
  });
});

describe("extractEncrypt, XML", () => {
  test.each<[string, string | undefined]>([
    [`<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[${SEALED}]]></Encrypt></xml>`, SEALED],
    [`<xml><Encrypt>${SEALED}</Encrypt></xml>`, SEALED],
    [`<xml><Encrypt><![CDATA[]]></Encrypt></xml>`, ""],
    [`<xml><ToUserName>gh</ToUserName></xml>`, undefined],
    [`<xml><Encrypt><![CDATA[${SEALED}]]></xml>`, undefined], // CDATA not followed by </Encrypt>
    [`<xml><Encrypt><![CDATA[${SEALED}</Encrypt></xml>`, undefined], // CDATA never closed
    [`<xml><Encrypt>${SEALED}</xml>`, undefined], // element never closed
    [`<xml><Encrypt>a<b/>c</Encrypt></xml>`, undefined], // markup inside
    [`<xml><Encrypt>&amp;</Encrypt></xml>`, undefined], // entities are not base64
  ])("%s → %s", (body, expected) => {
    expect(extractEncrypt(body, "xml")).toBe(expected);
  });

  test("the first Encrypt is the one used (msg_signature then decides whether it is authentic)", () => {
    expect(extractEncrypt("<xml><Encrypt>AAAA</Encrypt><Encrypt>BBBB</Encrypt></xml>", "xml")).toBe("AAAA");
    expect(extractEncrypt('{"Encrypt":"AAAA","x":{"Encrypt":"BBBB"}}', "json")).toBe("AAAA");
  });
});

test("compatible mode is recognised by the plaintext copy beside Encrypt, in either format", () => {
  expect(hasPlaintextCopy('{"ToUserName":"gh","MsgType":"text","Encrypt":"x"}', "json")).toBe(true);
  expect(hasPlaintextCopy('{"ToUserName":"gh","Encrypt":"x"}', "json")).toBe(false);
  expect(hasPlaintextCopy("<xml><MsgType>text</MsgType><Encrypt>x</Encrypt></xml>", "xml")).toBe(true);
  expect(hasPlaintextCopy("<xml><ToUserName>gh</ToUserName><Encrypt>x</Encrypt></xml>", "xml")).toBe(false);
  // The format decides where to look: a JSON-looking key in an XML body is not a copy.
  expect(hasPlaintextCopy('<xml>"MsgType"</xml>', "xml")).toBe(false);
  expect(hasPlaintextCopy('{"x":"<MsgType>"}', "json")).toBe(false);
});
