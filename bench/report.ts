/** Medians, number formatting and the side-by-side table. */
import type { Metric } from "./workloads";

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function formatFigure(value: number | undefined, unit: Metric["unit"]): string {
  if (value === undefined) return "—";
  if (unit === "µs") return `${value.toFixed(0)} µs`;
  if (unit === "kB") return formatKb(value);
  if (unit === "B") return `${value.toFixed(0)} B`;
  const per = unit === "op/s" ? "/s" : " msg/s";
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M${per}`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(unit === "op/s" ? 1 : 0)}k${per}`;
  return `${value.toFixed(0)}${per}`;
}

export function formatKb(kb: number | undefined): string {
  return kb === undefined ? "—" : `${(kb / 1024).toFixed(1)} MB`;
}

/** A plain-text table; first column left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
