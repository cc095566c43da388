import type { HttpHandler } from "./handle";
import type { HttpTriggerEvent } from "./trigger-event";

export interface HttpTriggerResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** The cloud function's HTTP trigger ↔ the framework-free handler. */
export async function handleTrigger(
  event: HttpTriggerEvent,
  handle: HttpHandler,
  deadline?: number,
): Promise<HttpTriggerResponse> {
  const raw = typeof event.body === "string" ? event.body : "";
  const body = event.isBase64Encoded === true ? Buffer.from(raw, "base64").toString("utf8") : raw;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === "string") headers[name.toLowerCase()] = value;
  }
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (typeof value === "string") query[name] = value;
  }
  const response = await handle({
    method: event.httpMethod.toUpperCase(),
    query,
    headers,
    body,
    ...(deadline === undefined ? {} : { deadline }),
  });
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    isBase64Encoded: false,
  };
}
