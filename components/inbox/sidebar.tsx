"use client";

/** The mailboxes this browser owns, with unread badges; creating and adding; the responder. */
import { useId, useState } from "react";
import { AddMailboxForm, NewMailboxForm } from "./mailbox-forms";
import { selectMailbox, setResponder, useOwned } from "./owned-mailboxes";
import { useNow } from "@/components/ui/clock";
import { formatSpan } from "@/components/ui/time";

const TOGGLE =
  "flex-1 rounded-md border px-2 py-1.5 text-sm font-medium aria-expanded:border-sky-600 aria-expanded:bg-sky-50 aria-expanded:text-sky-900 dark:aria-expanded:bg-sky-950 dark:aria-expanded:text-sky-100 border-zinc-300 hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800";

function shortId(id: string): string {
  return id.length > 22 ? `${id.slice(0, 12)}…${id.slice(-6)}` : id;
}

export function Sidebar() {
  const owned = useOwned();
  const [form, setForm] = useState<"none" | "new" | "add">("none");
  const nameId = useId();
  const now = useNow();

  return (
    <aside aria-label="Your mailboxes" className="flex flex-col gap-3">
      <div className="flex gap-2">
        <button
          type="button"
          data-testid="new-mailbox"
          aria-expanded={form === "new"}
          onClick={() => setForm((f) => (f === "new" ? "none" : "new"))}
          className={TOGGLE}
        >
          + New mailbox
        </button>
        <button
          type="button"
          data-testid="add-mailbox"
          aria-expanded={form === "add"}
          onClick={() => setForm((f) => (f === "add" ? "none" : "add"))}
          className={TOGGLE}
        >
          Add existing
        </button>
      </div>
      {form === "new" && <NewMailboxForm onDone={() => setForm("none")} />}
      {form === "add" && <AddMailboxForm onDone={() => setForm("none")} />}

      <h2 className="mt-1 text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        Mailboxes
      </h2>
      {owned.loaded && owned.mailboxes.length === 0 && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          None yet. Create one, or add one you own with its mail_id and token.
        </p>
      )}
      <ul className="flex flex-col gap-1">
        {owned.mailboxes.map((m) => {
          const unread = owned.unseen[m.mailId]?.length ?? 0;
          const active = owned.selected === m.mailId;
          const gone = m.expiresAt !== null && now !== 0 && m.expiresAt <= now;
          return (
            <li key={m.mailId}>
              <button
                type="button"
                data-testid="mailbox-item"
                data-mail-id={m.mailId}
                aria-current={active ? "true" : undefined}
                aria-label={`${m.mailId}${unread > 0 ? `, ${unread} unread` : ""}${gone ? ", expired" : ""}`}
                onClick={() => selectMailbox(m.mailId)}
                className={`flex w-full items-center gap-2 rounded-md px-2 py-2 text-left text-sm ${
                  active
                    ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
                    : "hover:bg-zinc-200/70 dark:hover:bg-zinc-800"
                } ${gone ? "opacity-60" : ""}`}
              >
                <span className="min-w-0 flex-1">
                  <span className="block truncate font-mono text-xs" title={m.mailId}>
                    {shortId(m.mailId)}
                  </span>
                  <span
                    className={`block text-[11px] ${active ? "text-zinc-300 dark:text-zinc-600" : "text-zinc-600 dark:text-zinc-400"}`}
                  >
                    {m.type}
                    {gone
                      ? " · expired"
                      : m.expiresAt !== null && now !== 0
                        ? ` · expires in ${formatSpan(m.expiresAt - now)}`
                        : ""}
                  </span>
                </span>
                {unread > 0 && (
                  <span
                    data-testid="mailbox-unread"
                    aria-hidden
                    className="min-w-6 rounded-full bg-red-600 px-1.5 py-0.5 text-center text-xs font-semibold text-white tabular-nums"
                  >
                    {unread > 999 ? "999+" : unread}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>

      <div className="mt-auto border-t border-zinc-200 pt-3 dark:border-zinc-800">
        <label
          htmlFor={nameId}
          className="block text-xs font-medium text-zinc-700 dark:text-zinc-300"
        >
          Your name (signs your answers)
        </label>
        <input
          id={nameId}
          data-testid="responder-name"
          value={owned.responder}
          onChange={(e) => setResponder(e.target.value)}
          maxLength={200}
          className="mt-1 w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-600 dark:bg-zinc-900"
        />
      </div>
    </aside>
  );
}
