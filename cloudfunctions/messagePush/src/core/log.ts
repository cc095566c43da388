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
}

/**
 * One line per entry; cloud function logs keep console output as is. Every line is redacted: configured
 * secrets and any access_token=… are replaced, so an error text that quotes one never reaches the log.
 */
export function createConsoleLog(options: ConsoleLogOptions = {}): Log {
  const { prefix = "[messagePush]" } = options;
  const redact = createRedactor(options.secrets ?? []);
  const line = (message: string, fields?: Record<string, unknown>) =>
    redact(fields === undefined ? `${prefix} ${message}` : `${prefix} ${message} ${safeJson(fields)}`);
  return {
    info: (message, fields) => console.log(line(message, fields)),
    warn: (message, fields) => console.warn(line(message, fields)),
    error: (message, fields) => console.error(line(message, fields)),
  };
}

const ACCESS_TOKEN = /(access_token["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi;

export function createRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  // Short values would redact ordinary words; WeChat's Token is 3-32 characters, keys and secrets longer.
  const values = [
    ...new Set(
      secrets
        .filter((secret): secret is string => secret !== undefined && secret.length >= 3)
        .flatMap((secret) => [secret, encodeURIComponent(secret)]),
    ),
  ].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(ACCESS_TOKEN, "$1[redacted]");
    for (const value of values) out = out.split(value).join("[redacted]");
    return out;
  };
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields);
  } catch {
    return "(fields not serialisable)";
  }
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
