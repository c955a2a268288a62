"use client";

/** The "?" dialog: every key the inbox answers to. A native modal dialog (Esc closes it). */
import { ModalDialog } from "@/components/ui/dialog";

const KEYS: [string, string][] = [
  ["J / K", "next / previous message"],
  ["A", "approve the focused request"],
  ["R", "reject it (asks for a reason)"],
  ["E", "edit its arguments"],
  ["X", "select it for a batch answer"],
  ["Ctrl/⌘ + Enter", "submit the open form"],
  ["Esc", "cancel the form, or clear the selection"],
  ["?", "show these keys"],
];

export function KeyboardHelp({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <ModalDialog
      open={open}
      data-testid="keyboard-help"
      aria-labelledby="keyboard-help-title"
      onClose={onClose}
      className="w-[min(28rem,calc(100vw-2rem))] dark:border-zinc-700"
    >
      <h2 id="keyboard-help-title" className="text-base font-semibold">
        Keyboard
      </h2>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
        {KEYS.map(([k, what]) => (
          <div key={k} className="contents">
            <dt>
              <kbd className="rounded border border-zinc-300 bg-zinc-50 px-1.5 py-0.5 font-mono text-xs dark:border-zinc-600 dark:bg-zinc-800">
                {k}
              </kbd>
            </dt>
            <dd className="text-zinc-700 dark:text-zinc-300">{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog" className="mt-4 text-right">
        <button
          type="submit"
          autoFocus
          className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          Close
        </button>
      </form>
    </ModalDialog>
  );
}
