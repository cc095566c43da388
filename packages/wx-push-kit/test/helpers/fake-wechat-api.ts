// A stand-in for api.weixin.qq.com on 127.0.0.1, started by the tests: real HTTP, the documented
// request and answer shapes, and switchable failures (errcodes, a hang, a body that is not JSON).
import { createHash } from "node:crypto";
import { parseMultipart } from "../../src/local/fake-cloudbase";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export type Fault = { errcode: number; errmsg: string } | "hang" | "not-json";

export interface FakeWechatApi {
  base: string;
  requests: RecordedRequest[];
  /** What tcb/getcallbackconfig answers; setcallbackconfig stores its function_config here. */
  callbackConfig: { function_config?: unknown; container_config?: unknown };
  /** The next `times` requests to `path` fail this way. */
  fail(path: string, fault: Fault, times?: number): void;
  /** Makes getcallbackconfig answer this instead of what was set. */
  overrideReadBack(data: unknown): void;
  /** Tokens handed out so far. */
  tokens: string[];
  /** Temporary media uploaded (media/upload), by media_id; media/get answers from here. */
  media: Map<string, { data: Buffer; contentType: string }>;
  close(): Promise<void>;
}

export async function startFakeWechatApi(
  credentials = { appid: "wx1234567890abcdef", secret: "s3cr3t-app-secret" },
  /**
   * As 云托管's 开放接口服务 (http://api.weixin.qq.com from inside a container): calls come without a token and
   * the gateway vouches for them; one carrying a token is refused, as a sign the caller thinks it is outside.
   */
  options: { openApiService?: boolean } = {},
): Promise<FakeWechatApi> {
  const faults = new Map<string, { fault: Fault; left: number }>();
  let readBack: unknown;
  const hanging = new Set<ServerResponse>();
  const api: Omit<FakeWechatApi, "base" | "close"> = {
    requests: [],
    callbackConfig: {},
    tokens: [],
    media: new Map(),
    fail: (path, fault, times = 1) => void faults.set(path, { fault, left: times }),
    overrideReadBack: (data) => void (readBack = data),
  };
  const valid = new Set<string>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = Buffer.concat(chunks);
      const text = raw.toString("utf8");
      let body: unknown = text;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        // keep the raw text: a test may want to see it
      }
      // An upload is recorded as what it carried: the picture's size and digest.
      const boundary = /boundary=(.+)$/.exec(req.headers["content-type"] ?? "")?.[1];
      const uploaded = boundary === undefined ? undefined : parseMultipart(raw, boundary).get("media");
      if (uploaded !== undefined)
        body = {
          media: { bytes: uploaded.length, sha256: createHash("sha256").update(uploaded).digest("hex") },
        };
      api.requests.push({
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
      });
      const json = (value: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const planned = faults.get(url.pathname);
      if (planned !== undefined && planned.left > 0) {
        planned.left -= 1;
        if (planned.fault === "hang") {
          hanging.add(res);
          return;
        }
        if (planned.fault === "not-json") {
          res.writeHead(200, { "content-type": "text/html" });
          res.end("<html>502 Bad Gateway</html>");
          return;
        }
        json(planned.fault);
        return;
      }
      const token = url.searchParams.get("access_token");
      if (options.openApiService === true) {
        if (token !== null) return json({ errcode: 40001, errmsg: "the open API service takes no token" });
      }
      const needsToken = url.pathname !== "/cgi-bin/stable_token" && options.openApiService !== true;
      if (needsToken && token === null) return json({ errcode: 41001, errmsg: "access_token missing" });
      if (needsToken && !valid.has(token ?? ""))
        return json({ errcode: 40001, errmsg: "invalid credential" });
      switch (url.pathname) {
        case "/cgi-bin/stable_token": {
          const { appid, secret, grant_type } = (body ?? {}) as Record<string, unknown>;
          if (grant_type !== "client_credential")
            return json({ errcode: 40002, errmsg: "invalid grant_type" });
          if (appid !== credentials.appid) return json({ errcode: 40013, errmsg: "invalid appid" });
          if (secret !== credentials.secret) return json({ errcode: 40125, errmsg: "invalid appsecret" });
          const issued = `ACCESS_TOKEN_${api.tokens.length + 1}_${"x".repeat(40)}`;
          api.tokens.push(issued);
          valid.add(issued);
          return json({ access_token: issued, expires_in: 7200 });
        }
        case "/cgi-bin/message/custom/send":
          return json({ errcode: 0, errmsg: "ok" });
        case "/cgi-bin/media/upload": {
          if (url.searchParams.get("type") !== "image" || uploaded === undefined)
            return json({ errcode: 40004, errmsg: "invalid media type" });
          const mediaId = `https-media-${api.media.size + 1}`;
          api.media.set(mediaId, { data: uploaded, contentType: "image/png" });
          return json({ type: "image", media_id: mediaId, created_at: Math.floor(Date.now() / 1000) });
        }
        case "/cgi-bin/media/get": {
          const found = api.media.get(url.searchParams.get("media_id") ?? "");
          if (found === undefined) return json({ errcode: 40007, errmsg: "invalid media_id" });
          res.writeHead(200, { "content-type": found.contentType });
          res.end(found.data);
          return;
        }
        case "/tcb/setcallbackconfig": {
          const { function_config } = (body ?? {}) as Record<string, unknown>;
          if (function_config === undefined) return json({ errcode: 40101, errmsg: "missing parameter" });
          api.callbackConfig = { ...api.callbackConfig, function_config };
          return json({ errcode: 0, errmsg: "ok" });
        }
        case "/tcb/getcallbackconfig":
          return json({
            errcode: 0,
            errmsg: "ok",
            data: readBack ?? api.callbackConfig,
          });
        default:
          res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    ...api,
    get requests() {
      return api.requests;
    },
    get callbackConfig() {
      return api.callbackConfig;
    },
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
