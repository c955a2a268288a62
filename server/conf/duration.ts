/**
 * Go's `time.ParseDuration` syntax, which nats-server uses for every duration string:
 * an optional sign, then one or more `<number><unit>` (`1m30s`, `1.5h`, `500ms`), units
 * ns, us (µs), ms, s, m, h; a bare `0` is also valid. Returns milliseconds, or null.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d*\.?\d*)([a-z\u00b5\u03bc]+)/y;

export function parseGoDuration(text: string): number | null {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s.startsWith("-")) sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return null;
    const [, num, unit] = m as unknown as [string, string, string];
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined || num === "" || num === ".") return null;
    total += Number(num) * perUnit;
  }
  return sign * total;
}
