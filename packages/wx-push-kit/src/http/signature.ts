import { createHash, timingSafeEqual } from "node:crypto";

/**
 * WeChat's push signature: SHA-1 (lowercase hex) of the parts sorted as strings and joined.
 * URL check and plaintext mode sign [token, timestamp, nonce]; encrypted modes add the Encrypt field
 * (msg_signature). String order matters: "1714037059" < "486452656" < "AAAAA".
 */
export function signature(...parts: string[]): string {
  return createHash("sha1")
    .update([...parts].sort().join(""))
    .digest("hex");
}

/** Constant-time comparison of a computed signature with the one in the request. */
export function verifySignature(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const expectedBytes = Buffer.from(expected, "utf8");
  const givenBytes = Buffer.from(given, "utf8");
  // Byte lengths, not string lengths: "é" is one character and two bytes, and timingSafeEqual throws on
  // buffers of different lengths. The length of a SHA-1 hex digest is public anyway.
  if (givenBytes.length !== expectedBytes.length) return false;
  // Compare bytes in constant time so response timing does not reveal how much of a forgery matched.
  return timingSafeEqual(expectedBytes, givenBytes);
}
