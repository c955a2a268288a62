/**
 * Number formatting for the console. A fixed locale keeps the server's first render and the
 * browser's hydration identical.
 */
const LOCALE = "en-US";

const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(LOCALE, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

export function formatCount(n: number): string {
  return integer.format(n);
}

/** Rates below 10/s keep one decimal so a trickle does not read as zero. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return "—";
  if (perSecond > 0 && perSecond < 10) return oneDecimal.format(perSecond);
  return integer.format(perSecond);
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

export function formatBytes(n: number | null): string {
  if (n === null) return "—";
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || value >= 100 ? integer.format(value) : oneDecimal.format(value);
  return `${text} ${UNITS[unit]}`;
}

export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
