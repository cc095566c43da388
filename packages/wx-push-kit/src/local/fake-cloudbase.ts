// A loopback stand-in for the CloudBase gateway that wx-server-sdk calls for `cloud.openapi.*` and
// `cloud.database()` (pointed at with TCB_CONTEXT_CNFG={"URL": "http://127.0.0.1:PORT/admin"}). It speaks
// the SDK's wire formats:
// - openapi: a multipart POST with action=wx.openApi, apiName and requestData = protobuf CommApiData,
//   answered with protobuf CommOpenApiResp (field numbers from wx-server-sdk 4.0.2's generated code);
// - database: a JSON POST per call (scripts/lib/fake-cloudbase-database.ts).
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import protobuf from "protobufjs";
import type { CloudDatabase } from "./fake-cloudbase-database";
import { createCloudDatabase } from "./fake-cloudbase-database";
import type { ModelStandIn, RecordedAnswer } from "./fake-model";
import { createModelStandIn, readRecordedAnswers } from "./fake-model";

const KeyValuePair = new protobuf.Type("KeyValuePair")
  .add(new protobuf.Field("key", 1, "string"))
  .add(new protobuf.Field("value", 2, "bytes"));
const OpenApiData = new protobuf.Type("OpenApiData").add(
  new protobuf.Field("pairs", 1, "KeyValuePair", "repeated"),
);
const CommApiData = new protobuf.Type("CommApiData")
  .add(new protobuf.Field("apiType", 1, "int32"))
  .add(new protobuf.Field("openapiData", 2, "OpenApiData"))
  .add(new protobuf.Field("appid", 6, "string"));
const CommOpenApiResp = new protobuf.Type("CommOpenApiResp")
  .add(new protobuf.Field("respData", 1, "bytes"))
  .add(new protobuf.Field("contentType", 2, "string"))
  .add(new protobuf.Field("errorCode", 3, "int32"));
new protobuf.Root().add(KeyValuePair).add(OpenApiData).add(CommApiData).add(CommOpenApiResp);

export interface OpenApiCall {
  apiName: string;
  /** The request body as WeChat would receive it: each pair's JSON value, by key. */
  payload: Record<string, unknown>;
}

/** How the stand-in answers the next openapi calls. */
export type Answer =
  | { errcode: number; errmsg?: string }
  | { malformed: true }
  | { hang: true }
  /** The platform's own refusal, e.g. -604101 for a permission missing from config.json. */
  | { errorCode: number };

export interface FakeCloudBase {
  url: string;
  /** Calls the platform would have carried out. */
  calls: OpenApiCall[];
  /** Calls refused because config.json does not grant them (answered -604101, as the platform does). */
  refused: OpenApiCall[];
  /** Answers for the next calls, in order; afterwards every call succeeds. */
  answerNext(...answers: Answer[]): void;
  /** What `cloud.database()` calls found and left. */
  database: CloudDatabase;
  /** The model endpoints beside it (an AI bot's calls, answered from recorded answers). */
  model: ModelStandIn;
  /** Set by a test: each database request (its JSON text) is answered once this settles. */
  holdDatabase: ((request: string) => Promise<void> | undefined) | undefined;
  close(): Promise<void>;
}

/** `configJson` is the function's config.json: a call it does not grant is refused as the platform does. */
export async function startFakeCloudBase(
  configJson: string,
  options: {
    collections?: readonly string[];
    /** The model's recorded answers; default: the project's test/fixtures/ai/answers.json, if any. */
    answers?: readonly RecordedAnswer[];
  } = {},
): Promise<FakeCloudBase> {
  const database = createCloudDatabase(options.collections ?? []);
  const model = createModelStandIn(options.answers ?? readRecordedAnswers());
  const calls: OpenApiCall[] = [];
  const refused: OpenApiCall[] = [];
  const queue: Answer[] = [];
  const media = new Map<string, { data: Buffer; contentType: string }>();
  const json = (body: object) => ({
    contentType: "application/json",
    respData: Buffer.from(JSON.stringify(body)),
  });
  /**
   * A call carried out: temporary media is kept (uploadTempMedia answers a media_id, getTempMedia the bytes);
   * any other call is answered ok. The recorded payload shows a file as its size and digest, not its bytes.
   */
  const success = (apiName: string, payload: Record<string, unknown>) => {
    if (apiName === "customerServiceMessage.uploadTempMedia") {
      const data = Buffer.isBuffer(payload["media"]) ? payload["media"] : Buffer.alloc(0);
      const digest = createHash("sha256").update(data).digest("hex");
      const mediaId = `local-media-${digest.slice(0, 12)}-${media.size + 1}`;
      media.set(mediaId, { data, contentType: imageTypeOf(data) });
      payload["media"] = { bytes: data.length, sha256: digest };
      payload["answered_media_id"] = mediaId;
      return json({
        errcode: 0,
        errmsg: "ok",
        type: "image",
        media_id: mediaId,
        created_at: Math.floor(Date.now() / 1000),
      });
    }
    if (apiName === "customerServiceMessage.getTempMedia") {
      const found = media.get(String(payload["media_id"])) ?? { data: SAMPLE_PNG, contentType: "image/png" };
      return { contentType: found.contentType, respData: found.data };
    }
    return json({ errcode: 0, errmsg: "ok" });
  };
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (model.serve(req, res, Buffer.concat(chunks).toString("utf8"))) return;
      if (/^application\/json/.test(req.headers["content-type"] ?? "")) {
        if (database.down) {
          database.calls.push({
            action: "(database down)",
            collection: "",
            sent: Buffer.concat(chunks).toString("utf8"),
          });
          res.writeHead(502, { "content-type": "text/html" });
          res.end("<html><body>502 Bad Gateway</body></html>");
          return;
        }
        const request = Buffer.concat(chunks).toString("utf8");
        // A test may hold a request back (e.g. until another instance's read arrives), as a slow network would.
        void Promise.resolve(stand.holdDatabase?.(request)).then(() => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(database.answer(request)));
        });
        return;
      }
      const boundary = /boundary=(.+)$/.exec(req.headers["content-type"] ?? "")?.[1];
      const fields =
        boundary === undefined ? new Map<string, Buffer>() : parseMultipart(Buffer.concat(chunks), boundary);
      const apiName = fields.get("apiName")?.toString("utf8") ?? "";
      if (fields.get("action")?.toString("utf8") !== "wx.openApi") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "INVALID_ACTION", message: "the stand-in serves wx.openApi only" }));
        return;
      }
      const request = CommApiData.decode(fields.get("requestData") ?? Buffer.alloc(0)) as unknown as {
        openapiData?: { pairs?: { key: string; value: Uint8Array }[] };
      };
      const payload: Record<string, unknown> = {};
      for (const pair of request.openapiData?.pairs ?? []) payload[pair.key] = pairValue(pair.value);
      const granted =
        (JSON.parse(fs.readFileSync(configJson, "utf8")) as { permissions?: { openapi?: string[] } })
          .permissions?.openapi ?? [];
      const allowed = granted.includes(apiName);
      (allowed ? calls : refused).push({ apiName, payload });
      const answer: Answer = allowed ? (queue.shift() ?? { errcode: 0 }) : { errorCode: -604101 };
      if ("hang" in answer) {
        hanging.add(res);
        return;
      }
      const resp =
        "errorCode" in answer
          ? { errorCode: answer.errorCode, respData: Buffer.alloc(0), contentType: "" }
          : "malformed" in answer
            ? { contentType: "application/json", respData: Buffer.from("<html>bad gateway") }
            : answer.errcode !== 0
              ? json({ errcode: answer.errcode, errmsg: answer.errmsg ?? "fail" })
              : success(apiName, payload);
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.from(CommOpenApiResp.encode(CommOpenApiResp.create(resp)).finish()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const stand: FakeCloudBase = {
    holdDatabase: undefined,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`,
    calls,
    refused,
    answerNext: (...answers) => void queue.push(...answers),
    database,
    model,
    close: () =>
      new Promise<void>((resolve) => {
        model.stop();
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stand;
}

/** A 1×1 PNG: what the stand-in hands out for an incoming image it never received. */
export const SAMPLE_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

function imageTypeOf(data: Buffer): string {
  if (data.subarray(0, 8).equals(SAMPLE_PNG.subarray(0, 8))) return "image/png";
  if (data[0] === 0xff && data[1] === 0xd8) return "image/jpeg";
  if (data.subarray(0, 3).toString("latin1") === "GIF") return "image/gif";
  return "application/octet-stream";
}

/**
 * A pair's value as the SDK sent it: JSON for ordinary fields, raw bytes for a file (uploadTempMedia's
 * `media`), kept as a Buffer rather than parsed, so a picture never crashes the stand-in.
 */
function pairValue(value: Uint8Array): unknown {
  const bytes = Buffer.from(value);
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    return bytes;
  }
}

export function parseMultipart(body: Buffer, boundary: string): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, headerEnd).toString("utf8");
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (name !== undefined) fields.set(name, part.subarray(headerEnd + 4));
    start = next;
  }
  return fields;
}
