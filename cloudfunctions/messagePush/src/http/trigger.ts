import type { HttpDeps } from "./handle";
import { handleHttp } from "./handle";
import type { HttpTriggerEvent } from "./trigger-event";

export interface HttpTriggerResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** The cloud function's HTTP trigger ↔ the framework-free handler. */
export function createTriggerHandler(
  deps: HttpDeps,
): (event: HttpTriggerEvent) => Promise<HttpTriggerResponse> {
  return async (event) => {
    const raw = event.body ?? "";
    const body = event.isBase64Encoded === true ? Buffer.from(raw, "base64").toString("utf8") : raw;
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
    const response = await handleHttp(
      {
        method: event.httpMethod.toUpperCase(),
        query: event.queryStringParameters ?? {},
        headers,
        body,
      },
      deps,
    );
    return {
      statusCode: response.status,
      headers: response.headers,
      body: response.body,
      isBase64Encoded: false,
    };
  };
}
