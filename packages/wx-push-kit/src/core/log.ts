/** The logging port. Fields are small and never carry secrets or message bodies. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ConsoleLogOptions {
  prefix?: string;
  /** Values never to print (Token, EncodingAESKey, AppSecret…): replaced wherever they appear. */
  secrets?: readonly (string | undefined)[];
  /** A redactor shared with whoever learns secrets at run time (fetched access tokens); else one of `secrets`. */
  redactor?: Redactor;
}

/**
 * One line per entry; cloud function logs keep console output as is. Every line is redacted: configured
 * secrets and any access_token=… are replaced, so an error text that quotes one never reaches the log.
 */
export function createConsoleLog(options: ConsoleLogOptions = {}): Log {
  const { prefix = "[messagePush]" } = options;
  const redact = options.redactor ?? createRedactor(options.secrets ?? []);
  const line = (message: string, fields?: Record<string, unknown>) =>
    redact(fields === undefined ? `${prefix} ${message}` : `${prefix} ${message} ${safeJson(fields)}`);
  return {
    info: (message, fields) => console.log(line(message, fields)),
    warn: (message, fields) => console.warn(line(message, fields)),
    error: (message, fields) => console.error(line(message, fields)),
  };
}

/** Replaces every secret it knows in a text; the one redactor of every log line and CLI output. */
export interface Redactor {
  (text: string): string;
  /** A secret learnt at run time, e.g. an access_token just fetched (a third party may echo it back). */
  add: (secret: string | undefined) => void;
}

const ACCESS_TOKEN = /(access_token["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi;

export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  let values: string[] = [];
  const redact = ((text: string) => {
    let out = text.replace(ACCESS_TOKEN, "$1[redacted]");
    for (const value of values) out = out.split(value).join("[redacted]");
    return out;
  }) as Redactor;
  redact.add = (secret) => {
    // Short values would redact ordinary words; WeChat's Token is 3-32 characters, keys and secrets longer.
    if (secret === undefined || secret.length < 3) return;
    // As written, in a URL, and inside a JSON string (quotes, backslashes, "\/" and \uXXXX escapes).
    const json = JSON.stringify(secret).slice(1, -1);
    const forms = [
      secret,
      encodeURIComponent(secret),
      json,
      json.replace(/\//g, "\\/"),
      unicodeEscaped(secret),
    ];
    // Longest first, so a secret that contains another is replaced whole.
    values = [...new Set([...values, ...forms])].sort((a, b) => b.length - a.length);
  };
  for (const secret of secrets) redact.add(secret);
  return redact;
}

/** Every character as \uXXXX: how some JSON encoders (and WeChat's errmsg, seen) echo a value. */
function unicodeEscaped(text: string): string {
  return text
    .split("")
    .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .join("");
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields);
  } catch {
    return "(fields not serialisable)";
  }
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
