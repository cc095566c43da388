// What parsePush accepts at the edges, and what its errors tell the operator who reads them in a log.
// Titles name cases by label only: a title that prints an input object spans several lines.
import { parsePush, PushParseError } from "../../src/core/parse";
import { thrown } from "../helpers/thrown";

const base = { ToUserName: "wx1", FromUserName: "o-user", CreateTime: 1 };
const text = { ...base, MsgType: "text", Content: "c" };
const media = {
  ...base,
  MsgType: "event",
  Event: "wxa_media_check",
  appid: "wx1",
  trace_id: "t-1",
  version: 2,
  result: { suggest: "pass", label: 100 },
};
const step = { strategy: "content_model", errcode: 0 };
const popup = (extra: Record<string, unknown>) => ({
  ...base,
  MsgType: "event",
  Event: "subscribe_msg_popup_event",
  ...extra,
});

const parseError = (input: unknown): PushParseError => thrown(PushParseError, () => parsePush(input));

const chars = (n: number) => "x".repeat(n);
const ID = "a string (at most 128 characters), a safe integer or absent";
const SECONDS = "a non-negative integer (seconds)";
const LIST = "a List of {TemplateId, …} (one object or an array)";

describe("PushParseError: the field, what was expected, what came", () => {
  test.each<[string, unknown, string, string, string]>([
    ["null", null, "(push)", "a JSON object", "null"],
    ["an array", [], "(push)", "a JSON object", "an array"],
    [
      "an empty MsgType",
      { ...base, MsgType: "" },
      "MsgType",
      "a name of letters, digits, _ . - (1-64 characters)",
      '""',
    ],
    ["a missing Content", { ...text, Content: undefined }, "Content", "a string", "nothing"],
    ["a number Content", { ...text, Content: 7 }, "Content", "a string", "number 7"],
    ["a boolean Content", { ...text, Content: true }, "Content", "a string", "boolean true"],
    ["an object Content", { ...text, Content: {} }, "Content", "a string", "an object"],
    ["a bigint MsgId (a bigint-aware JSON parser)", { ...text, MsgId: 1n }, "MsgId", ID, "bigint"],
    ["an empty MsgId", { ...text, MsgId: "" }, "MsgId", ID, '""'],
    ["a negative MsgId", { ...text, MsgId: -1 }, "MsgId", ID, "number -1"],
    ["a 129-character MsgId", { ...text, MsgId: chars(129) }, "MsgId", ID, "a string of 129 characters"],
    [
      "a 40-character CreateTime",
      { ...text, CreateTime: chars(40) },
      "CreateTime",
      SECONDS,
      JSON.stringify(chars(40)),
    ],
    [
      "a 41-character CreateTime",
      { ...text, CreateTime: chars(41) },
      "CreateTime",
      SECONDS,
      "a string of 41 characters",
    ],
    [
      "a 129-character FromUserName",
      { ...text, FromUserName: chars(129) },
      "FromUserName",
      "an openid (at most 128 characters)",
      "a string of 129 characters",
    ],
    ["CreateTime with a prefix", { ...text, CreateTime: "x1" }, "CreateTime", SECONDS, '"x1"'],
    ["CreateTime with a suffix", { ...text, CreateTime: "1x" }, "CreateTime", SECONDS, '"1x"'],
    [
      "a 16-digit CreateTime",
      { ...text, CreateTime: "1234567890123456" },
      "CreateTime",
      SECONDS,
      '"1234567890123456"',
    ],
    [
      "a null trace_id",
      { ...media, trace_id: null },
      "trace_id",
      "a string (at most 128 characters) or a safe integer",
      "null",
    ],
    [
      "a result whose suggest is a number",
      { ...media, result: { suggest: 1, label: 1 } },
      "result.suggest",
      "a string",
      "number 1",
    ],
    [
      "a result whose label is a word",
      { ...media, result: { suggest: "pass", label: "x" } },
      "result.label",
      "an integer",
      '"x"',
    ],
    ["a version with a prefix", { ...media, version: "x1" }, "version", "an integer", '"x1"'],
    ["a version with a suffix", { ...media, version: "1x" }, "version", "an integer", '"1x"'],
    ["a detail that is a string", { ...media, detail: ["x"] }, "detail[0]", "an object", '"x"'],
    [
      "a detail errcode that is a word",
      { ...media, detail: [{ ...step, errcode: "e" }] },
      "detail[0].errcode",
      "an integer",
      '"e"',
    ],
    [
      "a detail suggest that is a number",
      { ...media, detail: [{ ...step, suggest: 1 }] },
      "detail[0].suggest",
      "a string",
      "number 1",
    ],
    [
      "a detail label that is a word",
      { ...media, detail: [{ ...step, label: "x" }] },
      "detail[0].label",
      "an integer",
      '"x"',
    ],
    [
      "a detail prob that is a word",
      { ...media, detail: [{ ...step, prob: "abc" }] },
      "detail[0].prob",
      "a number",
      '"abc"',
    ],
    [
      "an empty detail prob",
      { ...media, detail: [{ ...step, prob: "" }] },
      "detail[0].prob",
      "a number",
      '""',
    ],
    [
      "a blank detail prob",
      { ...media, detail: [{ ...step, prob: "  " }] },
      "detail[0].prob",
      "a number",
      '"  "',
    ],
    ["a List item that is a string", popup({ List: ["x"] }), "List[0]", "an object", '"x"'],
    [
      "a PopupScene that is not an integer",
      popup({ List: [{ TemplateId: "T", PopupScene: 1.5 }] }),
      "List[0].PopupScene",
      "a string or an integer",
      "number 1.5",
    ],
    [
      "a status that is an object",
      popup({ List: [{ TemplateId: "T", SubscribeStatusString: {} }] }),
      "List[0].SubscribeStatusString",
      "a string or an integer",
      "an object",
    ],
    [
      "a List under a key that only ends like the XML wrapper",
      popup({ xSubscribeMsgPopupEvent: { List: { TemplateId: "T" } } }),
      "List",
      LIST,
      "nothing",
    ],
    [
      "a List under a key that only starts like the XML wrapper",
      popup({ SubscribeMsgPopupEventX: { List: { TemplateId: "T" } } }),
      "List",
      LIST,
      "nothing",
    ],
  ])("%s", (_label, input, field, expected, got) => {
    const error = parseError(input);
    expect(error.name).toBe("PushParseError");
    expect(error.field).toBe(field);
    expect(error.expected).toBe(expected);
    expect(error.message).toBe(`[message-push] malformed push: ${field} should be ${expected}, got ${got}`);
  });
});

describe("parsePush at the edges of what it accepts", () => {
  const message = (input: unknown) => parsePush(input).message as unknown as Record<string, unknown>;

  test("a message carries no key for a field the push did not have (not even one set to undefined)", () => {
    // toStrictEqual: handlers and logs that walk the keys must not find Event or BusinessId on a text.
    expect(parsePush(text)).toStrictEqual({ route: "text", message: text });
    expect(Object.keys(message(text))).toEqual([
      "ToUserName",
      "FromUserName",
      "CreateTime",
      "MsgType",
      "Content",
    ]);
  });

  test.each<[string, Record<string, unknown>, string, unknown]>([
    [
      "a null SessionFrom is absent",
      { ...base, MsgType: "event", Event: "user_enter_tempsession", SessionFrom: null },
      "SessionFrom",
      undefined,
    ],
    ["a null MsgId is absent", { ...text, MsgId: null }, "MsgId", undefined],
    ["a null BusinessId is absent", { ...text, BusinessId: null }, "BusinessId", undefined],
    ["MsgId 0 is an id", { ...text, MsgId: 0 }, "MsgId", "0"],
    ["a 128-character MsgId is an id", { ...text, MsgId: chars(128) }, "MsgId", chars(128)],
    ["CreateTime 0 is a time", { ...text, CreateTime: 0 }, "CreateTime", 0],
    ["CreateTime written as text", { ...text, CreateTime: "123456789012345" }, "CreateTime", 123456789012345],
    ["a 128-character openid", { ...text, FromUserName: chars(128) }, "FromUserName", chars(128)],
  ])("%s", (_label, input, field, value) => {
    const parsed = message(input);
    if (value === undefined) expect(Object.keys(parsed)).not.toContain(field);
    else expect(parsed[field]).toBe(value);
  });

  test("an unmodelled push keeps its Event, and its MsgId and BusinessId as strings", () => {
    expect(
      message({ ...base, MsgType: "event", Event: "express_add_path", MsgId: 9, BusinessId: 7 }),
    ).toMatchObject({
      Event: "express_add_path",
      MsgId: "9",
      BusinessId: "7",
    });
    expect(message({ ...base, MsgType: "voice", BusinessId: null })).not.toHaveProperty("BusinessId");
  });

  test("a media-check detail keeps the optional fields it has, checked, and only those", () => {
    const parsed = message({
      ...media,
      version: "-5",
      detail: [{ ...step, suggest: "risky", label: "20002", prob: 0.9 }, { ...step, prob: " 90 " }, step],
    });
    expect(parsed["version"]).toBe(-5);
    expect(parsed["detail"]).toStrictEqual([
      { ...step, suggest: "risky", label: 20002, prob: 0.9 },
      { ...step, prob: 90 },
      step,
    ]);
    expect(message({ ...media, detail: [step] })["detail"]).toStrictEqual([step]);
    expect(message({ ...media, detail: null })["detail"]).toEqual([]);
  });

  test("a subscription item keeps every documented field as a string, null ones left out", () => {
    const sent = {
      ...base,
      MsgType: "event",
      Event: "subscribe_msg_sent_event",
      List: {
        TemplateId: "T",
        SubscribeStatusString: null,
        PopupScene: "1",
        MsgID: 1700000000,
        ErrorCode: 0,
        ErrorStatus: "success",
      },
    };
    expect(message(sent)["List"]).toStrictEqual([
      { TemplateId: "T", PopupScene: "1", MsgID: "1700000000", ErrorCode: "0", ErrorStatus: "success" },
    ]);
  });
});
