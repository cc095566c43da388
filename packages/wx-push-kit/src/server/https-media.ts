// The developer server's media: pictures uploaded with cgi-bin/media/upload?type=image (multipart field
// `media`), incoming ones fetched with cgi-bin/media/get, files read from the server's working directory.
// Source: developers.weixin.qq.com/miniprogram/dev/server/API/kf-mgnt/kf-message/api_uploadtempmedia.html
// and …/api_gettempmedia.html
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import type { MediaPort } from "../core/media";
import { inside, MAX_IMAGE_BYTES, MediaError } from "../core/media";
import type { WechatApiOptions } from "../wechat/client";
import { callWechatApi, jsonAnswer } from "../wechat/client";
import type { TokenSource } from "../wechat/token";
import { withToken } from "./https-send";

const EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif" };

export function createHttpsMedia(
  tokens: TokenSource,
  options: Omit<WechatApiOptions, "accessToken"> & { folder?: string } = {},
): MediaPort {
  const { folder = process.cwd(), ...api } = options;
  return {
    async upload({ data, contentType }) {
      const boundary = `----wx-push-${randomBytes(12).toString("hex")}`;
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="image.${EXTENSIONS[contentType] ?? "png"}"\r\n` +
            `Content-Type: ${contentType}\r\n\r\n`,
        ),
        data,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const path = "/cgi-bin/media/upload";
      const answer = await withToken(tokens, async (accessToken) =>
        jsonAnswer<{ media_id?: unknown }>(
          path,
          await callWechatApi(
            path,
            {
              method: "POST",
              body,
              contentType: `multipart/form-data; boundary=${boundary}`,
              query: { type: "image" },
            },
            { ...api, accessToken },
          ),
        ),
      );
      if (typeof answer.media_id !== "string" || answer.media_id === "")
        throw new MediaError("[message-push] media/upload 没有返回 media_id (no media_id in the answer)");
      return answer.media_id;
    },
    async read(source) {
      if ("fileID" in source)
        throw new MediaError(
          "[message-push] 云存储 fileID 只能在云函数里读取 (a cloud storage fileID is read in the cloud function only)",
        );
      return fs.readFile(inside(folder, source.file));
    },
    async fetch(mediaId) {
      const path = "/cgi-bin/media/get";
      const answer = await withToken(tokens, async (accessToken) => {
        const raw = await callWechatApi(
          path,
          { method: "GET", query: { media_id: mediaId }, maxBytes: MAX_IMAGE_BYTES },
          { ...api, accessToken },
        );
        // An error comes back as JSON (thrown here with its errcode); the picture as itself.
        if (/json|text\/plain/i.test(raw.contentType)) {
          jsonAnswer(path, raw);
          throw new MediaError("[message-push] media/get 返回的不是图片 (the answer is not a picture)");
        }
        return raw;
      });
      return {
        data: answer.body,
        contentType: answer.contentType.split(";")[0] ?? "application/octet-stream",
      };
    },
  };
}
