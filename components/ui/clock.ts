/**
 * One ticking clock for every live time on the page: a single interval, and only the small
 * components that show a time subscribe to it, so a list never re-renders per second.
 */
import { useSyncExternalStore } from "react";

let now = 0;
let timer: ReturnType<typeof setInterval> | null = null;
const listeners = new Set<() => void>();

function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const f of listeners) f();
    }, 1000);
  }
  return () => {
    listeners.delete(l);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

function getSnapshot(): number {
  if (timer === null) now = Date.now();
  return now;
}

/**
 * Milliseconds since the epoch, updated every second. `serverNow` is what the server
 * rendered with (0 when it showed no time), so hydration matches the server's HTML.
 */
export function useNow(serverNow = 0): number {
  return useSyncExternalStore(subscribe, getSnapshot, () => serverNow);
}
