/** The logging port. Fields are small and never carry secrets or message bodies. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One line per entry; cloud function logs keep console output as is. */
export function createConsoleLog(prefix = "[messagePush]"): Log {
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields === undefined ? `${prefix} ${message}` : `${prefix} ${message} ${JSON.stringify(fields)}`;
  return {
    info: (message, fields) => console.log(line(message, fields)),
    warn: (message, fields) => console.warn(line(message, fields)),
    error: (message, fields) => console.error(line(message, fields)),
  };
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
