// Subscription events in XML nest their List in an element named after the event (<SubscribeMsgPopupEvent>,
// <SubscribeMsgChangeEvent>, <SubscribeMsgSentEvent>): each of the three is unwrapped, one item or several.
import { parsePush } from "../../src/core/parse";
import { decodeBody } from "../../src/http/body";

const xml = (event: string, wrapper: string, items: string) =>
  `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o-sub]]></FromUserName>` +
  `<CreateTime>1714037059</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>` +
  `<${wrapper}>${items}</${wrapper}></xml>`;
const item = (id: string) =>
  `<List><TemplateId><![CDATA[${id}]]></TemplateId><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString></List>`;

test.each([
  ["subscribe_msg_popup_event", "SubscribeMsgPopupEvent"],
  ["subscribe_msg_change_event", "SubscribeMsgChangeEvent"],
  ["subscribe_msg_sent_event", "SubscribeMsgSentEvent"],
])("%s: the List inside <%s> is read, one item or two", (event, wrapper) => {
  for (const ids of [["t1"], ["t1", "t2"]]) {
    const inbound = parsePush(decodeBody(xml(event, wrapper, ids.map(item).join("")), "xml"));
    expect(inbound.route).toBe(`event.${event}`);
    expect(
      (inbound.message as unknown as { List: { TemplateId: string }[] }).List.map(
        (entry) => entry.TemplateId,
      ),
    ).toEqual(ids);
  }
});
