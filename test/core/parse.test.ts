import { parsePush, PushParseError } from "../../cloudfunctions/messagePush/src/core/parse";

const base = {
  ToUserName: "wx3d289323f5900f8e",
  FromUserName: "o-user",
  CreateTime: 1555684067,
};

function parseError(input: unknown): PushParseError {
  try {
    parsePush(input);
  } catch (error) {
    if (error instanceof PushParseError) return error;
    throw error;
  }
  throw new Error("expected a PushParseError");
}

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
      Event: "wxa_media_check",
      trace_id: "t",
    };
    expect(parsePush(raw)).toEqual({
      route: "unknown",
      message: { ...base, MsgType: "event", Event: "wxa_media_check", raw },
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
});
