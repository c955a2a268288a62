"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/** False during the server render and hydration, true after: for browser-only formatting. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
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
