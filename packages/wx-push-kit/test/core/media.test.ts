// Pictures to media_ids: uploaded once per picture (by digest, for 2.5 days of the media_id's 3), checked
// before any call (empty, too large, not an image, a file outside the folder), and the cache never in the way.
import path from "node:path";
import type { Media, MediaPort } from "../../src/core/media";
import {
  createMediaAccess,
  createMediaResolver,
  imageTypeOf,
  inside,
  MAX_IMAGE_BYTES,
  MEDIA_CACHE_MS,
} from "../../src/core/media";
import { silentLog } from "../../src/core/log";
import type { StateStore } from "../../src/core/state";
import { createMemoryStateStore } from "../../src/core/state";
import { BLUE_PNG, RED_PNG } from "../fixtures/stateful-bot/bot";

function recordingPort(): MediaPort & { uploads: Media[] } {
  const uploads: Media[] = [];
  return {
    uploads,
    upload: (media) => Promise.resolve(`m${uploads.push(media)}`),
    read: () => Promise.resolve(BLUE_PNG),
    fetch: (mediaId) => Promise.resolve({ data: Buffer.from(mediaId), contentType: "image/png" }),
  };
}

function resolver(state: StateStore = createMemoryStateStore()) {
  let now = 1_000_000;
  const port = recordingPort();
  const resolve = createMediaResolver({
    port,
    state,
    clock: { now: () => now, sleep: () => Promise.resolve() },
    log: silentLog,
  });
  return { port, resolve, pass: (ms: number) => void (now += ms) };
}

test("the same bytes are uploaded once; other bytes once each; a media_id passes through", async () => {
  const { port, resolve } = resolver();
  expect(await resolve({ data: RED_PNG })).toBe("m1");
  expect(await resolve({ data: Uint8Array.from(RED_PNG) })).toBe("m1");
  expect(await resolve({ file: "logo.png" })).toBe("m2");
  expect(await resolve("given-id")).toBe("given-id");
  expect(port.uploads.map((media) => media.contentType)).toEqual(["image/png", "image/png"]);
});

test("a cached media_id is used for 2.5 days, then the picture is uploaded again", async () => {
  const { port, resolve, pass } = resolver();
  await resolve({ data: RED_PNG });
  pass(MEDIA_CACHE_MS - 1);
  await resolve({ data: RED_PNG });
  pass(2);
  expect(await resolve({ data: RED_PNG })).toBe("m2");
  expect(port.uploads).toHaveLength(2);
});

test("a cache that cannot be read or written never stops the picture", async () => {
  const down: StateStore = {
    read: () => Promise.reject(new Error("down")),
    write: () => Promise.reject(new Error("down")),
  };
  const { port, resolve } = resolver(down);
  expect(await resolve({ data: RED_PNG })).toBe("m1");
  expect(await resolve({ data: RED_PNG })).toBe("m2");
  expect(port.uploads).toHaveLength(2);
});

test("empty, too large or not a picture: refused before any upload, saying why", async () => {
  const { port, resolve } = resolver();
  await expect(resolve({ data: Buffer.alloc(0) })).rejects.toThrow("the image is empty");
  const huge = Buffer.concat([RED_PNG, Buffer.alloc(MAX_IMAGE_BYTES)]);
  await expect(resolve({ data: huge })).rejects.toThrow("over the 10 MB limit");
  await expect(resolve({ data: Buffer.from("%PDF-1.7") })).rejects.toThrow("not a PNG, JPEG or GIF");
  await expect(resolve("")).rejects.toThrow("media_id must not be empty");
  expect(port.uploads).toEqual([]);
});

test("the type is read from the bytes unless given", () => {
  expect(imageTypeOf(RED_PNG)).toBe("image/png");
  expect(imageTypeOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
  expect(imageTypeOf(Buffer.from("GIF89a"))).toBe("image/gif");
  expect(imageTypeOf(Buffer.from("hello"))).toBeUndefined();
});

test("a file named by a handler stays inside its folder", () => {
  const folder = path.resolve("/srv/function");
  expect(inside(folder, "assets/logo.png")).toBe(path.join(folder, "assets", "logo.png"));
  expect(() => inside(folder, "../secrets.json")).toThrow("outside the folder");
  expect(() => inside(folder, "/etc/passwd")).toThrow("outside the folder");
});

test("an incoming picture is fetched whole, and one over 10 MB is refused", async () => {
  const access = createMediaAccess(recordingPort());
  expect(await access.fetch("abc")).toEqual({ data: Buffer.from("abc"), contentType: "image/png" });
  const huge = createMediaAccess({
    ...recordingPort(),
    fetch: () => Promise.resolve({ data: Buffer.alloc(MAX_IMAGE_BYTES + 1), contentType: "image/png" }),
  });
  await expect(huge.fetch("big")).rejects.toThrow("over 10 MB");
  await expect(access.fetch("")).rejects.toThrow("MediaId must not be empty");
});
