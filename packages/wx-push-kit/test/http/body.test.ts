import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { BodyError, decodeBody, detectFormat } from "../../src/http/body";
import { ConfigError, loadHttpConfig } from "../../src/http/config";

describe("decodeBody", () => {
  test("keeps a 64-bit MsgId exact in JSON", () => {
    expect(decodeBody('{"MsgId":6054768590064713728,"CreateTime":1714037059}', "json")).toEqual({
      MsgId: "6054768590064713728",
      CreateTime: 1714037059,
    });
  });

  test("reads XML as text, CDATA and whitespace kept", () => {
    const xml =
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName>\n<CreateTime>1714037059</CreateTime><Content><![CDATA[ a\nb ]]></Content></xml>";
    expect(decodeBody(xml, "xml")).toEqual({
      ToUserName: "gh_1",
      CreateTime: "1714037059",
      Content: " a\nb ",
    });
  });

  test("the format is the body's first non-blank character, never a header", () => {
    expect(detectFormat("  <xml></xml>")).toBe("xml");
    expect(detectFormat("\ufeff\r\n {}")).toBe("json");
    expect(detectFormat("")).toBeUndefined();
    expect(detectFormat("  success")).toBeUndefined();
    expect(detectFormat("[1]")).toBeUndefined();
  });

  test("random bodies only ever fail with a BodyError", () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.string().map((text) => `<xml>${text}</xml>`),
      fc
        .array(
          fc.constantFrom(
            "<xml>",
            "</xml>",
            "<a>",
            "</a>",
            "<![CDATA[",
            "]]>",
            "<!DOCTYPE",
            "&amp;",
            "{",
            '"k":',
            "1e999",
            "}",
            "\u0000",
          ),
        )
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(
        fc.oneof(bodies, fc.constant('{"k":1e999}')),
        fc.constantFrom("json" as const, "xml" as const),
        fc.boolean(),
        (body, format, checked) => {
          let record: Record<string, unknown> | undefined;
          try {
            record = decodeBody(body, format, checked);
          } catch (error) {
            expect(error).toBeInstanceOf(BodyError);
          }
          // What is accepted is checked too, against an independent judge of the same format.
          if (format === "json") {
            let plain: unknown;
            try {
              // json-bigint, like wx-server-sdk's parser, reads every control character as white space;
              // the judge is told the same, so only real disagreements count.
              // eslint-disable-next-line no-control-regex -- matching control characters is the point
              plain = JSON.parse(body.replace(/[\u0000-\u001f]/g, " "));
            } catch {
              plain = undefined;
            }
            // A number JSON.parse reads as Infinity (1e999) is one json-bigint refuses ("Bad number"): no push
            // carries one, so the judge refuses it too. Such a body was once a random counterexample.
            const finite = (value: unknown): boolean =>
              typeof value === "number"
                ? Number.isFinite(value)
                : typeof value === "object" && value !== null
                  ? Object.values(value).every(finite)
                  : true;
            if (!finite(plain)) plain = undefined;
            const isObject = typeof plain === "object" && plain !== null && !Array.isArray(plain);
            if (record !== undefined) expect(isObject).toBe(true);
            const risky = /__proto__|constructor/.test(body);
            if (isObject && !risky) expect(record).toBeDefined();
          } else if (record !== undefined) {
            expect(body).not.toMatch(/<!DOCTYPE|<!ENTITY/i);
            if (checked) expect(XMLValidator.validate(body)).toBe(true);
            expect(typeof record).toBe("object");
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("loadHttpConfig", () => {
  test("a wrong-length EncodingAESKey says how long it is, never what it is", () => {
    const key = "k".repeat(42);
    try {
      loadHttpConfig({
        WECHAT_TOKEN: "AAAAA",
        WECHAT_ENCODING_AES_KEY: key,
        WECHAT_APPID: "wxba5fad812f8e6fb9",
      });
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain("当前是 42 个字符");
      expect((error as Error).message).not.toContain(key);
    }
  });

  test("lists every problem at once, without echoing secrets", () => {
    try {
      loadHttpConfig({
        WECHAT_TOKEN: "a",
        WECHAT_ENCODING_AES_KEY: "secret-but-short",
        WECHAT_PUSH_MODE: "fast",
        PUSH_BUDGET_MS: "9000",
      });
      throw new Error("expected a ConfigError");
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      expect(error.problems).toHaveLength(5);
      expect(error.message).not.toContain("secret-but-short");
      expect(error.message).toContain("WECHAT_TOKEN");
      expect(error.message).toContain("WECHAT_APPID");
    }
  });

  test("accepts plaintext-only settings and defaults the budget", () => {
    expect(loadHttpConfig({ WECHAT_TOKEN: "AAAAA" })).toEqual({
      token: "AAAAA",
      budgetMs: 4000,
    });
  });
});
