// Server-sent events as the model endpoints send them: `data:` lines, an empty line ending each event.
// Spec: html.spec.whatwg.org/multipage/server-sent-events.html (only `data` matters here).

/** Each event's data (its `data:` lines joined by newlines), as the bytes arrive. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffered.split(/\r\n|\r|\n/);
      buffered = done ? "" : (lines.pop() ?? "");
      for (const line of lines) {
        if (line === "") {
          if (data.length > 0) yield data.join("\n");
          data = [];
        } else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (done) {
        if (data.length > 0) yield data.join("\n");
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
