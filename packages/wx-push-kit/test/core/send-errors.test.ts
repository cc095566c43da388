// The one errcode table every sender and CLI reads: which failures are retried, which may already have
// reached the user, and what the log says about them.
import {
  classifyFailure,
  describeFailure,
  errcodeOf,
  isTokenRejected,
  mayHaveBeenDelivered,
} from "../../src/core/send-errors";

const withCode = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

describe("errcodeOf reads both spellings and nothing else", () => {
  test.each([
    ["wx-server-sdk's errCode", { errCode: 45015 }, 45015],
    ["the HTTPS client's errcode", { errcode: -1 }, -1],
    ["errcode wins over errCode", { errcode: 40003, errCode: 45015 }, 40003],
    ["a numeric string is not an errcode", { errcode: "45015" }, undefined],
    ["no field", { message: "x" }, undefined],
  ])("%s", (_name, error, expected) => {
    expect(errcodeOf(error)).toBe(expected);
  });

  test.each([null, undefined, "errcode 45015", 45015, Symbol("e")])(
    "a non-object (%p) has none, and does not throw",
    (value) => {
      expect(errcodeOf(value)).toBeUndefined();
      expect(classifyFailure(value)).toBe("permanent");
      expect(mayHaveBeenDelivered(value)).toBe(false);
      expect(isTokenRejected(value)).toBe(false);
      expect(describeFailure(value)).toBe("no errcode");
    },
  );
});

describe("classifyFailure", () => {
  test.each([
    ["system busy", { errcode: -1 }, "transient"],
    ["cloud call timed out", { errCode: -604102 }, "transient"],
    ["token expired", { errcode: 42001 }, "transient"],
    ["minute quota", { errcode: 45011 }, "transient"],
    ["48-hour window", { errCode: 45015 }, "permanent"],
    ["daily quota (resets at midnight)", { errcode: 45009 }, "permanent"],
    ["config.json grants no cloud call", { errCode: -604101 }, "permanent"],
    ["an unknown errcode", { errcode: 12345 }, "permanent"],
    ["a reset connection", withCode("socket hang up", { code: "ECONNRESET" }), "transient"],
    ["a refused connection", { code: "ECONNREFUSED" }, "transient"],
    ["an unknown error code string", { code: "EWHATEVER" }, "permanent"],
    ["a numeric code is not a network code", { code: 104 }, "permanent"],
    // WeChat answered, so the reset is not in doubt: the errcode alone decides (as in mayHaveBeenDelivered).
    ["an unknown errcode with a network code", { errcode: 12345, code: "ECONNRESET" }, "permanent"],
    ["a busy errcode with a network code", { errcode: -1, code: "ECONNRESET" }, "transient"],
  ])("%s is %s", (_name, error, expected) => {
    expect(classifyFailure(error)).toBe(expected);
  });

  test.each(["timeout", "Timeout of 3000ms exceeded", "request timed out", "time out", "TIMED OUT"])(
    "an Error without errcode whose message says %p is transient",
    (message) => {
      expect(classifyFailure(new Error(message))).toBe("transient");
    },
  );

  test("a message that merely mentions time is a bug, not a timeout", () => {
    expect(classifyFailure(new Error("response out of time limit"))).toBe("permanent");
    // The message is only read from real Errors: a plain object saying so is not a timeout.
    expect(classifyFailure({ message: "timeout" })).toBe("permanent");
  });

  test("WeChat answered with a permanent errcode: a timeout-sounding message does not make it transient", () => {
    const error = withCode("openapi.customerServiceMessage.send:fail timeout while the user was away", {
      errCode: 45015,
      code: "ETIMEDOUT",
    });
    expect(classifyFailure(error)).toBe("permanent");
  });
});

describe("mayHaveBeenDelivered", () => {
  test.each([
    ["the platform's own cloud-call timeout", { errCode: -604102 }, true],
    ["WeChat answered busy (not delivered)", { errcode: -1 }, false],
    ["WeChat answered even if the socket then said timeout", { errcode: -1, code: "ETIMEDOUT" }, false],
    ["a reset after the request went out", { code: "ECONNRESET" }, true],
    ["a broken pipe", { code: "EPIPE" }, true],
    ["a connection that never opened", { code: "ECONNREFUSED" }, false],
    ["a DNS failure", { code: "ENOTFOUND" }, false],
    [
      "a string code wins over a timeout-sounding message",
      withCode("timed out", { code: "ECONNREFUSED" }),
      false,
    ],
    ["an Error that timed out", new Error("Timed out after 3000 ms"), true],
    ["an Error that says timeout", new Error("timeout of 3000ms exceeded"), true],
    ["an Error that says time out", new Error("request time out"), true],
    ["a plain handler bug", new Error("Cannot read properties of undefined"), false],
    ["a plain object saying timeout", { message: "timeout" }, false],
  ])("%s → %p", (_name, error, expected) => {
    expect(mayHaveBeenDelivered(error)).toBe(expected);
  });
});

test("isTokenRejected is exactly the three token errcodes", () => {
  expect([40001, 40014, 42001, 41001, -1, 45015].map((errcode) => isTokenRejected({ errcode }))).toEqual([
    true,
    true,
    true,
    false,
    false,
    false,
  ]);
  expect(isTokenRejected({ code: "40001" })).toBe(false);
});

describe("describeFailure: a short reason for the log", () => {
  test.each([
    [{ errCode: 45015 }, "errcode 45015: outside the 48-hour reply window, or the user unsubscribed"],
    [{ errcode: -1 }, "errcode -1: system busy"],
    [{ errcode: 40001 }, "errcode 40001: access token invalid (refreshed on the next attempt)"],
    [{ errcode: 12345 }, "errcode 12345"],
    [new Error("secret payload text"), "no errcode"],
  ])("%p → %p", (error, expected) => {
    expect(describeFailure(error)).toBe(expected);
  });
});
