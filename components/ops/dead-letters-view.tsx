"use client";

import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { ResendResult } from "@/server/console/data/dead-letter-actions";
import type {
  DeadLetterDetail,
  DeadLetterPage,
  DeadLetterSummary,
} from "@/server/console/data/dead-letters";
import { PRIORITIES, type Priority } from "@/lib/mq9/mod";
import { SelectableRow, TableFrame, TableHead, tdClass } from "@/components/ui/data-table";
import { Detail, DetailList } from "@/components/ui/detail-list";
import { ListDetail } from "@/components/ui/list-detail";
import { formatBytes, formatCount } from "../format";
import { BodyViews } from "./body-views";
import { ConfirmDialog } from "./confirm-dialog";
import { DetailPanel } from "./detail-panel";
import { EmptyState } from "./empty-state";
import { fetchJson } from "./fetch-json";
import { PriorityBadge } from "./priority-badge";
import { Time } from "./time";
import { buttonClass, hintClass, inputClass, labelClass } from "./ui";

const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

function ResendForm({
  letter,
  selectedCount,
  onResend,
  busy,
}: {
  letter: DeadLetterDetail;
  selectedCount: number;
  onResend: (target: string, priority: Priority | "", all: boolean) => void;
  busy: boolean;
}) {
  const ids = useId();
  const [target, setTarget] = useState(letter.mailId);
  const [priority, setPriority] = useState<Priority | "">("");
  useEffect(() => setTarget(letter.mailId), [letter.mailId]);
  return (
    <form
      className="flex flex-col gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800"
      onSubmit={(e) => {
        e.preventDefault();
        onResend(target.trim(), priority, false);
      }}
      aria-label="Re-send to a mailbox"
    >
      <h3 className="text-sm font-semibold">Re-send to a mailbox</h3>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-[minmax(0,1fr)_10rem]">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${ids}-target`} className={labelClass}>
            Mailbox (mail_id)
          </label>
          <input
            id={`${ids}-target`}
            data-testid="dead-letter-resend-target"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            className={`${inputClass} font-mono`}
            spellCheck={false}
            autoComplete="off"
            required
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${ids}-priority`} className={labelClass}>
            Priority
          </label>
          <select
            id={`${ids}-priority`}
            value={priority}
            onChange={(e) => setPriority(e.target.value as Priority | "")}
            className={inputClass}
          >
            <option value="">as it was ({letter.priority})</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className={hintClass}>
        The original mailbox is gone once its letters are here: send to a live one. The letter
        leaves the dead-letter store once the mailbox has stored it.
      </p>
      <div className="flex flex-wrap gap-2">
        <button
          type="submit"
          data-testid="dead-letter-resend"
          className={buttonClass.primary}
          disabled={busy || target.trim() === ""}
        >
          Re-send this letter
        </button>
        {selectedCount > 0 ? (
          <button
            type="button"
            data-testid="dead-letter-resend-selected"
            className={buttonClass.secondary}
            disabled={busy || target.trim() === ""}
            onClick={() => onResend(target.trim(), priority, true)}
          >
            Re-send {selectedCount} selected
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** One letter in full; `children` are what can be done with it. */
function LetterPanel({ letter, children }: { letter: DeadLetterDetail; children: ReactNode }) {
  return (
    <DetailPanel
      data-testid="dead-letter-detail"
      data-msg-id={letter.msgId}
      title={
        <>
          Letter <span className="font-mono">{letter.msgId}</span> of{" "}
          <span className="font-mono text-sm break-all">{letter.mailId}</span>
        </>
      }
    >
      <DetailList className="gap-x-4 gap-y-1.5 text-sm">
        <Detail term="Priority">
          <PriorityBadge priority={letter.priority} />
        </Detail>
        <Detail term="Sent">
          <Time ms={letter.time} />
        </Detail>
        <Detail term="Dead since">
          <Time ms={letter.deadAt} />
        </Detail>
        <Detail term="Reason">{letter.reason}</Detail>
        <Detail term="Subject" className="font-mono text-xs break-all">
          {letter.subject}
        </Detail>
        <Detail term="Reply to" className="font-mono text-xs break-all">
          {letter.reply ?? "—"}
        </Detail>
      </DetailList>
      <BodyViews body={letter} />
      {children}
    </DetailPanel>
  );
}

/**
 * Unread mail of expired mailboxes (mq9.md §10), newest first: inspect one, re-send it to a
 * mailbox, or purge some or all.
 */
export function DeadLettersView({ initial }: { initial: DeadLetterPage }) {
  const [rows, setRows] = useState<DeadLetterSummary[]>(initial.rows);
  const [total, setTotal] = useState(initial.total);
  const [next, setNext] = useState(initial.next);
  const [q, setQ] = useState("");
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [detail, setDetail] = useState<DeadLetterDetail | null>(null);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  /** The search the rows are for: the effect below loads only when the search changes. */
  const loadedQ = useRef("");
  const searchId = useId();

  const load = useCallback(async (search: string) => {
    loadedQ.current = search;
    const p = new URLSearchParams();
    if (search !== "") p.set("q", search);
    const page = await fetchJson<DeadLetterPage>(`/api/ops/dead-letters?${p}`);
    setRows(page.rows);
    setTotal(page.total);
    setNext(page.next);
    setSelected(new Set());
  }, []);

  useEffect(() => {
    if (q.trim() === loadedQ.current) return;
    const t = setTimeout(() => {
      load(q.trim()).catch((err: Error) => setMessage({ tone: "error", text: err.message }));
    }, 200);
    return () => clearTimeout(t);
  }, [q, load]);

  const more = async () => {
    if (next === null) return;
    const p = new URLSearchParams({ before: String(next) });
    if (q.trim() !== "") p.set("q", q.trim());
    try {
      const page = await fetchJson<DeadLetterPage>(`/api/ops/dead-letters?${p}`);
      setRows((r) => [...r, ...page.rows]);
      setNext(page.next);
      setTotal(page.total);
    } catch (err) {
      setMessage({ tone: "error", text: (err as Error).message });
    }
  };

  const inspect = async (id: number) => {
    try {
      setDetail(await fetchJson<DeadLetterDetail>(`/api/ops/dead-letters/${id}`));
    } catch (err) {
      setMessage({ tone: "error", text: (err as Error).message });
    }
  };

  const removed = (ids: readonly number[]) => {
    const gone = new Set(ids);
    setRows((r) => r.filter((x) => !gone.has(x.id)));
    setTotal((t) => Math.max(0, t - ids.length));
    setSelected((s) => new Set([...s].filter((id) => !gone.has(id))));
    setDetail((d) => (d !== null && gone.has(d.id) ? null : d));
  };

  const resend = async (target: string, priority: Priority | "", all: boolean) => {
    if (detail === null) return;
    const ids = all ? [...selected] : [detail.id];
    setBusy(true);
    try {
      const r = await fetchJson<ResendResult>(
        "/api/ops/dead-letters/resend",
        post({ ids, target, ...(priority !== "" && { priority }) }),
      );
      removed(r.resent);
      setMessage(
        r.failed.length === 0
          ? { tone: "ok", text: `Re-sent ${r.resent.length} to ${target}.` }
          : {
              tone: "error",
              text: `Re-sent ${r.resent.length}; ${r.failed.length} failed (${r.failed[0]!.code}: ${r.failed[0]!.error}).`,
            },
      );
    } catch (err) {
      setMessage({ tone: "error", text: `Not re-sent: ${(err as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  const purge = async () => {
    setConfirming(false);
    const ids = [...selected];
    setBusy(true);
    try {
      const r = await fetchJson<{ purged: number }>(
        "/api/ops/dead-letters/purge",
        post(ids.length > 0 ? { ids } : { all: true }),
      );
      if (ids.length > 0) removed(ids);
      else {
        setRows([]);
        setTotal(0);
        setNext(null);
        setDetail(null);
        setSelected(new Set());
      }
      setMessage({ tone: "ok", text: `Purged ${formatCount(r.purged)} dead letters.` });
    } catch (err) {
      setMessage({ tone: "error", text: `Not purged: ${(err as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const allShownSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex w-full max-w-sm flex-col gap-1">
          <label htmlFor={searchId} className="text-sm font-medium">
            Original mailbox
          </label>
          <input
            id={searchId}
            type="search"
            data-testid="dead-letters-search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="part of a mail_id"
            className={`${inputClass} font-mono`}
            spellCheck={false}
            autoComplete="off"
          />
        </div>
        <p className={hintClass} aria-live="polite">
          {formatCount(total)} dead letters{q.trim() !== "" ? " match" : ""}
          {selected.size > 0 ? ` · ${selected.size} selected` : ""}
        </p>
        <button
          type="button"
          data-testid="dead-letter-purge"
          className={`${buttonClass.danger} ml-auto`}
          disabled={busy || total === 0}
          onClick={() => setConfirming(true)}
        >
          {selected.size > 0 ? `Purge ${selected.size} selected` : "Purge all"}
        </button>
      </div>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          data-testid="dead-letters-message"
          className={`text-sm ${message.tone === "error" ? "text-red-700 dark:text-red-400" : "text-emerald-800 dark:text-emerald-300"}`}
        >
          {message.text}
        </p>
      ) : null}

      {rows.length === 0 ? (
        <EmptyState title="No dead letters" testId="dead-letters-empty">
          When a standard mailbox expires with urgent or normal messages nobody read, they land here
          for you to inspect, re-send or purge (mq9.md §10). Notify messages and{" "}
          <code className="font-mono">latest</code> mailboxes never do.
        </EmptyState>
      ) : (
        <ListDetail
          detail={
            detail !== null ? (
              <LetterPanel letter={detail}>
                <ResendForm
                  letter={detail}
                  selectedCount={selected.size}
                  onResend={(t, p, all) => void resend(t, p, all)}
                  busy={busy}
                />
              </LetterPanel>
            ) : (
              <EmptyState title="No letter selected">
                Pick a letter to see its payload and headers and to re-send it.
              </EmptyState>
            )
          }
        >
          <div className="flex flex-col gap-3">
            <TableFrame caption="Dead letters, newest first">
              <TableHead
                columns={[
                  {
                    label: (
                      <input
                        type="checkbox"
                        aria-label="Select every letter shown"
                        checked={allShownSelected}
                        onChange={() =>
                          setSelected(allShownSelected ? new Set() : new Set(rows.map((r) => r.id)))
                        }
                      />
                    ),
                  },
                  "Original mailbox",
                  "Priority",
                  "Dead since",
                  "Reason",
                  { label: "Size", numeric: true },
                  "Payload",
                ]}
              />
              <tbody>
                {rows.map((r) => (
                  <SelectableRow
                    key={r.id}
                    data-testid="dead-letter-row"
                    data-msg-id={r.msgId}
                    data-mail-id={r.mailId}
                    data-id={r.id}
                    selected={detail?.id === r.id}
                    onSelect={() => void inspect(r.id)}
                  >
                    <td className={tdClass} onClick={(e) => e.stopPropagation()}>
                      <input
                        type="checkbox"
                        data-testid="dead-letter-select"
                        aria-label={`Select letter ${r.msgId} of ${r.mailId}`}
                        checked={selected.has(r.id)}
                        onChange={() => toggle(r.id)}
                      />
                    </td>
                    <td className={tdClass}>
                      <button
                        type="button"
                        onClick={(e) => {
                          e.stopPropagation();
                          void inspect(r.id);
                        }}
                        className="text-left font-mono text-xs whitespace-nowrap text-sky-700 hover:underline dark:text-sky-400"
                        aria-label={`Inspect letter ${r.msgId} of ${r.mailId}`}
                      >
                        {r.mailId}
                      </button>
                      <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                        msg {r.msgId}
                      </span>
                    </td>
                    <td className={tdClass}>
                      <PriorityBadge priority={r.priority} />
                    </td>
                    <td className={`${tdClass} whitespace-nowrap`}>
                      <Time ms={r.deadAt} />
                    </td>
                    <td className={`${tdClass} whitespace-nowrap`}>{r.reason}</td>
                    <td className={`${tdClass} text-right whitespace-nowrap tabular-nums`}>
                      {formatBytes(r.size)}
                    </td>
                    <td className={`${tdClass} w-full max-w-0`}>
                      <span className="block truncate font-mono text-xs text-zinc-700 dark:text-zinc-300">
                        {r.binary ? <span className="italic">binary</span> : r.preview}
                      </span>
                    </td>
                  </SelectableRow>
                ))}
              </tbody>
            </TableFrame>
            {next !== null ? (
              <button
                type="button"
                className={`${buttonClass.secondary} self-start`}
                onClick={() => void more()}
              >
                Load older letters
              </button>
            ) : null}
          </div>
        </ListDetail>
      )}

      <ConfirmDialog
        open={confirming}
        title={
          selected.size > 0 ? `Purge ${selected.size} dead letters?` : "Purge every dead letter?"
        }
        confirmLabel={
          selected.size > 0 ? `Purge ${selected.size}` : `Purge all ${formatCount(total)}`
        }
        onConfirm={() => void purge()}
        onCancel={() => setConfirming(false)}
      >
        {selected.size > 0
          ? "The selected letters are deleted for good."
          : "Every dead letter in the store is deleted for good, not only those shown or matching the search."}
      </ConfirmDialog>
    </div>
  );
}
