// Edges of the dedupe key and of the expiring map under the memory store.
import { createHash } from "node:crypto";
import { dedupeKey } from "../../src/core/dedupe";
import { createExpiringMap } from "../../src/core/expiring-map";
import type { AnyMessage } from "../../src/core/message";
import { parsePush } from "../../src/core/parse";

const common = { ToUserName: "gh", FromUserName: "o-user", CreateTime: 1714112445 };
const keyOf = (push: Record<string, unknown>) => dedupeKey(parsePush({ ...common, ...push }).message);
const sha16 = (value: unknown) => createHash("sha1").update(JSON.stringify(value)).digest("hex").slice(0, 16);

describe("dedupeKey", () => {
  test("a notification is told apart by its dedupeBy field: a string as is, anything else by a 16-hex digest", () => {
    const media = {
      MsgType: "event",
      Event: "wxa_media_check",
      appid: "wx1",
      trace_id: "trace-1",
      version: 2,
      result: { suggest: "pass", label: 100 },
      detail: [],
    };
    expect(keyOf(media)).toBe("from:o-user:1714112445:wxa_media_check:trace-1");
    const List = [{ TemplateId: "t1", SubscribeStatusString: "accept" }];
    const popup = { MsgType: "event", Event: "subscribe_msg_popup_event", List };
    const parsedList = (parsePush({ ...common, ...popup }).message as unknown as { List: unknown }).List;
    expect(keyOf(popup)).toBe(`from:o-user:1714112445:subscribe_msg_popup_event:${sha16(parsedList)}`);
  });

  test("an unmodelled push whose MsgType is an event's name is keyed by sender, time and MsgType only", () => {
    // Only MsgType "event" pushes look up event routes: this one has no trace_id to read.
    expect(keyOf({ MsgType: "wxa_media_check" })).toBe("from:o-user:1714112445:wxa_media_check");
  });

  test("a message object carrying MsgId/Event: undefined is keyed like one without them (never msg:undefined)", () => {
    // parsePush omits absent fields; a hand-built message must not merge every such push under one key.
    const handMade = { ...common, MsgType: "text", Content: "x", MsgId: undefined, Event: undefined };
    expect(dedupeKey(handMade as unknown as AnyMessage)).toBe("from:o-user:1714112445:text");
  });
});

describe("createExpiringMap", () => {
  test("an entry lapses exactly at its expiry time", () => {
    let clock = 1000;
    const map = createExpiringMap<string>(() => clock);
    map.set("k", "v", 50);
    clock = 1049;
    expect(map.get("k")).toBe("v");
    clock = 1050;
    expect(map.get("k")).toBeUndefined();
  });

  test("a write sweeps the lapsed entries from the front, and stops at the first live one", () => {
    let clock = 0;
    const map = createExpiringMap<number>(() => clock);
    map.set("a", 1, 10);
    map.set("b", 2, 20);
    map.set("c", 3, 30);
    clock = 20; // a and b have lapsed (b exactly now), c has not
    map.set("d", 4, 30);
    expect(map.size).toBe(2);
    expect(map.get("c")).toBe(3);
  });
});
