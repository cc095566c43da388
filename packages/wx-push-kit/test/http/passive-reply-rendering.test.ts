// The rendered passive reply: its Content-Type follows the configured data format, sealed or not, and text
// that contains "]]>" survives the CDATA wrapping.
import { XMLParser } from "fast-xml-parser";
import type { PassiveReply } from "../../src/core/passive";
import { renderPassiveReply } from "../../src/http/passive-reply";
import { decodeAesKey } from "../../src/http/wx-crypto";

const TRANSFER: PassiveReply = {
  MsgType: "transfer_customer_service",
  ToUserName: "o-user",
  FromUserName: "gh_x",
  CreateTime: 1714112445,
};
const SEALING = {
  token: "AAAAA",
  key: decodeAesKey("A".repeat(43)),
  appid: "wxba5fad812f8e6fb9",
  nonce: "415670741",
  timestamp: 1713424427,
};

test.each<["json" | "xml", boolean, string]>([
  ["json", false, "application/json; charset=utf-8"],
  ["json", true, "application/json; charset=utf-8"],
  ["xml", false, "application/xml; charset=utf-8"],
  ["xml", true, "application/xml; charset=utf-8"],
])("a %s reply (sealed: %s) is sent as %s", (format, sealed, contentType) => {
  expect(renderPassiveReply(TRANSFER, format, sealed ? SEALING : undefined).contentType).toBe(contentType);
});

test('"]]>" in a text field is split across two CDATA sections and reads back unchanged', () => {
  const reply = { ...TRANSFER, ToUserName: "a]]>b]]>" };
  const { body } = renderPassiveReply(reply, "xml");
  expect(body).toBe(
    "<xml><MsgType><![CDATA[transfer_customer_service]]></MsgType>" +
      "<ToUserName><![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]></ToUserName>" +
      "<FromUserName><![CDATA[gh_x]]></FromUserName><CreateTime>1714112445</CreateTime></xml>",
  );
  const parsed = new XMLParser({ parseTagValue: false }).parse(body) as { xml: Record<string, unknown> };
  expect(parsed.xml["ToUserName"]).toBe("a]]>b]]>");
});
