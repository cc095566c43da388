import { parsePush, PushParseError } from "../../src/core/parse";
import { thrown } from "../helpers/thrown";

const base = {
  ToUserName: "wx3d289323f5900f8e",
  FromUserName: "o-user",
  CreateTime: 1555684067,
};

const parseError = (input: unknown): PushParseError => thrown(PushParseError, () => parsePush(input));

describe("parsePush", () => {
  test("types a text message and keeps only documented fields", () => {
    const inbound = parsePush({
      ...base,
      MsgType: "text",
      Content: "测试",
      MsgId: "49d7_1",
      userInfo: { x: 1 },
    });
    expect(inbound).toEqual({
      route: "text",
      message: { ...base, MsgType: "text", Content: "测试", MsgId: "49d7_1" },
    });
  });

  test("routes user_enter_tempsession by Event, SessionFrom optional", () => {
    expect(
      parsePush({
        ...base,
        MsgType: "event",
        Event: "user_enter_tempsession",
        SessionFrom: "p",
      }),
    ).toEqual({
      route: "event.user_enter_tempsession",
      message: {
        ...base,
        MsgType: "event",
        Event: "user_enter_tempsession",
        SessionFrom: "p",
      },
    });
    expect(
      parsePush({ ...base, MsgType: "event", Event: "user_enter_tempsession" }).message,
    ).not.toHaveProperty("SessionFrom");
  });

  test("accepts XML-style text numbers and a safe integer MsgId as strings", () => {
    const inbound = parsePush({
      ...base,
      CreateTime: "1714037059",
      MsgType: "image",
      PicUrl: "u",
      MediaId: "m",
      MsgId: 42,
    });
    expect(inbound.message).toMatchObject({
      CreateTime: 1714037059,
      MsgId: "42",
    });
  });

  test("keeps BusinessId of sub-merchant pushes as a string", () => {
    expect(
      parsePush({
        ...base,
        MsgType: "text",
        Content: "c",
        MsgId: "1",
        BusinessId: 1,
      }).message,
    ).toMatchObject({
      BusinessId: "1",
    });
  });

  test("returns well-formed unmodelled pushes as unknown, whole", () => {
    const raw = {
      ...base,
      MsgType: "event",
      Event: "express_add_path",
      Status: "ok",
    };
    expect(parsePush(raw)).toEqual({
      route: "unknown",
      message: { ...base, MsgType: "event", Event: "express_add_path", raw },
    });
    expect(parsePush({ ...base, MsgType: "voice", MsgId: "9" })).toMatchObject({
      route: "unknown",
      message: { MsgType: "voice", MsgId: "9" },
    });
  });

  test.each([
    ["null", null, "(push)"],
    ["an array", [], "(push)"],
    ["a string", "text", "(push)"],
    ["no MsgType", { ...base }, "MsgType"],
    ["empty MsgType", { ...base, MsgType: "" }, "MsgType"],
    ["no FromUserName", { ...base, FromUserName: undefined, MsgType: "text" }, "FromUserName"],
    ["CreateTime as words", { ...base, CreateTime: "yesterday", MsgType: "text" }, "CreateTime"],
    ["negative CreateTime", { ...base, CreateTime: -1, MsgType: "text" }, "CreateTime"],
    ["Content as a number", { ...base, MsgType: "text", Content: 1, MsgId: "1" }, "Content"],
    [
      "MsgId that lost digits",
      { ...base, MsgType: "text", Content: "c", MsgId: 6054768590064713728 },
      "MsgId",
    ],
    ["image without MediaId", { ...base, MsgType: "image", PicUrl: "u", MsgId: "1" }, "MediaId"],
    [
      "card without PagePath",
      {
        ...base,
        MsgType: "miniprogrampage",
        MsgId: "1",
        Title: "t",
        AppId: "a",
        ThumbUrl: "u",
        ThumbMediaId: "m",
      },
      "PagePath",
    ],
    ["event without Event", { ...base, MsgType: "event" }, "Event"],
    [
      "SessionFrom as an object",
      {
        ...base,
        MsgType: "event",
        Event: "user_enter_tempsession",
        SessionFrom: {},
      },
      "SessionFrom",
    ],
  ])("rejects %s, naming the field", (_label, input, field) => {
    const error = parseError(input);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(`malformed push: ${field} should be`);
  });

  test("accepts a text message without MsgId (unusual, deduplicated by sender and time)", () => {
    expect(parsePush({ ...base, MsgType: "text", Content: "c" })).toEqual({
      route: "text",
      message: { ...base, MsgType: "text", Content: "c" },
    });
  });

  describe("notifications", () => {
    const media = {
      ...base,
      MsgType: "event",
      Event: "wxa_media_check",
      appid: "wx1",
      trace_id: "t-1",
      version: 2,
      result: { suggest: "risky", label: "20002" },
      detail: { strategy: "content_model", errcode: 0, prob: "90" },
    };

    test("a media-check result is typed, numbers written as text read as numbers, detail always a list", () => {
      expect(parsePush(media)).toEqual({
        route: "event.wxa_media_check",
        message: {
          ...base,
          MsgType: "event",
          Event: "wxa_media_check",
          appid: "wx1",
          trace_id: "t-1",
          version: 2,
          result: { suggest: "risky", label: 20002 },
          detail: [{ strategy: "content_model", errcode: 0, prob: 90 }],
        },
      });
    });

    test.each<[string, Record<string, unknown>, string]>([
      ["no trace_id", { ...media, trace_id: undefined }, "trace_id"],
      ["result as a string", { ...media, result: "risky" }, "result"],
      [
        "a result label that is not a number",
        { ...media, result: { suggest: "pass", label: "x" } },
        "result.label",
      ],
      ["a detail without strategy", { ...media, detail: [{ errcode: 0 }] }, "detail[0].strategy"],
    ])("a media-check result with %s is malformed, naming %s", (_label, input, field) => {
      expect(parseError(input).field).toBe(field);
    });

    const popup = (List: unknown, extra: Record<string, unknown> = {}) => ({
      ...base,
      CreateTime: "1620973045",
      MsgType: "event",
      Event: "subscribe_msg_popup_event",
      List,
      ...extra,
    });
    const item = { TemplateId: "T1", SubscribeStatusString: "accept", PopupScene: 0 };

    test("List as one object or as an array gives the handler the same array; CreateTime may be text", () => {
      const one = parsePush(popup(item));
      const many = parsePush(popup([item]));
      expect(one).toEqual(many);
      expect(one.message).toMatchObject({
        CreateTime: 1620973045,
        List: [{ TemplateId: "T1", SubscribeStatusString: "accept", PopupScene: "0" }],
      });
    });

    test("the XML shape (List nested in SubscribeMsgPopupEvent) reads the same", () => {
      const xml = { ...popup(undefined), SubscribeMsgPopupEvent: { List: item } };
      delete (xml as Record<string, unknown>)["List"];
      expect(parsePush(xml)).toEqual(parsePush(popup([item])));
    });

    test.each<[string, unknown, string]>([
      ["no List", undefined, "List"],
      ["an item without TemplateId", [{ SubscribeStatusString: "accept" }], "List[0].TemplateId"],
      [
        "a status that is an object",
        [{ TemplateId: "T", SubscribeStatusString: {} }],
        "List[0].SubscribeStatusString",
      ],
    ])("a subscription event with %s is malformed, naming %s", (_label, List, field) => {
      expect(parseError(popup(List)).field).toBe(field);
    });
  });
});
