import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// WXBizMsgCrypt's envelope. Source: doc/oplatform/developers/dev/push/encryption and the mini program
// message-push page. AESKey = base64(EncodingAESKey + "="), AES-256-CBC, IV = AESKey[0..16),
// PKCS#7 padding to 32-byte blocks, plaintext = random(16) ‖ uint32BE(length) ‖ message ‖ appid.

export type DecryptErrorCode =
  "bad-key" | "bad-base64" | "bad-block-size" | "bad-padding" | "bad-length" | "appid-mismatch";

/** The Encrypt field could not be opened; `code` says which check failed. Never carries key or plaintext. */
export class DecryptError extends Error {
  override readonly name = "DecryptError";
  constructor(
    readonly code: DecryptErrorCode,
    message: string,
  ) {
    super(`[message-push] cannot decrypt the push (${code}): ${message}`);
  }
}

const BLOCK = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The 32-byte AES key from the console's 43-character EncodingAESKey. */
export function decodeAesKey(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
    throw new DecryptError("bad-key", "EncodingAESKey must be 43 letters or digits");
  }
  return Buffer.from(`${encodingAESKey}=`, "base64");
}

export function decrypt(key: Buffer, appid: string, encrypted: string): string {
  if (encrypted.length % 4 !== 0 || !BASE64.test(encrypted)) {
    throw new DecryptError("bad-base64", "Encrypt is not valid base64");
  }
  const ciphertext = Buffer.from(encrypted, "base64");
  // Never empty here: the check above needs a data character and whole quartets.
  if (ciphertext.length % 16 !== 0) {
    throw new DecryptError("bad-block-size", "ciphertext is not a whole number of AES blocks");
  }
  const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  decipher.setAutoPadding(false); // node pads to 16 bytes; WeChat pads to 32
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);

  const pad = padded[padded.length - 1] ?? 0;
  if (
    pad < 1 ||
    pad > BLOCK ||
    pad > padded.length ||
    !padded.subarray(padded.length - pad).every((b) => b === pad)
  ) {
    throw new DecryptError("bad-padding", "PKCS#7 padding is invalid (wrong key?)");
  }
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < 20) throw new DecryptError("bad-length", "plaintext is shorter than its header");
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length)
    throw new DecryptError("bad-length", "declared message length exceeds the plaintext");
  const tail = plain.subarray(20 + length).toString("utf8");
  if (tail !== appid) throw new DecryptError("appid-mismatch", "the message is for another appid");
  return plain.subarray(20, 20 + length).toString("utf8");
}

/** `random` (16 bytes) is injectable so the documented vectors can be reproduced. */
export function encrypt(
  key: Buffer,
  appid: string,
  message: string,
  random: Buffer = randomBytes(16),
): string {
  if (random.length !== 16) throw new TypeError("[message-push] the random prefix must be 16 bytes");
  const body = Buffer.from(message, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, length, body, Buffer.from(appid, "utf8")]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString("base64");
}
