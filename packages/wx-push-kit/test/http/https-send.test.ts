// Self-hosted replies through cgi-bin/message/custom/send, against the fake WeChat API on loopback.
import { classifyFailure } from "../../src/core/send-errors";
import { createHttpsSend } from "../../src/server/https-send";
import { WechatApiError, WechatTransportError } from "../../src/wechat/client";
import { createTokenSource } from "../../src/wechat/token";
import type { FakeWechatApi } from "../helpers/fake-wechat-api";
import { startFakeWechatApi } from "../helpers/fake-wechat-api";

const credentials = {
  appid: "wx1234567890abcdef",
  secret: "s3cr3t-app-secret",
};
const payload = {
  touser: "o-user",
  msgtype: "text" as const,
  text: { content: "收到" },
};

let api: FakeWechatApi;
beforeEach(async () => (api = await startFakeWechatApi(credentials)));
afterEach(() => api.close());

const sendVia = (timeoutMs = 2000) =>
  createHttpsSend(createTokenSource({ ...credentials, base: api.base, timeoutMs }), {
    base: api.base,
    timeoutMs,
  });

test("sends the documented body with a stable_token, fetched once and reused", async () => {
  const send = sendVia();
  await send(payload);
  await send(payload);
  expect(api.requests.map((r) => r.path)).toEqual([
    "/cgi-bin/stable_token",
    "/cgi-bin/message/custom/send",
    "/cgi-bin/message/custom/send",
  ]);
  expect(api.requests[0]?.body).toEqual({
    grant_type: "client_credential",
    ...credentials,
    force_refresh: false,
  });
  expect(api.requests[1]).toEqual({
    path: "/cgi-bin/message/custom/send",
    query: { access_token: api.tokens[0] },
    body: payload,
  });
});

test("a revoked token (40001) is replaced and the send retried once", async () => {
  const send = sendVia();
  await send(payload);
  api.fail("/cgi-bin/message/custom/send", {
    errcode: 40001,
    errmsg: "invalid credential",
  });
  await send(payload);
  expect(api.tokens).toHaveLength(2);
  expect(api.requests.at(-1)?.query["access_token"]).toBe(api.tokens[1]);
});

test("system busy (-1) is not retried by the HTTPS sender: the pipeline's send retry is the one owner", async () => {
  api.fail("/cgi-bin/message/custom/send", {
    errcode: -1,
    errmsg: "system error",
  });
  const failure = await sendVia()(payload).catch((error: unknown) => error);
  expect(failure).toMatchObject({ errcode: -1 });
  expect(classifyFailure(failure)).toBe("transient");
  expect(api.requests.filter((r) => r.path === "/cgi-bin/message/custom/send")).toHaveLength(1);
});

test("45015 surfaces as a permanent WechatApiError", async () => {
  api.fail("/cgi-bin/message/custom/send", {
    errcode: 45015,
    errmsg: "response out of time limit",
  });
  const failure = await sendVia()(payload).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(WechatApiError);
  expect(classifyFailure(failure)).toBe("permanent");
});

test("a hung API times out as a transient failure, and the token never appears in the message", async () => {
  const send = sendVia(200);
  await send(payload);
  api.fail("/cgi-bin/message/custom/send", "hang", 2);
  const failure = await send(payload).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(WechatTransportError);
  expect((failure as WechatTransportError).code).toBe("timeout");
  expect(classifyFailure(failure)).toBe("transient");
  expect(String((failure as Error).message)).not.toContain(api.tokens[0]);
});

test("an answer that is not JSON is a named error", async () => {
  api.fail("/cgi-bin/stable_token", "not-json");
  const failure = await sendVia()(payload).catch((error: unknown) => error);
  expect(failure).toMatchObject({
    name: "WechatTransportError",
    code: "bad-json",
  });
});
