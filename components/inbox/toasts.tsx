"use client";

/**
 * In-page toasts: what the inbox says when something arrives while the human is looking
 * (a browser notification is for when they are not) or when an action needs a word.
 */
import { useSyncExternalStore } from "react";

export type ToastTone = "info" | "urgent" | "error";

interface Toast {
  id: number;
  text: string;
  tone: ToastTone;
}

const SHOW_MS = 6000;
const MAX = 4;
let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(next: readonly Toast[]): void {
  toasts = next;
  for (const l of listeners) l();
}

export function showToast(text: string, tone: ToastTone = "info"): void {
  const toast = { id: nextId++, text, tone };
  emit([...toasts, toast].slice(-MAX));
  setTimeout(() => dismiss(toast.id), SHOW_MS);
}

function dismiss(id: number): void {
  if (toasts.some((t) => t.id === id)) emit(toasts.filter((t) => t.id !== id));
}

const EMPTY: readonly Toast[] = [];

function useToasts(): readonly Toast[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
    () => EMPTY,
  );
}

const TONE: Record<ToastTone, string> = {
  info: "border-zinc-300 bg-white text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100",
  urgent:
    "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
  error:
    "border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100",
};

export function Toasts() {
  const list = useToasts();
  return (
    <div
      role="status"
      aria-live="polite"
      className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2"
    >
      {list.map((t) => (
        <div
          key={t.id}
          data-testid="toast"
          data-tone={t.tone}
          className={`pointer-events-auto flex items-start gap-3 rounded-lg border px-3 py-2 text-sm shadow-lg ${TONE[t.tone]}`}
        >
          <p className="flex-1 break-words">{t.text}</p>
          <button
            type="button"
            onClick={() => dismiss(t.id)}
            aria-label="Dismiss"
            className="-mr-1 rounded px-1 text-base leading-none opacity-70 hover:opacity-100"
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
