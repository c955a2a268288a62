/**
 * One line per event on stderr, in nats-server's layout so the same eyes and greps work on
 * both: `[pid] 2026/11/22 00:00:00.000000 [INF] message` (local time, microseconds).
 * Events and ids only — callers must never pass message payloads in here.
 */
import { performance } from "node:perf_hooks";
import type { LogFields, Logger as BrokerLogger } from "./nats/mod";

export type LogLevel = "DBG" | "INF" | "WRN" | "ERR";

/** Also what the broker takes as its `log` option. */
export interface Logger extends BrokerLogger {
  readonly debugEnabled: boolean;
}

export interface LoggerOptions {
  pid?: number;
  debug?: boolean;
  /** Where finished lines go (with their newline); stderr by default. */
  write?: (line: string) => void;
  /** Wall clock in milliseconds with a fractional part; defaults to a microsecond clock. */
  now?: () => number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `epochMs` may carry fractions of a millisecond; they become the microsecond digits. */
export function formatTimestamp(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const d = new Date(whole);
  const micros = Math.floor((epochMs - whole) * 1000) + (whole % 1000) * 1000;
  return (
    `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`
  );
}

/** ` key=value` pairs after the message; values with spaces or quotes are JSON-quoted. */
export function formatFields(fields: LogFields | undefined): string {
  if (!fields) return "";
  let out = "";
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    out += ` ${key}=${text === "" || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return out;
}

/** Line breaks inside a message would break "one line per event"; they are escaped. */
export function formatLogLine(
  pid: number,
  epochMs: number,
  level: LogLevel,
  message: string,
  fields?: LogFields,
): string {
  const text = (message + formatFields(fields)).replace(/\r?\n/g, "\\n");
  return `[${pid}] ${formatTimestamp(epochMs)} [${level}] ${text}\n`;
}

/** A short, single-line description of anything thrown: name, message and where. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const where = err.stack
    ?.split("\n")
    .slice(1)
    .find((l) => l.trim().startsWith("at "))
    ?.trim();
  const code = (err as NodeJS.ErrnoException).code;
  return `${err.name}${code ? ` ${code}` : ""}: ${err.message}${where ? ` (${where})` : ""}`;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pid = opts.pid ?? process.pid;
  const debugEnabled = opts.debug ?? false;
  const write = opts.write ?? ((line: string) => void process.stderr.write(line));
  const now = opts.now ?? (() => performance.timeOrigin + performance.now());
  const emit = (level: LogLevel, message: string, fields?: LogFields) =>
    write(formatLogLine(pid, now(), level, message, fields));
  return {
    debugEnabled,
    debug: (m, f) => {
      if (debugEnabled) emit("DBG", m, f);
    },
    info: (m, f) => emit("INF", m, f),
    warn: (m, f) => emit("WRN", m, f),
    error: (m, f) => emit("ERR", m, f),
  };
}

/** The process-wide logger; MQ9_DEBUG=1 turns on DBG lines. */
export const log: Logger = createLogger({
  debug: process.env.MQ9_DEBUG === "1" || process.env.MQ9_DEBUG === "true",
});
