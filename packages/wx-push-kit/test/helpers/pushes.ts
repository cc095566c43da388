// What many tests build: a bot of the test's own, and a text push as WeChat sends it to a developer server.
import { createRouter } from "../../src/core/router";
import type { Router } from "../../src/core/router";
import type { PushMode } from "../../src/http/config";
import type { BodyFormat } from "../../src/http/body";
import type { BuiltRequest, PushSettings } from "../../src/local/push-request";
import { buildPushRequest } from "../../src/local/push-request";

/** A test's own bot: "hand over" goes to a person, every other text gets `words`. */
export function replyingBot(words = "reply"): Router {
  return createRouter()
    .hears("hand over", ({ reply }) => reply.transfer())
    .on("text", async ({ reply }) => void (await reply.text(words)));
}

export interface TextPush {
  from?: string;
  content?: string;
  msgId?: string;
  createTime?: number;
  mode?: PushMode;
  format?: BodyFormat;
  settings?: PushSettings;
  timestamp?: string;
  /** The 16 random bytes of the sealed envelope: fixed for a ciphertext a test needs to know. */
  random?: Buffer;
}

/** A text push, signed (and sealed, in the encrypted modes) as WeChat sends it; plaintext, Token AAAAA by default. */
export function textPush(push: TextPush = {}): BuiltRequest {
  const createTime = push.createTime ?? Math.floor(Date.now() / 1000);
  return buildPushRequest({
    message: {
      ToUserName: "gh_97417a04a28d",
      FromUserName: push.from ?? "o-user",
      CreateTime: createTime,
      MsgType: "text",
      Content: push.content ?? "hi",
      MsgId: push.msgId ?? `${createTime}${Math.floor(Math.random() * 1e6)}`,
    },
    mode: push.mode ?? "plaintext",
    format: push.format ?? "json",
    settings: push.settings ?? { token: "AAAAA" },
    ...(push.timestamp === undefined ? {} : { timestamp: push.timestamp }),
    ...(push.random === undefined ? {} : { random: push.random }),
  });
}
