// Media for a server without an AppSecret (`serve --demo`, the playground): nothing can reach WeChat, so an
// upload is printed with what it would carry and answered with a local media_id; files are still read.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import type { Log } from "../core/log";
import type { MediaPort } from "../core/media";
import { inside, MediaError } from "../core/media";

export function createPrintMedia(log: Log, folder = process.cwd()): MediaPort {
  return {
    upload({ data, contentType }) {
      const sha256 = createHash("sha256").update(data).digest("hex");
      const mediaId = `local-media-${sha256.slice(0, 12)}`;
      log.info("未设置 WECHAT_APPSECRET，仅打印上传 (would upload)", {
        bytes: data.length,
        contentType,
        sha256,
        media_id: mediaId,
      });
      return Promise.resolve(mediaId);
    },
    async read(source) {
      if ("fileID" in source)
        throw new MediaError(
          "[message-push] 云存储 fileID 只能在云函数里读取 (a cloud storage fileID is read in the cloud function only)",
        );
      return fs.readFile(inside(folder, source.file));
    },
    fetch: () =>
      Promise.reject(
        new MediaError(
          "[message-push] 未设置 WECHAT_APPSECRET，无法获取素材 (no AppSecret: media cannot be fetched)",
        ),
      ),
  };
}
