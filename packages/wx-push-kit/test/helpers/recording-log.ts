// A Log that keeps every line with its level and fields, so tests can assert what operators will read.
import type { Log } from "../../src/core/log";

export interface LogEntry {
  level: "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown> | undefined;
}

export interface RecordingLog extends Log {
  readonly entries: LogEntry[];
  /** The entries whose message contains `text` (the English half is enough). */
  find(text: string): LogEntry[];
}

export function createRecordingLog(): RecordingLog {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void entries.push({ level, message, fields });
  return {
    entries,
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    find: (text) => entries.filter((entry) => entry.message.includes(text)),
  };
}
