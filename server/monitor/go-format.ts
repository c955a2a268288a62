/**
 * nats-server's monitoring output is Go's encoding: times as RFC 3339 with trimmed
 * nanoseconds, durations either as integer nanoseconds (time.Duration fields) or as
 * Duration.String() text, uptimes in monitor.go's own "1d2h3m4s" form, JSON indented by
 * two spaces with <, > and & escaped, query values parsed by strconv. These helpers
 * reproduce that so tools written against nats-server read our answers unchanged.
 */

const MS_PER_NS = 1e6;

/** A time.Time as encoding/json writes it (UTC, fraction without trailing zeros). */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  const dot = iso.indexOf(".");
  const frac = iso.slice(dot + 1, -1).replace(/0+$/, "");
  return `${iso.slice(0, dot)}${frac === "" ? "" : `.${frac}`}Z`;
}

/** Milliseconds as a time.Duration field encodes: integer nanoseconds. */
export function goNanos(ms: number): number {
  return Math.round(ms * MS_PER_NS);
}

/** monitor.go myUptime: whole seconds, with days and years spelled out. */
export function goUptime(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const mins = Math.floor(secs / 60);
  const hrs = Math.floor(mins / 60);
  const days = Math.floor(hrs / 24);
  const yrs = Math.floor(days / 365);
  const s = secs % 60;
  const m = mins % 60;
  const h = hrs % 24;
  if (yrs > 0) return `${yrs}y${days % 365}d${h}h${m}m${s}s`;
  if (days > 0) return `${days}d${h}h${m}m${s}s`;
  if (hrs > 0) return `${hrs}h${m}m${s}s`;
  if (mins > 0) return `${mins}m${s}s`;
  return `${s}s`;
}

/** `whole.fraction` of `n / 10^digits`, the fraction without trailing zeros. */
function decimal(n: number, digits: number): string {
  const scale = 10 ** digits;
  const whole = Math.floor(n / scale);
  const frac = String(n % scale)
    .padStart(digits, "0")
    .replace(/0+$/, "");
  return frac === "" ? String(whole) : `${whole}.${frac}`;
}

/** time.Duration.String() of a whole number of nanoseconds ("0s", "666µs", "1h0m2.5s"). */
export function goDuration(ns: number): string {
  let n = Math.max(0, Math.round(ns));
  if (n === 0) return "0s";
  if (n < 1_000) return `${n}ns`;
  if (n < 1_000_000) return `${decimal(n, 3)}µs`;
  if (n < 1_000_000_000) return `${decimal(n, 6)}ms`;
  const h = Math.floor(n / 3_600_000_000_000);
  n -= h * 3_600_000_000_000;
  const m = Math.floor(n / 60_000_000_000);
  n -= m * 60_000_000_000;
  const head = h > 0 ? `${h}h${m}m` : m > 0 ? `${m}m` : "";
  return `${head}${decimal(n, 9)}s`;
}

const HTML_UNSAFE: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * JSON as nats-server sends it: json.MarshalIndent(v, "", "  ") for most endpoints,
 * json.Marshal for /healthz. Go escapes these characters inside strings; they can only
 * occur inside strings, so replacing them throughout is safe.
 */
export function goJson(value: unknown, indent = true): string {
  const text = JSON.stringify(value, null, indent ? 2 : undefined);
  return text.replace(/[<>&\u2028\u2029]/g, (c) => HTML_UNSAFE[c] ?? c);
}

/** A query parameter nats-server could not decode; answered with 400 and this text. */
export class QueryError extends Error {}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** monitor.go decodeBool: absent or empty is false; otherwise strconv.ParseBool. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const text = q.get(name) ?? "";
  if (text === "" || FALSE.has(text)) return false;
  if (TRUE.has(text)) return true;
  throw new QueryError(
    `Error decoding boolean for '${name}': strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`,
  );
}

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** monitor.go decodeInt: absent or empty is 0; otherwise strconv.Atoi. */
export function queryInt(q: URLSearchParams, name: string): number {
  const text = q.get(name) ?? "";
  if (text === "") return 0;
  const fail = (why: string) =>
    new QueryError(
      `Error decoding int for '${name}': strconv.Atoi: parsing ${JSON.stringify(text)}: ${why}`,
    );
  if (!/^[+-]?[0-9]+$/.test(text)) throw fail("invalid syntax");
  const v = BigInt(text);
  if (v > INT64_MAX || v < -INT64_MAX - 1n) throw fail("value out of range");
  return Number(v);
}

/** monitor.go decodeUint64: absent or empty is 0; otherwise strconv.ParseUint. */
export function queryUint(q: URLSearchParams, name: string): number {
  const text = q.get(name) ?? "";
  if (text === "") return 0;
  const fail = (why: string) =>
    new QueryError(
      `Error decoding uint64 for '${name}': strconv.ParseUint: parsing ${JSON.stringify(text)}: ${why}`,
    );
  if (!/^[0-9]+$/.test(text)) throw fail("invalid syntax");
  if (BigInt(text) > UINT64_MAX) throw fail("value out of range");
  return Number(text);
}
