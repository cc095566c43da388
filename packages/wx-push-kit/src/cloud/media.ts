// The cloud door's media: pictures uploaded with customerServiceMessage.uploadTempMedia, incoming ones fetched
// with getTempMedia, files read from the function's folder or from cloud storage (downloadFile).
// Source: developers.weixin.qq.com/miniprogram/dev/server/API/kf-mgnt/kf-message/api_uploadtempmedia.html
// and …/api_gettempmedia.html
import fs from "node:fs/promises";
import type { Media, MediaPort } from "../core/media";
import { inside, MediaError } from "../core/media";
import type { CloudSdk } from "./sdk";

/** `folder`: where `{ file }` sources are read from (the function's folder, beside index.js). */
export function createCloudMedia(sdk: () => CloudSdk, folder: string): MediaPort {
  return {
    async upload({ data, contentType }) {
      const answer = (await sdk().openapi.customerServiceMessage.uploadTempMedia({
        type: "image",
        media: { contentType, value: data },
      })) as { mediaId?: unknown; media_id?: unknown };
      const mediaId = answer.mediaId ?? answer.media_id;
      if (typeof mediaId !== "string" || mediaId === "")
        throw new MediaError("[message-push] uploadTempMedia 没有返回 media_id (no media_id in the answer)");
      return mediaId;
    },
    async read(source) {
      if ("fileID" in source) {
        const { fileContent } = await sdk().downloadFile({ fileID: source.fileID });
        return fileContent;
      }
      return fs.readFile(inside(folder, source.file));
    },
    async fetch(mediaId): Promise<Media> {
      const answer = (await sdk().openapi.customerServiceMessage.getTempMedia({ mediaId })) as {
        contentType?: unknown;
        buffer?: unknown;
      };
      if (!Buffer.isBuffer(answer.buffer))
        throw new MediaError("[message-push] getTempMedia 没有返回图片 (the answer holds no picture)");
      return {
        data: answer.buffer,
        contentType: typeof answer.contentType === "string" ? answer.contentType : "application/octet-stream",
      };
    },
  };
}
