// No padding oracle: an authenticated Encrypt that fails to open (bad padding, bad declared length, another
// appid, a decrypted body that is not a push) gets one answer, byte for byte, over real HTTP. A different
// answer per check would let anyone holding the Token decrypt and forge pushes block by block (CBC-R)
// without the EncodingAESKey. The reason stays in the (tallied) log.
import { createCipheriv } from "node:crypto";
import { loadHttpConfig } from "../../src/http/config";
import { createRouter } from "../../src/core/router";
import { signature } from "../../src/http/signature";
import { decodeAesKey, encrypt } from "../../src/http/wx-crypto";
import { DEMO_SETTINGS } from "../../src/local/push-request";
import { createRecordingLog } from "../helpers/recording-log";
import { close, listen } from "../helpers/http-client";
import { createTestServer } from "../helpers/push-server";

const KEY = decodeAesKey(DEMO_SETTINGS.encodingAESKey);

/** AES-256-CBC of exactly these bytes (already padded), as WeChat seals: IV = key[0..16). */
function sealRaw(plain: Buffer, key = KEY): string {
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
}

/** random16 ‖ length ‖ message ‖ appid, padded to 32 with PKCS#7: `declared` may lie about the length. */
function envelope(message: string, appid: string, declared = Buffer.byteLength(message)): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(declared, 0);
  const plain = Buffer.concat([Buffer.alloc(16, 7), length, Buffer.from(message), Buffer.from(appid)]);
  const pad = 32 - (plain.length % 32);
  return Buffer.concat([plain, Buffer.alloc(pad, pad)]);
}

const PUSH = JSON.stringify({
  ToUserName: "gh_x",
  FromUserName: "o-oracle",
  CreateTime: 1714112445,
  MsgType: "text",
  Content: "hi",
  MsgId: "1",
});

const SEALED: [string, string, string][] = [
  [
    "bad padding (another key)",
    encrypt(decodeAesKey("B".repeat(43)), DEMO_SETTINGS.appid, PUSH),
    "bad-padding",
  ],
  [
    "a pad byte over 32",
    sealRaw(Buffer.concat([envelope(PUSH, DEMO_SETTINGS.appid).subarray(0, -1), Buffer.from([33])])),
    "bad-padding",
  ],
  [
    "a declared length beyond the plaintext",
    sealRaw(envelope(PUSH, DEMO_SETTINGS.appid, 10_000)),
    "bad-length",
  ],
  ["another appid", encrypt(KEY, "wx0000000000000000", PUSH), "appid-mismatch"],
  [
    "a decrypted body that is neither JSON nor XML",
    encrypt(KEY, DEMO_SETTINGS.appid, "hello"),
    "body-not-json-or-xml",
  ],
];

test("every way an authenticated Encrypt fails to open gets the same answer, byte for byte", async () => {
  const log = createRecordingLog();
  const server = createTestServer({
    router: createRouter().on("text", async ({ reply }) => void (await reply.text("reply"))),
    config: loadHttpConfig({
      WECHAT_TOKEN: DEMO_SETTINGS.token,
      WECHAT_ENCODING_AES_KEY: DEMO_SETTINGS.encodingAESKey,
      WECHAT_APPID: DEMO_SETTINGS.appid,
    }),
    send: () => Promise.reject(new Error("nothing may be sent")),
    log,
  });
  const base = await listen(server);
  try {
    const answers = [];
    for (const [, sealed] of SEALED) {
      const [timestamp, nonce] = ["1714112445", "415670741"];
      const query = new URLSearchParams({
        signature: signature(DEMO_SETTINGS.token, timestamp, nonce),
        timestamp,
        nonce,
        encrypt_type: "aes",
        msg_signature: signature(DEMO_SETTINGS.token, timestamp, nonce, sealed),
      });
      const response = await fetch(`${base}/?${query.toString()}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ToUserName: "gh_x", Encrypt: sealed }),
      });
      const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== "date"));
      answers.push({ status: response.status, headers, body: await response.text() });
    }
    expect(answers[0]).toMatchObject({ status: 400, body: "bad request" });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    // Each reason is told to the operator, in the log only.
    const reasons = log.entries.map((entry) => entry.fields?.["code"] ?? entry.message);
    for (const [, , code] of SEALED.filter(([, , code]) => code !== "appid-mismatch"))
      expect(reasons).toContain(code);
    expect(log.find("appid mismatch")).toHaveLength(1);
  } finally {
    await close(server);
  }
});
