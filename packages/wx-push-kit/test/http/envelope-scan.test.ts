// Encrypt found by scanning, at the scan's edges: truncated bodies, stray or hidden tags, and "Encrypt"
// where it is not a key. Whatever cannot be read exactly is refused (undefined), never guessed.
import { extractEncrypt } from "../../src/http/envelope";

describe("XML", () => {
  test.each<[string, string, string | undefined]>([
    ["the body ends inside the element", "<xml><Encrypt>AAAA", undefined],
    ["the body ends inside the CDATA", "<xml><Encrypt><![CDATA[AAAA", undefined],
    ["a closing tag with no opening one", "<xml>AAAAAAAA</Encrypt></xml>", undefined],
    // A stray </Encrypt> near the start must not stand in for the missing end of the CDATA.
    ["an unclosed CDATA after a stray closing tag", "xx</Encrypt><Encrypt><![CDATA[AAAA", undefined],
    [
      "<Encrypt> inside a user's CDATA text, before the real one",
      "<xml><Content><![CDATA[<Encrypt>BBBB</Encrypt>]]></Content><Encrypt>AAAA</Encrypt></xml>",
      "AAAA",
    ],
    [
      "<Encrypt> inside a comment, before the real one",
      "<xml><!-- <Encrypt>BBBB</Encrypt> --><Encrypt>AAAA</Encrypt></xml>",
      "AAAA",
    ],
    ["<Encrypt> only inside a CDATA", "<xml><C><![CDATA[<Encrypt>BBBB</Encrypt>]]></C></xml>", undefined],
    ["<Encrypt> only inside a comment", "<xml><!--<Encrypt>BBBB</Encrypt>--><C>x</C></xml>", undefined],
    // A comment may end in "<!": its "-->" still closes it, not a second comment.
    ["a comment ending in <!", "<xml><!-- a <!--><Encrypt>AAAA</Encrypt></xml>", "AAAA"],
    // Never closed: everything after the opening is text, so nothing there is markup.
    ["<Encrypt> after an unclosed CDATA", "<xml><C><![CDATA[x<Encrypt>BBBB</Encrypt></xml>", undefined],
    ["<Encrypt> after an unclosed comment", "<xml><!-- x<Encrypt>BBBB</Encrypt></xml>", undefined],
    // An unclosed CDATA or comment ends the scan: nothing after it is read, not even a well-formed tail.
    ["a body that is one unclosed CDATA", "<![CDATA[xAAAA</Encrypt>", undefined],
    ["a body that is one unclosed comment", "<!--xxxxxxAAAA</Encrypt>", undefined],
    // "<!-->" opens a comment and does not close it (its "-->" overlaps the "<!--").
    ["<Encrypt> after a lone <!-->", "<xml><!--><Encrypt>BBBB</Encrypt></xml>", undefined],
    [
      "a CDATA before the real one, and text after it",
      "<xml><C><![CDATA[x]]>y</C><Encrypt>AAAA</Encrypt></xml>",
      "AAAA",
    ],
  ])("%s", (_label, body, expected) => {
    expect(extractEncrypt(body, "xml")).toBe(expected);
  });
});

describe("JSON", () => {
  test.each<[string, string, string | undefined]>([
    ['"Encrypt" as a value before the key', '{"ToUserName":"Encrypt","Encrypt":"AAAA"}', "AAAA"],
    ['"Encrypt" as a value, no key', '{"ToUserName":"Encrypt"}', undefined],
    ["an array, not a string", '{"Encrypt":["AAAA"]}', undefined],
    ["an object, not a string", '{"Encrypt":{"a":"AAAA"}}', undefined],
    ["a number followed by another string", '{"Encrypt":1234,"x":"y"}', undefined],
    ["the body ends inside the string", '{"Encrypt":"AAAA', undefined],
    ["the body ends after the colon", '{"Encrypt": ', undefined],
  ])("%s", (_label, body, expected) => {
    expect(extractEncrypt(body, "json")).toBe(expected);
  });
});
