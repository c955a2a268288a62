/**
 * Typed readers for config values: each returns the value in our units or throws BadValue
 * with the option's dotted name, what was expected and what was written.
 */
import { splitHostPort } from "../nats/host-port";
import { parseGoDuration } from "./duration";
import type { ConfEntry, ConfMap, ConfPosition, ConfValue } from "./parse";

export function describeValue(v: ConfValue): string {
  switch (v.kind) {
    case "string":
      return `the string ${JSON.stringify(v.value)}`;
    case "integer":
      return `the integer ${v.raw}`;
    case "float":
      return `the number ${v.value}`;
    case "boolean":
      return `the boolean ${v.value}`;
    case "datetime":
      return "a date";
    case "array":
      return "an array";
    case "map":
      return "a map";
  }
}

/** Thrown by the typed readers below; caught per option so one bad value does not hide others. */
export class BadValue extends Error {
  constructor(
    readonly pos: ConfPosition,
    message: string,
  ) {
    super(message);
  }
}

export interface Field {
  /** Dotted path for messages, e.g. `authorization.users[1].password`. */
  name: string;
  value: ConfValue;
  /** Key position for map entries (as nats-server reports), value position otherwise. */
  pos: ConfPosition;
}

export function field(e: ConfEntry, parent?: string): Field {
  return { name: parent ? `${parent}.${e.key}` : e.key, value: e.value, pos: e.pos };
}

export function bad(f: Field, expected: string): never {
  throw new BadValue(f.value.pos, `${f.name}: expected ${expected}, got ${describeValue(f.value)}`);
}

export function asString(f: Field): string {
  return f.value.kind === "string" ? f.value.value : bad(f, "a string");
}

export function asBoolean(f: Field): boolean {
  return f.value.kind === "boolean" ? f.value.value : bad(f, "true or false");
}

export function asInteger(f: Field, min: number, max: number, expected = "an integer"): number {
  if (f.value.kind !== "integer") bad(f, expected);
  const n = f.value.value;
  if (n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new BadValue(f.value.pos, `${f.name}: ${f.value.raw} is out of range (${range})`);
  }
  return n;
}

/** Bytes: an integer, with nats-server's size suffixes (`64KB`, `1MB`). */
export function asSize(f: Field, max = Number.MAX_SAFE_INTEGER): number {
  return asInteger(f, 0, max, "a size (e.g. 1048576, 1MB, 64KB)");
}

export function durationString(f: Field, s: string): number {
  const ms = parseGoDuration(s);
  if (ms === null) {
    throw new BadValue(
      f.value.pos,
      `${f.name}: invalid duration ${JSON.stringify(s)} (e.g. "2s", "1m30s", "500ms")`,
    );
  }
  if (ms < 0) throw new BadValue(f.value.pos, `${f.name}: a duration cannot be negative`);
  return ms;
}

/** A duration string, or a number of seconds. Milliseconds. */
export function asDuration(f: Field, allowFloat: boolean): number {
  const v = f.value;
  if (v.kind === "string") return durationString(f, v.value);
  if (v.kind === "integer" || (allowFloat && v.kind === "float")) {
    if (v.value < 0) throw new BadValue(v.pos, `${f.name}: a duration cannot be negative`);
    return v.value * 1000;
  }
  return bad(f, 'a duration (e.g. "2s") or a number of seconds');
}

/** mq9 counts in whole seconds: an integer, or a duration string that is whole seconds. */
export function asSeconds(f: Field): number {
  const v = f.value;
  if (v.kind === "integer") return asInteger(f, 0, Number.MAX_SAFE_INTEGER, "seconds");
  if (v.kind !== "string") bad(f, 'a number of seconds or a duration (e.g. "1h")');
  const ms = durationString(f, v.value);
  if (ms % 1000 !== 0) throw new BadValue(v.pos, `${f.name}: must be a whole number of seconds`);
  return ms / 1000;
}

export function asMap(f: Field): ConfMap {
  return f.value.kind === "map" ? f.value : bad(f, "a map { … }");
}

/** One string or an array of strings (nats-server parseStringArray). */
export function asStrings(f: Field): string[] {
  const v = f.value;
  if (v.kind === "string") return [v.value];
  if (v.kind !== "array") bad(f, "a string or an array of strings");
  return v.items.map((item, i) =>
    asString({ name: `${f.name}[${i}]`, value: item, pos: item.pos }),
  );
}

/**
 * `port` or `"host:port"` (Go net.SplitHostPort: IPv6 in brackets). The port is as written:
 * nats-server reads 0 as "off" for monitoring and WebSocket, -1 as "any free port".
 */
export function asListen(f: Field): { host?: string; port: number } {
  const v = f.value;
  if (v.kind === "integer") return { port: asInteger(f, -1, 65535, "a port number") };
  if (v.kind !== "string") bad(f, 'a port or "host:port"');
  const hp = splitHostPort(v.value);
  if (!hp)
    throw new BadValue(v.pos, `${f.name}: could not parse address ${JSON.stringify(v.value)}`);
  if (hp.port < -1 || hp.port > 65535) {
    throw new BadValue(v.pos, `${f.name}: port ${hp.port} is out of range (-1 to 65535)`);
  }
  return hp;
}

/** A port as written to ours: -1 (any free port) becomes 0; 0 (off) becomes null. */
export function enabledPort(raw: number): number | null {
  if (raw === 0) return null;
  return raw === -1 ? 0 : raw;
}

/** A permission subject; `subject queue` is allowed too (queue-qualified subscribe allow). */
