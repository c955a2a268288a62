"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/** False during the server render and hydration, true after: for browser-only formatting. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * The current time, ticking every `everyMs`; starts at `initial` (the server's clock at
 * render) so the first client render matches the server's HTML.
 */
export function useNow(initial: number, everyMs = 1000): number {
  const [now, setNow] = useState(initial);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `2025-01-31 14:05:09` in the browser's zone; UTC (with a Z) before hydration. */
function formatTime(ms: number, local: boolean): string {
  const d = new Date(ms);
  if (!local) return `${d.toISOString().slice(0, 19).replace("T", " ")}Z`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** An absolute time; the full ISO form in the tooltip and the datetime attribute. */
export function Time({ ms, className }: { ms: number; className?: string }) {
  const hydrated = useHydrated();
  const iso = new Date(ms).toISOString();
  return (
    <time dateTime={iso} title={iso} className={`tabular-nums ${className ?? ""}`}>
      {formatTime(ms, hydrated)}
    </time>
  );
}

/** `5s`, `3m 20s`, `2h 5m`, `4d 3h`: the larger two units of a span. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** `in 5m 3s` / `4s ago` relative to `now`. */
export function relative(ms: number, now: number): string {
  return ms >= now ? `in ${formatSpan(ms - now)}` : `${formatSpan(now - ms)} ago`;
}
