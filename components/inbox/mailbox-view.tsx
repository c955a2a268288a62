"use client";

/** One mailbox: header, the Pending / Answered / Expired / All tabs, and the list. */
import { useRef, type KeyboardEvent } from "react";
import { CopyButton } from "@/components/copy-button";
import { ItemList } from "./item-list";
import { useRows, TABS, type Tab } from "./inbox-rows";
import { MailboxHeader } from "./mailbox-header";
import { useMailboxSnapshot, type BoxSnapshot } from "./message-store";
import { forgetMailbox, type OwnedMailbox } from "./owned-mailboxes";

const TAB_LABEL: Record<Tab, string> = {
  pending: "Pending",
  answered: "Answered",
  expired: "Expired",
  all: "All",
};

const EMPTY_TAB: Record<Tab, string> = {
  pending: "Nothing waits for you here. Answered requests are under Answered.",
  answered: "No request of this mailbox has been answered yet.",
  expired: "No request expired unanswered.",
  all: "",
};

function TryIt({ mailId }: { mailId: string }) {
  const command = `npm run demo:agent -- --to ${mailId}`;
  return (
    <div className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700">
      <p className="font-medium">No messages yet.</p>
      <p className="mt-1 text-zinc-600 dark:text-zinc-400">
        Agents send to this mailbox by its mail_id. To see the whole loop, start the demo agent in a
        terminal next to the broker: it asks you for approval here and acts on your answer.
      </p>
      <div className="mt-3 flex items-center gap-2">
        <code
          data-testid="demo-command"
          className="min-w-0 flex-1 overflow-x-auto rounded bg-zinc-100 px-2 py-1.5 font-mono text-xs whitespace-nowrap dark:bg-zinc-800"
        >
          {command}
        </code>
        <CopyButton text={command} label="Copy the demo command" />
      </div>
    </div>
  );
}

function Status({ snap, box }: { snap: BoxSnapshot; box: OwnedMailbox }) {
  if (snap.history === "gone") {
    return (
      <div
        role="status"
        className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950"
      >
        <p className="font-medium">This mailbox has expired or was deleted.</p>
        <p className="mt-1">
          Its messages are gone from the broker. Remove it from your list, or create a new one.
        </p>
        <button
          type="button"
          onClick={() => forgetMailbox(box.mailId)}
          className="mt-3 rounded-md bg-amber-800 px-3 py-1.5 font-medium text-white hover:bg-amber-900"
        >
          Remove from my list
        </button>
      </div>
    );
  }
  if (snap.history === "error") {
    return (
      <div
        role="alert"
        className="mb-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950"
      >
        Could not read the stored messages: {snap.historyError}{" "}
        <button type="button" className="underline" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
  return null;
}

export function MailboxView({
  box,
  tab,
  onTab,
  onHelp,
}: {
  box: OwnedMailbox;
  tab: Tab;
  onTab(t: Tab): void;
  onHelp(): void;
}) {
  const snap = useMailboxSnapshot(box.mailId);
  const { rows, counts } = useRows(snap.items, snap.answers, tab, `${box.mailId}:${tab}`);
  const tabRefs = useRef(new Map<Tab, HTMLButtonElement>());
  const loading = snap.history === "loading" || snap.history === "idle";

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next =
      e.key === "ArrowRight"
        ? TABS[(i + 1) % TABS.length]
        : e.key === "ArrowLeft"
          ? TABS[(i + TABS.length - 1) % TABS.length]
          : undefined;
    if (next === undefined) return;
    e.preventDefault();
    onTab(next);
    tabRefs.current.get(next)?.focus();
  };

  return (
    <div>
      <MailboxHeader box={box} onHelp={onHelp} />
      <div
        role="tablist"
        aria-label="Show"
        className="mb-4 flex flex-wrap gap-1 border-b border-zinc-200 dark:border-zinc-800"
        onKeyDown={onTabKey}
      >
        {TABS.map((t) => (
          <button
            key={t}
            ref={(el) => {
              if (el === null) tabRefs.current.delete(t);
              else tabRefs.current.set(t, el);
            }}
            type="button"
            role="tab"
            id={`tab-${t}`}
            data-testid={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls="inbox-tabpanel"
            tabIndex={tab === t ? 0 : -1}
            onClick={() => onTab(t)}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
              tab === t
                ? "border-sky-700 text-zinc-950 dark:border-sky-400 dark:text-zinc-50"
                : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
            }`}
          >
            {TAB_LABEL[t]}{" "}
            <span
              className={`ml-1 rounded-full px-1.5 text-xs tabular-nums ${t === "pending" && counts.pending > 0 ? "bg-red-600 text-white" : "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"}`}
            >
              {counts[t].toLocaleString("en-US")}
            </span>
          </button>
        ))}
      </div>
      <div role="tabpanel" id="inbox-tabpanel" aria-labelledby={`tab-${tab}`} aria-busy={loading}>
        <Status snap={snap} box={box} />
        {snap.history !== "gone" &&
          (rows.length > 0 ? (
            <ItemList key={`${box.mailId}:${tab}`} rows={rows} />
          ) : snap.items.length === 0 ? (
            loading ? (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading messages…</p>
            ) : (
              <TryIt mailId={box.mailId} />
            )
          ) : (
            <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
              {EMPTY_TAB[tab]}
            </p>
          ))}
      </div>
    </div>
  );
}
