// Pictures a handler sends (an image, a card's thumbnail) from bytes or a file: uploaded as temporary media
// once, the media_id kept by the content's digest in the shared store for less than its 3-day life, so the
// same picture is uploaded once per instance group, not once per reply.
// Upload: customerServiceMessage.uploadTempMedia (cloud) / cgi-bin/media/upload?type=image (HTTPS); the
// media_id is valid for 3 days. Source: developers.weixin.qq.com/miniprogram/dev/server/API/kf-mgnt/kf-message/api_uploadtempmedia.html
import { createHash } from "node:crypto";
import path from "node:path";
import type { Clock } from "./clock";
import type { Log } from "./log";
import type { StateStore } from "./state";

export type ImageType = "image/png" | "image/jpeg" | "image/gif";

/**
 * A picture to send: a media_id already uploaded; bytes (their type found from them when not given); a
 * cloud storage fileID (the cloud function); or a file, relative to the function's folder (cloud) or the
 * working directory (a server).
 */
export type MediaSource =
  string | { data: Uint8Array; contentType?: ImageType } | { fileID: string } | { file: string };

/** Bytes and their type, as uploaded and as fetched. */
export interface Media {
  data: Buffer;
  contentType: string;
}

/** What a door does with media: upload (returns the media_id), read a file or a fileID, fetch by media_id. */
export interface MediaPort {
  upload(media: Media): Promise<string>;
  read(source: { fileID: string } | { file: string }): Promise<Buffer>;
  fetch(mediaId: string): Promise<Media>;
}

/** The documented limit for a temporary image (10 MB), and what the kit accepts. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** A cached media_id is reused for 2.5 days of its 3-day life: a send never names an expired one. */
export const MEDIA_CACHE_MS = 60 * 60 * 60 * 1000;

export class MediaError extends Error {
  override readonly name = "MediaError";
}

export function imageTypeOf(data: Uint8Array): ImageType | undefined {
  if (data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return "image/png";
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data[0] === 0x47 && data[1] === 0x49 && data[2] === 0x46) return "image/gif";
  return undefined;
}

export interface MediaResolverOptions {
  port: MediaPort;
  /** Where media_ids are cached by digest: the state store the instances share. */
  state: StateStore;
  clock: Clock;
  log: Log;
}

/** A media source to the media_id a send names: given, cached, or uploaded now. */
export type ResolveMedia = (source: MediaSource) => Promise<string>;

/** What a handler gets as `ctx.media`: an incoming picture's bytes, by its MediaId. */
export interface MediaAccess {
  /** The picture (bytes and type), at most 10 MB, within the push's time; rejects with what WeChat said. */
  fetch(mediaId: string): Promise<Media>;
}

/** Where a door cannot fetch media: says so when used. */
export const NO_MEDIA_ACCESS: MediaAccess = {
  fetch: () =>
    Promise.reject(new MediaError("[message-push] 这里不能获取素材 (media cannot be fetched here)")),
};

export function createMediaAccess(port: MediaPort): MediaAccess {
  return {
    async fetch(mediaId) {
      if (mediaId === "") throw new TypeError("[message-push] MediaId must not be empty");
      const media = await port.fetch(mediaId);
      if (media.data.length > MAX_IMAGE_BYTES)
        throw new MediaError(`[message-push] 素材超过 10 MB (media over 10 MB: ${media.data.length} bytes)`);
      return media;
    },
  };
}

export function createMediaResolver(options: MediaResolverOptions): ResolveMedia {
  const { port, state, clock, log } = options;
  return async (source) => {
    if (typeof source === "string") {
      if (source === "") throw new TypeError("[message-push] media_id must not be empty");
      return source;
    }
    const data = Buffer.from("data" in source ? source.data : await port.read(source));
    if (data.length === 0) throw new MediaError("[message-push] 图片为空 the image is empty");
    if (data.length > MAX_IMAGE_BYTES)
      throw new MediaError(
        `[message-push] 图片 ${data.length} 字节，超过临时素材上限 10 MB (the image is over the 10 MB limit)`,
      );
    const contentType = ("data" in source ? source.contentType : undefined) ?? imageTypeOf(data);
    if (contentType === undefined)
      throw new MediaError("[message-push] 不是 PNG/JPEG/GIF 图片 (not a PNG, JPEG or GIF image)");
    const key = `media:${createHash("sha256").update(data).digest("hex")}`;
    // The cache is a convenience: when it cannot be read or written, the picture is uploaded anyway.
    const cached = await state.read(key).catch(() => undefined);
    const entry = cached?.value as { mediaId?: unknown; at?: unknown } | undefined;
    if (
      typeof entry?.mediaId === "string" &&
      typeof entry.at === "number" &&
      clock.now() - entry.at < MEDIA_CACHE_MS
    )
      return entry.mediaId;
    const mediaId = await port.upload({ data, contentType });
    log.info("已上传临时素材 uploaded temporary media", { bytes: data.length, key: key.slice(0, 18) });
    await state
      .write(key, { mediaId, at: clock.now() }, cached?.version, MEDIA_CACHE_MS)
      .catch(() => undefined);
    return mediaId;
  };
}

/** A file named by a handler, kept inside `folder`: `../` cannot reach the rest of the machine. */
export function inside(folder: string, file: string): string {
  const resolved = path.resolve(folder, file);
  if (resolved !== folder && !resolved.startsWith(folder + path.sep))
    throw new MediaError(`[message-push] 文件不在目录内 (the file is outside the folder): ${file}`);
  return resolved;
}
