/** How the console writes spans and moments of time, in both the inbox and the operator views. */

/** `5s`, `3m 20s`, `2h 5m`, `4d 3h`: the two largest units of a span. */
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

const timeFormat = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** A time of day for today, with the date otherwise. */
export function formatWhen(ms: number, reference = Date.now()): string {
  const sameDay = new Date(ms).toDateString() === new Date(reference).toDateString();
  return (sameDay ? timeFormat : dateTimeFormat).format(ms);
}
