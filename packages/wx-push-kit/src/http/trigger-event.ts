/** The API-gateway-style event of a cloud function's HTTP trigger (云函数 HTTP 访问服务). */
export interface HttpTriggerEvent {
  httpMethod: string;
  path?: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/**
 * A push event is the message itself (MsgType, FromUserName…); an HTTP trigger wraps a request. Kept in
 * its own tiny module so the push path can tell them apart without loading the HTTP door.
 */
export function isHttpTriggerEvent(event: unknown): event is HttpTriggerEvent {
  if (typeof event !== "object" || event === null) return false;
  const record = event as Record<string, unknown>;
  return typeof record["httpMethod"] === "string" && !("MsgType" in record);
}
