"use client";

/** The open mailbox: its id and token (masked, copyable), type, expiry, and what to do with it. */
import { useEffect, useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { Countdown } from "./card-parts";
import { forgetMailbox, type OwnedMailbox } from "./owned-mailboxes";
import { askNotificationPermission, notificationsSupported } from "./urgent-alerts";

const SMALL_BUTTON =
  "rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium text-zinc-700 hover:bg-zinc-100 dark:border-zinc-600 dark:text-zinc-200 dark:hover:bg-zinc-800";

function NotificationsButton() {
  const [permission, setPermission] = useState<NotificationPermission | "unsupported" | null>(null);
  useEffect(() => {
    setPermission(notificationsSupported() ? Notification.permission : "unsupported");
  }, []);
  if (permission === null || permission === "unsupported") return null;
  if (permission === "granted") {
    return (
      <span className="text-xs text-zinc-600 dark:text-zinc-400">
        Notifications on for urgent requests
      </span>
    );
  }
  if (permission === "denied") {
    return (
      <span className="text-xs text-zinc-600 dark:text-zinc-400">
        Notifications blocked in this browser
      </span>
    );
  }
  return (
    <button
      type="button"
      className={SMALL_BUTTON}
      onClick={() => void askNotificationPermission().then(setPermission)}
    >
      Notify me of urgent requests
    </button>
  );
}

export function MailboxHeader({ box, onHelp }: { box: OwnedMailbox; onHelp(): void }) {
  const [reveal, setReveal] = useState(false);
  const [confirmForget, setConfirmForget] = useState(false);

  return (
    <div className="mb-4 flex flex-wrap items-start gap-x-6 gap-y-3 border-b border-zinc-200 pb-4 dark:border-zinc-800">
      <div className="min-w-0 flex-1 space-y-1">
        <h1 className="flex flex-wrap items-center gap-2 text-lg font-semibold">
          <span className="sr-only">Mailbox</span>
          <code data-testid="current-mailbox-id" className="font-mono text-base break-all">
            {box.mailId}
          </code>
          <CopyButton text={box.mailId} label="Copy mail_id" />
        </h1>
        <p className="flex flex-wrap items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
          <span>Token</span>
          <code
            data-testid="current-mailbox-token"
            data-token={box.token}
            className="font-mono text-xs break-all text-zinc-800 dark:text-zinc-200"
          >
            {reveal ? box.token : `${"•".repeat(12)}${box.token.slice(-4)}`}
          </code>
          <button
            type="button"
            className={SMALL_BUTTON}
            aria-pressed={reveal}
            onClick={() => setReveal((r) => !r)}
          >
            {reveal ? "Hide" : "Show"}
          </button>
          <CopyButton text={box.token} label="Copy token" />
        </p>
        <p className="flex flex-wrap items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          <span>{box.type} mailbox</span>
          <span aria-hidden>·</span>
          {box.expiresAt === null ? <span>never expires</span> : <Countdown at={box.expiresAt} />}
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <NotificationsButton />
        <button type="button" className={SMALL_BUTTON} onClick={onHelp}>
          Keys <kbd className="font-mono">?</kbd>
        </button>
        {confirmForget ? (
          <span className="flex items-center gap-2 text-xs">
            <span>Forget here? Without the token you cannot add it back.</span>
            <button
              type="button"
              className="rounded-md bg-red-700 px-2 py-1 font-medium text-white hover:bg-red-800"
              onClick={() => forgetMailbox(box.mailId)}
            >
              Forget
            </button>
            <button type="button" className={SMALL_BUTTON} onClick={() => setConfirmForget(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className={SMALL_BUTTON} onClick={() => setConfirmForget(true)}>
            Forget mailbox
          </button>
        )}
      </div>
    </div>
  );
}
