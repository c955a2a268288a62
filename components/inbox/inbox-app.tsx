"use client";

/**
 * The human inbox (console.md, "Human inbox"): the mailboxes this browser owns on the left,
 * the open one on the right, live over the browser's own NATS connection.
 */
import { useEffect, useState } from "react";
import { KeyboardHelp } from "./keyboard-help";
import { MailboxView } from "./mailbox-view";
import type { Tab } from "./inbox-rows";
import { unreadTotal, useOwned } from "./owned-mailboxes";
import { Sidebar } from "./sidebar";
import { Toasts } from "./toasts";
import { useInboxSync } from "./use-inbox-sync";

const TITLE = "mq9 inbox";

function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    target.closest("input, textarea, select, [contenteditable='true']") !== null
  );
}

export function InboxApp() {
  const owned = useOwned();
  const [tab, setTab] = useState<Tab>("pending");
  const [help, setHelp] = useState(false);
  useInboxSync(owned.mailboxes, owned.selected);

  const unread = unreadTotal(owned);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ${TITLE}` : TITLE;
  }, [unread]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "?" && !typing(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        setHelp(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const current = owned.mailboxes.find((m) => m.mailId === owned.selected);

  return (
    <div className="grid gap-6 md:grid-cols-[17rem_minmax(0,1fr)]">
      <div className="md:sticky md:top-16 md:max-h-[calc(100dvh-5rem)] md:overflow-y-auto">
        <Sidebar />
      </div>
      <section aria-label="Open mailbox" className="min-w-0">
        {!owned.loaded ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading your mailboxes…</p>
        ) : current === undefined ? (
          <div className="rounded-lg border border-dashed border-zinc-300 p-8 dark:border-zinc-700">
            <h1 className="text-lg font-semibold">Your inbox for agent requests</h1>
            <p className="mt-2 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
              Agents ask you for approval by sending to a mailbox you own. Create one with{" "}
              <strong>+ New mailbox</strong>, or add one you already have with its mail_id and
              token. Then give its mail_id to your agents — or run the demo agent:{" "}
              <code className="rounded bg-zinc-100 px-1 font-mono text-xs dark:bg-zinc-800">
                npm run demo:agent -- --to &lt;mail_id&gt;
              </code>
            </p>
          </div>
        ) : (
          <MailboxView box={current} tab={tab} onTab={setTab} onHelp={() => setHelp(true)} />
        )}
      </section>
      <KeyboardHelp open={help} onClose={() => setHelp(false)} />
      <Toasts />
    </div>
  );
}
