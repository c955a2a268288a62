"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { MessageDetail, MessagePage, MessageSummary } from "@/server/console/data/messages";
import { SelectableRow, TableFrame, TableHead, tdClass } from "@/components/ui/data-table";
import { Detail, DetailList } from "@/components/ui/detail-list";
import { ListDetail } from "@/components/ui/list-detail";
import { formatBytes, formatCount } from "../format";
import { BodyViews } from "./body-views";
import { DetailPanel } from "./detail-panel";
import { EmptyState } from "./empty-state";
import { fetchJson } from "./fetch-json";
import { PriorityBadge } from "./priority-badge";
import { Time } from "./time";
import { buttonClass } from "./ui";

type Cursor = { after: string } | { before: string } | null;

function cursorParams(c: Cursor): URLSearchParams {
  const p = new URLSearchParams();
  if (c !== null && "after" in c) p.set("after", c.after);
  if (c !== null && "before" in c) p.set("before", c.before);
  return p;
}

function MessagePanel({ msg }: { msg: MessageDetail }) {
  return (
    <DetailPanel
      data-testid="message-detail"
      data-msg-id={msg.msgId}
      title={
        <>
          Message <span className="font-mono">{msg.msgId}</span>
        </>
      }
    >
      <DetailList className="gap-x-4 gap-y-1.5 text-sm">
        <Detail term="Priority">
          <PriorityBadge priority={msg.priority} />
        </Detail>
        <Detail term="Stored">
          <Time ms={msg.time} />
        </Detail>
        <Detail term="Expires">
          {msg.expiresAt === null ? "with the mailbox" : <Time ms={msg.expiresAt} />}
        </Detail>
        <Detail term="State">{msg.unread ? "unread — not yet handed to an owner" : "read"}</Detail>
        <Detail term="Size" className="tabular-nums">
          {formatBytes(msg.size)}
        </Detail>
        <Detail term="Subject" className="font-mono text-xs break-all">
          {msg.subject}
        </Detail>
        <Detail term="Reply to" className="font-mono text-xs break-all">
          {msg.reply ?? "—"}
        </Detail>
      </DetailList>
      <BodyViews body={msg} />
    </DetailPanel>
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
    <SelectableRow
      data-testid="message-row"
      data-msg-id={m.msgId}
      data-unread={m.unread ? "true" : "false"}
      selected={selected}
      onSelect={() => onSelect(m.msgId)}
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
    </SelectableRow>
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
        const next = await fetchJson<MessagePage>(`${base}?${cursorParams(c)}`);
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
        setDetail(await fetchJson<MessageDetail>(`${base}/${msgId}`));
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

  // `to`: where the button goes (null: the first page); undefined when there is no such page.
  const pages: { label: string; testId: string; to: Cursor | undefined }[] = [
    { label: "First", testId: "messages-first", to: page.prev === null ? undefined : null },
    {
      label: "Previous",
      testId: "messages-prev",
      to: page.prev === null ? undefined : { before: page.prev },
    },
    {
      label: "Next",
      testId: "messages-next",
      to: page.next === null ? undefined : { after: page.next },
    },
  ];
  // At the top (with the e2e test ids) and again below a long page, which scrolls up after.
  const pager = (top: boolean) => (
    <nav
      aria-label={top ? "Message pages" : "Message pages (bottom)"}
      className="flex items-center gap-2"
    >
      {pages.map(({ label, testId, to }) => (
        <button
          key={label}
          type="button"
          className={buttonClass.secondary}
          disabled={busy || to === undefined}
          onClick={() => to !== undefined && void loadPage(to, !top)}
          data-testid={top ? testId : undefined}
        >
          {label}
        </button>
      ))}
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
        <ListDetail
          detail={
            detail !== null ? (
              <MessagePanel msg={detail} />
            ) : (
              <EmptyState title="No message selected">
                Pick a message to see its payload, headers and raw form. Looking does not mark it
                read.
              </EmptyState>
            )
          }
        >
          <TableFrame
            caption="Messages in mq9 order: urgent first, then normal, then notify, each oldest first"
            footer={
              page.rows.length > 20 ? (
                <div className="border-t border-zinc-200 p-3 dark:border-zinc-800">
                  {pager(false)}
                </div>
              ) : null
            }
          >
            <TableHead
              columns={[
                "msg_id",
                "Priority",
                "Time",
                { label: "Size", numeric: true },
                "State",
                "Payload",
              ]}
            />
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
          </TableFrame>
        </ListDetail>
      )}
    </div>
  );
}
