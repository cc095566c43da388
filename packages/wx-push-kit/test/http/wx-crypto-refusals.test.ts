// The AES envelope's refusals, each by its code and its full message (operators read the message in logs),
// on hand-built envelopes that sit exactly on each boundary of the padding and length checks.
import { createCipheriv } from "node:crypto";
import { decodeAesKey, decrypt, DecryptError, encrypt } from "../../src/http/wx-crypto";
import { thrown } from "../helpers/thrown";

const KEY = decodeAesKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
const APPID = "wxb11529c136998cb6";

/** AES-256-CBC over bytes already padded by hand (a whole number of 16-byte blocks), as base64. */
function seal(padded: Buffer): string {
  const cipher = createCipheriv("aes-256-cbc", KEY, KEY.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString("base64");
}

/** random(16) ‖ uint32BE(length) ‖ message ‖ appid, unpadded. */
function plaintext(message: string, appid: string): Buffer {
  const body = Buffer.from(message, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([Buffer.alloc(16, 7), length, body, Buffer.from(appid, "utf8")]);
}

const refusal = (run: () => unknown): DecryptError => thrown(DecryptError, run);

// 16 + 4 + "hello!!" + an 18-character appid = 45 bytes: a pad of 3 fills three blocks.
const HELLO = plaintext("hello!!", APPID);

test.each<[string, () => unknown, string, string]>([
  [
    "a 44-character EncodingAESKey",
    () => decodeAesKey("A".repeat(44)),
    "bad-key",
    "EncodingAESKey must be 43 letters or digits",
  ],
  [
    "a 43-character key with a leading symbol",
    () => decodeAesKey(`-${"A".repeat(43)}`),
    "bad-key",
    "EncodingAESKey must be 43 letters or digits",
  ],
  [
    "a 43-character key with a trailing symbol",
    () => decodeAesKey(`${"A".repeat(43)}-`),
    "bad-key",
    "EncodingAESKey must be 43 letters or digits",
  ],
  ["not base64", () => decrypt(KEY, APPID, "!!!!"), "bad-base64", "Encrypt is not valid base64"],
  [
    "a partial AES block",
    () => decrypt(KEY, APPID, Buffer.alloc(40).toString("base64")),
    "bad-block-size",
    "ciphertext is not a whole number of AES blocks",
  ],
  [
    "a pad byte above the 32-byte block (40 × 40)",
    () => decrypt(KEY, APPID, seal(Buffer.concat([Buffer.alloc(24), Buffer.alloc(40, 40)]))),
    "bad-padding",
    "PKCS#7 padding is invalid (wrong key?)",
  ],
  [
    "a pad longer than the whole message (16 × 17)",
    () => decrypt(KEY, APPID, seal(Buffer.alloc(16, 17))),
    "bad-padding",
    "PKCS#7 padding is invalid (wrong key?)",
  ],
  [
    "a pad whose last byte is right but the others are not (… 0 0 3)",
    () => decrypt(KEY, APPID, seal(Buffer.concat([HELLO, Buffer.from([0, 0, 3])]))),
    "bad-padding",
    "PKCS#7 padding is invalid (wrong key?)",
  ],
  [
    "a block that is all padding (16 × 16): no header left",
    () => decrypt(KEY, APPID, seal(Buffer.alloc(16, 16))),
    "bad-length",
    "plaintext is shorter than its header",
  ],
  [
    "a header claiming 4096 bytes",
    () => {
      const plain = Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 16, 0]), Buffer.from("hi")]);
      return decrypt(KEY, APPID, seal(Buffer.concat([plain, Buffer.alloc(10, 10)])));
    },
    "bad-length",
    "declared message length exceeds the plaintext",
  ],
  [
    "exactly a header, an empty message and no appid (20 bytes)",
    () => decrypt(KEY, APPID, seal(Buffer.concat([plaintext("", ""), Buffer.alloc(12, 12)]))),
    "appid-mismatch",
    "the message is for another appid",
  ],
])("refuses %s, saying which check failed", (_label, run, code, message) => {
  const error = refusal(run);
  expect(error.code).toBe(code);
  expect(error.name).toBe("DecryptError");
  expect(error.message).toBe(`[message-push] cannot decrypt the push (${code}): ${message}`);
});

test("the hand-built envelopes above are sound: the same bytes, correctly padded, open", () => {
  expect(decrypt(KEY, APPID, seal(Buffer.concat([HELLO, Buffer.alloc(3, 3)])))).toBe("hello!!");
  // A header, an empty message and an empty appid is the shortest plaintext there is.
  expect(decrypt(KEY, "", seal(Buffer.concat([plaintext("", ""), Buffer.alloc(12, 12)])))).toBe("");
});

test.each([0, 15, 17])("encrypt refuses a %i-byte random prefix", (size) => {
  const run = () => encrypt(KEY, APPID, "x", Buffer.alloc(size));
  expect(run).toThrow(TypeError);
  expect(run).toThrow("[message-push] the random prefix must be 16 bytes");
});
