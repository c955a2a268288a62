"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { MessageDetail, MessagePage, MessageSummary } from "@/server/console/data/messages";
import { formatBytes, formatCount } from "../format";
import { BodyViews } from "./body-views";
import { EmptyState } from "./empty-state";
import { PriorityBadge } from "./priority-badge";
import { Time } from "./time";
import { buttonClass, cardClass, tdClass, thClass } from "./ui";

type Cursor = { after: string } | { before: string } | null;

function cursorParams(c: Cursor): URLSearchParams {
  const p = new URLSearchParams();
  if (c !== null && "after" in c) p.set("after", c.after);
  if (c !== null && "before" in c) p.set("before", c.before);
  return p;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store" });
  const body = (await res.json()) as T | { error: string };
  if (!res.ok || (typeof body === "object" && body !== null && "error" in body)) {
    throw new Error((body as { error?: string }).error ?? `HTTP ${res.status}`);
  }
  return body as T;
}

function Detail({ msg }: { msg: MessageDetail }) {
  return (
    <section
      aria-labelledby="message-detail-heading"
      data-testid="message-detail"
      data-msg-id={msg.msgId}
      className={`${cardClass} flex flex-col gap-4 p-4`}
    >
      <h2 id="message-detail-heading" className="text-base font-semibold">
        Message <span className="font-mono">{msg.msgId}</span>
      </h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
        <dt className="text-zinc-600 dark:text-zinc-400">Priority</dt>
        <dd>
          <PriorityBadge priority={msg.priority} />
        </dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Stored</dt>
        <dd>
          <Time ms={msg.time} />
        </dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Expires</dt>
        <dd>{msg.expiresAt === null ? "with the mailbox" : <Time ms={msg.expiresAt} />}</dd>
        <dt className="text-zinc-600 dark:text-zinc-400">State</dt>
        <dd>{msg.unread ? "unread — not yet handed to an owner" : "read"}</dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Size</dt>
        <dd className="tabular-nums">{formatBytes(msg.size)}</dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Subject</dt>
        <dd className="font-mono text-xs break-all">{msg.subject}</dd>
        <dt className="text-zinc-600 dark:text-zinc-400">Reply to</dt>
        <dd className="font-mono text-xs break-all">{msg.reply ?? "—"}</dd>
      </dl>
      <BodyViews body={msg} />
    </section>
  );
}

function Row({
  m,
  selected,
  onSelect,
}: {
  m: MessageSummary;
  selected: boolean;
  onSelect: (id: number) => void;
}) {
  return (
    <tr
      data-testid="message-row"
      data-msg-id={m.msgId}
      data-unread={m.unread ? "true" : "false"}
      aria-current={selected ? "true" : undefined}
      onClick={() => onSelect(m.msgId)}
      className={`cursor-pointer border-t border-zinc-200 dark:border-zinc-800 ${
        selected ? "bg-sky-50 dark:bg-sky-950/40" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
      }`}
    >
      <td className={tdClass}>
        <button
          type="button"
          data-row-button
          onClick={(e) => {
            e.stopPropagation();
            onSelect(m.msgId);
          }}
          aria-label={`Message ${m.msgId}, ${m.priority}${m.unread ? ", unread" : ""}`}
          className="rounded font-mono text-xs font-medium text-sky-700 hover:underline dark:text-sky-400"
        >
          {m.msgId}
        </button>
      </td>
      <td className={tdClass}>
        <PriorityBadge priority={m.priority} />
      </td>
      <td className={`${tdClass} whitespace-nowrap`}>
        <Time ms={m.time} />
      </td>
      <td className={`${tdClass} text-right whitespace-nowrap tabular-nums`}>
        {formatBytes(m.size)}
      </td>
      <td className={tdClass}>
        {m.unread ? (
          <span className="inline-flex items-center gap-1.5 font-medium">
            <span aria-hidden="true" className="size-2 rounded-full bg-sky-600" />
            unread
          </span>
        ) : (
          <span className="text-zinc-600 dark:text-zinc-400">read</span>
        )}
      </td>
      <td className={`${tdClass} max-w-0 w-full`}>
        <span className="block truncate font-mono text-xs text-zinc-700 dark:text-zinc-300">
          {m.binary ? (
            <span className="italic">binary</span>
          ) : (
            m.preview || <span className="italic">empty</span>
          )}
        </span>
      </td>
    </tr>
  );
}

/**
 * A mailbox's messages in mq9 order, a page at a time, and the selected one in full. All
 * reads go to the store through /api/ops: inspecting never marks anything read.
 */
export function MessageBrowser({
  mailId,
  initialPage,
  initialCursor,
  initialDetail,
  missingMsg,
}: {
  mailId: string;
  initialPage: MessagePage;
  initialCursor: Cursor;
  initialDetail: MessageDetail | null;
  /** A msg_id the address asked for that is not (or no longer) in this mailbox. */
  missingMsg: number | null;
}) {
  const router = useRouter();
  const [page, setPage] = useState(initialPage);
  const [cursor, setCursor] = useState<Cursor>(initialCursor);
  const [selected, setSelected] = useState<number | null>(initialDetail?.msgId ?? null);
  const [detail, setDetail] = useState<MessageDetail | null>(initialDetail);
  const [error, setError] = useState<string | null>(
    missingMsg === null
      ? null
      : `Message ${missingMsg} is not in this mailbox (any more): read and expired, or never here.`,
  );
  const [busy, setBusy] = useState(false);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const base = `/api/ops/mailboxes/${encodeURIComponent(mailId)}/messages`;

  useEffect(() => {
    const p = cursorParams(cursor);
    if (selected !== null) p.set("msg", String(selected));
    const q = p.toString();
    window.history.replaceState(null, "", q === "" ? window.location.pathname : `?${q}`);
  }, [cursor, selected]);

  const loadPage = useCallback(
    async (c: Cursor, toTop = false) => {
      setBusy(true);
      try {
        const next = await getJson<MessagePage>(`${base}?${cursorParams(c)}`);
        setPage(next);
        setCursor(c);
        setError(null);
        if (toTop) window.scrollTo({ top: 0 });
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setBusy(false);
      }
    },
    [base],
  );

  const select = useCallback(
    async (msgId: number) => {
      setSelected(msgId);
      try {
        setDetail(await getJson<MessageDetail>(`${base}/${msgId}`));
        setError(null);
      } catch (err) {
        setDetail(null);
        setError((err as Error).message);
      }
    },
    [base],
  );

  const refresh = () => {
    router.refresh();
    void loadPage(cursor);
    if (selected !== null) void select(selected);
  };

  // Up/Down (or J/K) move between rows' buttons; Enter/Space on one opens it.
  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    const delta =
      e.key === "ArrowDown" || e.key === "j" ? 1 : e.key === "ArrowUp" || e.key === "k" ? -1 : 0;
    if (delta === 0) return;
    const buttons = Array.from(
      tableRef.current?.querySelectorAll<HTMLButtonElement>("button[data-row-button]") ?? [],
    );
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[Math.min(buttons.length - 1, Math.max(0, i + delta))];
    if (next) {
      e.preventDefault();
      next.focus();
      next.click();
    }
  };

  const from = page.rows.length === 0 ? 0 : page.position + 1;
  const to = page.position + page.rows.length;

  // At the top (with the e2e test ids) and again below a long page.
  const pager = (top: boolean) => (
    <nav
      aria-label={top ? "Message pages" : "Message pages (bottom)"}
      className="flex items-center gap-2"
    >
      <button
        type="button"
        className={buttonClass.secondary}
        disabled={busy || page.prev === null}
        onClick={() => void loadPage(null, !top)}
        data-testid={top ? "messages-first" : undefined}
      >
        First
      </button>
      <button
        type="button"
        className={buttonClass.secondary}
        disabled={busy || page.prev === null}
        onClick={() => page.prev && void loadPage({ before: page.prev }, !top)}
        data-testid={top ? "messages-prev" : undefined}
      >
        Previous
      </button>
      <button
        type="button"
        className={buttonClass.secondary}
        disabled={busy || page.next === null}
        onClick={() => page.next && void loadPage({ after: page.next }, !top)}
        data-testid={top ? "messages-next" : undefined}
      >
        Next
      </button>
    </nav>
  );

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-2">
        {pager(true)}
        <p className="text-sm text-zinc-600 tabular-nums dark:text-zinc-400" aria-live="polite">
          {page.total === 0
            ? "No messages"
            : `${formatCount(from)}–${formatCount(to)} of ${formatCount(page.total)}`}
        </p>
        <button type="button" className={`${buttonClass.ghost} ml-auto`} onClick={refresh}>
          Refresh
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}

      {page.total === 0 ? (
        <EmptyState title="This mailbox holds no messages" testId="messages-empty">
          Messages sent to <code className="font-mono">$mq9.AI.INBOX.{mailId}.*</code> appear here
          as soon as they are stored. Try the{" "}
          <a className="underline" href={`/ops/publish?mail_id=${encodeURIComponent(mailId)}`}>
            publisher
          </a>
          .
        </EmptyState>
      ) : (
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
          <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
            <table className="w-full text-sm">
              <caption className="sr-only">
                Messages in mq9 order: urgent first, then normal, then notify, each oldest first
              </caption>
              <thead className="bg-zinc-50 dark:bg-zinc-900">
                <tr>
                  <th scope="col" className={thClass}>
                    msg_id
                  </th>
                  <th scope="col" className={thClass}>
                    Priority
                  </th>
                  <th scope="col" className={thClass}>
                    Time
                  </th>
                  <th scope="col" className={`${thClass} text-right`}>
                    Size
                  </th>
                  <th scope="col" className={thClass}>
                    State
                  </th>
                  <th scope="col" className={thClass}>
                    Payload
                  </th>
                </tr>
              </thead>
              <tbody ref={tableRef} onKeyDown={onKeyDown}>
                {page.rows.map((m) => (
                  <Row
                    key={m.msgId}
                    m={m}
                    selected={m.msgId === selected}
                    onSelect={(id) => void select(id)}
                  />
                ))}
              </tbody>
            </table>
            {page.rows.length > 20 ? (
              <div className="border-t border-zinc-200 p-3 dark:border-zinc-800">
                {pager(false)}
              </div>
            ) : null}
          </div>
          <div className="xl:sticky xl:top-16 xl:self-start">
            {detail !== null ? (
              <Detail msg={detail} />
            ) : (
              <EmptyState title="No message selected">
                Pick a message to see its payload, headers and raw form. Looking does not mark it
                read.
              </EmptyState>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
