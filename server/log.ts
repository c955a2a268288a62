/**
 * One line per event, in nats-server's layout so the same eyes and greps work on both:
 * `[pid] 2026/11/22 00:00:00.000000 [INF] message` (local time, microseconds), or
 * `[pid] [INF] message` with logtime off. Lines go to stderr, or to a file with `-l`.
 * Events and ids only — callers must never pass message payloads in here.
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import type { LogFields, Logger as BrokerLogger } from "./nats/mod";

export type LogLevel = "TRC" | "DBG" | "INF" | "WRN" | "ERR";

/** Also what the broker takes as its `log` option. */
export interface Logger extends BrokerLogger {
  readonly debugEnabled: boolean;
  readonly traceEnabled: boolean;
  /** nats-server's `[TRC]` level (-V): protocol traffic, never payloads. */
  trace(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  pid?: number;
  debug?: boolean;
  trace?: boolean;
  /** Timestamps on each line (nats-server `logtime`, default true). */
  logtime?: boolean;
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

/**
 * Line breaks inside a message would break "one line per event"; they are escaped.
 * `epochMs` null = no timestamp (logtime off).
 */
export function formatLogLine(
  pid: number,
  epochMs: number | null,
  level: LogLevel,
  message: string,
  fields?: LogFields,
): string {
  const text = (message + formatFields(fields)).replace(/\r?\n/g, "\\n");
  const time = epochMs === null ? "" : `${formatTimestamp(epochMs)} `;
  return `[${pid}] ${time}[${level}] ${text}\n`;
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

const toStderr = (line: string) => void process.stderr.write(line);
const microClock = () => performance.timeOrigin + performance.now();

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pid = opts.pid ?? process.pid;
  const debugEnabled = opts.debug ?? false;
  const traceEnabled = opts.trace ?? false;
  const logtime = opts.logtime ?? true;
  const write = opts.write ?? toStderr;
  const now = opts.now ?? microClock;
  const emit = (level: LogLevel, message: string, fields?: LogFields) =>
    write(formatLogLine(pid, logtime ? now() : null, level, message, fields));
  return {
    debugEnabled,
    traceEnabled,
    trace: (m, f) => {
      if (traceEnabled) emit("TRC", m, f);
    },
    debug: (m, f) => {
      if (debugEnabled) emit("DBG", m, f);
    },
    info: (m, f) => emit("INF", m, f),
    warn: (m, f) => emit("WRN", m, f),
    error: (m, f) => emit("ERR", m, f),
  };
}

/** The settings `-D`, `-V`, `-T` and `-l` (or the config file) give the process logger. */
export interface LogSettings {
  debug: boolean;
  trace: boolean;
  logtime: boolean;
  /** null = stderr. */
  file: string | null;
}

/** The process-wide logger, set up once the configuration is known (and again on reload). */
export interface ProcessLogger extends Logger {
  /**
   * Applies new settings. A log file is opened for appending, as nats-server does; throws
   * if it cannot be opened, leaving the previous settings in place.
   */
  configure(settings: LogSettings): void;
  /** Closes the log file, if any; later lines go to stderr. */
  close(): void;
}

export function createProcessLogger(initial: Partial<LogSettings> = {}): ProcessLogger {
  let settings: LogSettings = { debug: false, trace: false, logtime: true, ...initial, file: null };
  let inner = createLogger(settings);
  let fd: number | null = null;
  const closeFile = () => {
    if (fd !== null) fs.closeSync(fd);
    fd = null;
  };
  return {
    get debugEnabled() {
      return inner.debugEnabled;
    },
    get traceEnabled() {
      return inner.traceEnabled;
    },
    trace: (m, f) => inner.trace(m, f),
    debug: (m, f) => inner.debug(m, f),
    info: (m, f) => inner.info(m, f),
    warn: (m, f) => inner.warn(m, f),
    error: (m, f) => inner.error(m, f),
    configure(s) {
      if (s.file !== settings.file) {
        const next = s.file === null ? null : fs.openSync(s.file, "a", 0o640);
        closeFile();
        fd = next;
      }
      settings = { ...s };
      const target = fd;
      // Synchronous appends: a line logged just before exit must still reach the file.
      const write = target === null ? toStderr : (line: string) => void fs.writeSync(target, line);
      inner = createLogger({ ...settings, write });
    },
    close() {
      closeFile();
      settings = { ...settings, file: null };
      inner = createLogger(settings);
    },
  };
}

const envFlag = (v: string | undefined) => v === "1" || v === "true";

/** MQ9_DEBUG=1 turns on DBG lines even before (and regardless of) -D. */
export const MQ9_DEBUG = envFlag(process.env.MQ9_DEBUG);

/** The process-wide logger: stderr until loadConfig() applies the configured settings. */
export const log: ProcessLogger = createProcessLogger({ debug: MQ9_DEBUG });
