// The same cloud function reached through an HTTP trigger: the BUILT index.js and the REAL wx-server-sdk,
// so replies go out as cloud calls, received by the loopback CloudBase stand-in.
import type { CloudReplay } from "../../src/local/cloud-replay";
import { startCloudReplay } from "../../src/local/cloud-replay";
import { buildPushRequest, buildVerifyRequest, DEMO_SETTINGS } from "../../src/local/push-request";
import { messageOf } from "../../src/cli/push";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";

const ENV = {
  WECHAT_TOKEN: DEMO_SETTINGS.token,
  WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
  WECHAT_APPID: DEMO_SETTINGS.appid,
};
let cloud: CloudReplay;
let saved: NodeJS.ProcessEnv;
beforeAll(async () => {
  jest.spyOn(console, "log").mockImplementation(() => {});
  jest.spyOn(console, "warn").mockImplementation(() => {});
  jest.spyOn(console, "error").mockImplementation(() => {});
  cloud = await startCloudReplay();
  saved = { ...process.env };
});
afterAll(async () => {
  await cloud.close();
  jest.restoreAllMocks();
});
afterEach(() => {
  process.env = { ...saved };
});
/** One invocation of a fresh instance (jest's module registry emptied, so the bundle reads the env anew). */
const invoke = (event: unknown) => {
  jest.resetModules();
  return cloud.run(event, undefined); // the HTTP trigger has no OPENID
};

const triggerEvent = (built: ReturnType<typeof buildPushRequest>, base64 = false) => ({
  httpMethod: built.method,
  path: "/message-push",
  headers: { "Content-Type": built.headers["content-type"] },
  queryStringParameters: built.query,
  body: base64 ? Buffer.from(built.body).toString("base64") : built.body,
  isBase64Encoded: base64,
});

test("a secure-mode XML push through the HTTP trigger is answered success and replied by cloud call", async () => {
  Object.assign(process.env, ENV);
  const message = messageOf("text", "你好", "o-trigger", "6054768590064713728") as Record<string, unknown>;
  const { returned: response, calls } = await invoke(
    triggerEvent(
      buildPushRequest({
        message,
        mode: "secure",
        format: "xml",
        settings: DEMO_SETTINGS,
      }),
      true,
    ),
  );
  expect(response).toEqual({
    statusCode: 200,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
    body: "success",
    isBase64Encoded: false,
  });
  expect(calls).toEqual([
    {
      apiName: "customerServiceMessage.send",
      payload: { touser: "o-trigger", msgtype: "text", text: { content: ACKNOWLEDGEMENT } },
    },
  ]);
});

test("URL verification through the trigger echoes echostr", async () => {
  Object.assign(process.env, ENV);
  const { returned: response } = await invoke(
    triggerEvent(buildVerifyRequest(DEMO_SETTINGS, "4375120948345356249")),
  );
  expect(response).toMatchObject({
    statusCode: 200,
    body: "4375120948345356249",
  });
});

test("a forged request gets 401 and sends nothing", async () => {
  Object.assign(process.env, ENV);
  const built = buildPushRequest({
    message: messageOf("text", "x", "o", "1") as Record<string, unknown>,
    mode: "plaintext",
    format: "json",
    settings: { token: "WRONG" },
  });
  const { returned, calls } = await invoke(triggerEvent(built));
  expect(returned).toMatchObject({ statusCode: 401 });
  expect(calls).toEqual([]);
});

test("without 消息推送 settings the trigger answers 500 and logs what is missing", async () => {
  delete process.env["WECHAT_TOKEN"];
  const built = buildVerifyRequest(DEMO_SETTINGS, "1");
  expect((await invoke(triggerEvent(built))).returned).toMatchObject({
    statusCode: 500,
    body: "not configured",
  });
});
