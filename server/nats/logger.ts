/** What the NATS layer needs of a logger: events and ids, never payloads. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  /** `[TRC]`: protocol traffic (trace.ts), never payloads. */
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export const SILENT_LOGGER: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
