"use client";

import { memo, useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import type { Subscription } from "nats.ws";
import { useNats } from "@/components/nats/nats-provider";
import { SelectableRow, TableFrame, TableHead } from "@/components/ui/data-table";
import { ListDetail } from "@/components/ui/list-detail";
import { formatBytes, formatCount } from "../format";
import { BodyViews } from "./body-views";
import { EmptyState } from "./empty-state";
import { asText, headerRecord, receivedBody } from "./received-body";
import { filterProblem, isSystemSubject, tailPlan } from "./tail-filter";
import { buttonClass, cardClass, hintClass, inputClass } from "./ui";

/** Rows kept; older ones are dropped and counted. */
export const TAIL_CAPACITY = 500;
/** Renders at most this often, however fast messages come. */
const RENDER_EVERY_MS = 100;

interface TailRow {
  seq: number;
  at: number;
  subject: string;
  reply: string | null;
  headers: Record<string, string[]> | null;
  data: Uint8Array;
}

function preview(data: Uint8Array): string {
  const { text, encoding } = asText(data.subarray(0, 200));
  if (encoding === "base64") {
    // The cut may split a character; only call it binary if the whole payload is.
    return asText(data).encoding === "base64" ? "binary" : "…";
  }
  return text.replace(/\s+/g, " ");
}

const clock = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
};

/** One row; memoised, so a new message renders one row, not the whole buffer. */
const TailRowView = memo(function TailRowView({
  row: r,
  selected,
  onSelect,
}: {
  row: TailRow;
  selected: boolean;
  onSelect: (seq: number) => void;
}) {
  return (
    <SelectableRow
      data-testid="tail-row"
      data-subject={r.subject}
      selected={selected}
      onSelect={() => onSelect(r.seq)}
    >
      <td className="px-3 py-1.5 font-mono text-xs whitespace-nowrap tabular-nums">
        {clock(r.at)}
      </td>
      <td className="px-3 py-1.5">
        <button
          type="button"
          onClick={(e) => {
            e.stopPropagation();
            onSelect(r.seq);
          }}
          className="inline-block min-w-72 text-left font-mono text-xs break-all text-sky-700 hover:underline dark:text-sky-400"
        >
          {r.subject}
        </button>
      </td>
      <td className="px-3 py-1.5 text-right whitespace-nowrap tabular-nums">
        {formatBytes(r.data.length)}
      </td>
      <td className="w-full max-w-0 px-3 py-1.5">
        <span className="block truncate font-mono text-xs text-zinc-700 dark:text-zinc-300">
          {preview(r.data)}
        </span>
      </td>
    </SelectableRow>
  );
});

type TailState = "idle" | "subscribing" | "live" | "paused" | "error";

/**
 * Traffic as it flows, watched from the browser over nats.ws: nothing passes through the
 * console server, which never sees (or logs) a payload. Newest first, at most
 * TAIL_CAPACITY rows.
 */
export function LiveTail() {
  const { nc, status } = useNats();
  const [draft, setDraft] = useState(">");
  const [filter, setFilter] = useState(">");
  const [showSystem, setShowSystem] = useState(false);
  const [paused, setPaused] = useState(false);
  const [state, setState] = useState<TailState>("idle");
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [, setVersion] = useState(0);

  // The buffer lives outside React state: messages arrive far faster than renders.
  const buffer = useRef<TailRow[]>([]);
  const shown = useRef<TailRow[]>([]);
  const counts = useRef({ received: 0, dropped: 0, hidden: 0, whilePaused: 0 });
  const seq = useRef(0);
  const pausedRef = useRef(paused);
  const showSystemRef = useRef(showSystem);
  const dirty = useRef(false);
  /** The filter the rows are for: a new filter starts an empty tail. */
  const rowsFilter = useRef(filter);

  useEffect(() => {
    pausedRef.current = paused;
    if (!paused) {
      shown.current = buffer.current;
      counts.current.whilePaused = 0;
      setVersion((v) => v + 1);
    }
  }, [paused]);

  useEffect(() => {
    showSystemRef.current = showSystem;
  }, [showSystem]);

  useEffect(() => {
    const t = setInterval(() => {
      if (!dirty.current) return;
      dirty.current = false;
      if (!pausedRef.current) shown.current = buffer.current;
      setVersion((v) => v + 1);
    }, RENDER_EVERY_MS);
    return () => clearInterval(t);
  }, []);

  const clear = useCallback(() => {
    buffer.current = [];
    shown.current = [];
    counts.current = { received: 0, dropped: 0, hidden: 0, whilePaused: 0 };
    setSelected(null);
    setVersion((v) => v + 1);
  }, []);

  useEffect(() => {
    if (nc === null) {
      setState("idle");
      return;
    }
    if (rowsFilter.current !== filter) {
      rowsFilter.current = filter;
      clear();
    }
    const plan = tailPlan(filter);
    setNote(plan.note);
    let live = true;
    let sub: Subscription;
    try {
      sub = nc.subscribe(plan.subject, {
        callback: (err, msg) => {
          // Messages the client had queued before the unsubscribe belong to the old filter.
          if (err !== null || !live) return;
          if (plan.accept !== null && !plan.accept(msg.subject)) return;
          const c = counts.current;
          if (!showSystemRef.current && isSystemSubject(msg.subject)) {
            c.hidden++;
            dirty.current = true;
            return;
          }
          c.received++;
          if (pausedRef.current) c.whilePaused++;
          const row: TailRow = {
            seq: ++seq.current,
            at: Date.now(),
            subject: msg.subject,
            reply: msg.reply || null,
            headers: headerRecord(msg.headers),
            // The client may reuse its read buffer: keep a copy.
            data: msg.data.slice(),
          };
          const next = [row, ...buffer.current];
          if (next.length > TAIL_CAPACITY) c.dropped += next.length - TAIL_CAPACITY;
          buffer.current = next.length > TAIL_CAPACITY ? next.slice(0, TAIL_CAPACITY) : next;
          dirty.current = true;
        },
      });
    } catch (err) {
      setState("error");
      setError((err as Error).message);
      return;
    }
    setState("subscribing");
    setError(null);
    // Subscribed once the server has answered a PING sent after the SUB.
    nc.flush().then(
      () => live && setState("live"),
      (err: unknown) => {
        if (!live) return;
        setState("error");
        setError((err as Error).message);
      },
    );
    return () => {
      live = false;
      sub.unsubscribe();
    };
  }, [nc, filter, clear]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const f = draft.trim();
    const problem = filterProblem(f);
    if (problem !== null) {
      setError(problem);
      return;
    }
    setError(null);
    setFilter(f);
  };

  const rows = shown.current;
  const c = counts.current;
  const selectedRow = rows.find((r) => r.seq === selected) ?? null;
  const viewState: TailState = paused && state === "live" ? "paused" : state;

  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={apply} className="flex flex-wrap items-end gap-3" aria-label="Tail filter">
        <div className="flex w-full max-w-xl flex-col gap-1">
          <label htmlFor="tail-filter" className="text-sm font-medium">
            Subject filter
          </label>
          <input
            id="tail-filter"
            data-testid="tail-filter"
            data-active-filter={filter}
            data-subscribed={state === "live" ? "true" : "false"}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            className={`${inputClass} font-mono`}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="tail-filter-hint"
          />
        </div>
        <button type="submit" className={buttonClass.primary}>
          Apply
        </button>
        <button
          type="button"
          data-testid="tail-pause"
          aria-pressed={paused}
          onClick={() => setPaused((p) => !p)}
          className={buttonClass.secondary}
        >
          {paused ? "Resume" : "Pause"}
        </button>
        <button type="button" onClick={clear} className={buttonClass.ghost}>
          Clear
        </button>
        <label className="inline-flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            data-testid="tail-show-system"
            checked={showSystem}
            onChange={(e) => setShowSystem(e.target.checked)}
          />
          Show system subjects
        </label>
      </form>
      <p id="tail-filter-hint" className={hintClass}>
        Wildcards: <code className="font-mono">*</code> one token,{" "}
        <code className="font-mono">&gt;</code> the rest; under{" "}
        <code className="font-mono">$mq9.AI.</code> a final <code className="font-mono">#</code>{" "}
        also means the rest and <code className="font-mono">m-status-*</code> matches a mail_id
        prefix. Watching never marks mail read. System subjects (
        <code className="font-mono">_INBOX.&gt;</code>,{" "}
        <code className="font-mono">$mq9.AI.MAILBOX.&gt;</code>,{" "}
        <code className="font-mono">$mq9.AI.BROADCAST.system.&gt;</code>,{" "}
        <code className="font-mono">$mq9console.&gt;</code>) are hidden unless shown.
      </p>

      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm" aria-live="polite">
        <span
          data-testid="tail-status"
          data-state={viewState}
          className="inline-flex items-center gap-2 font-medium"
        >
          <span
            aria-hidden="true"
            className={`size-2 rounded-full ${
              viewState === "live"
                ? "bg-emerald-500"
                : viewState === "paused"
                  ? "bg-amber-500"
                  : viewState === "error"
                    ? "bg-red-500"
                    : "bg-zinc-400"
            }`}
          />
          {viewState === "live"
            ? "Live"
            : viewState === "paused"
              ? "Paused"
              : viewState === "error"
                ? "Not subscribed"
                : status === "connected"
                  ? "Subscribing…"
                  : `Waiting for NATS (${status})`}
        </span>
        <span className="tabular-nums text-zinc-600 dark:text-zinc-400">
          {formatCount(c.received)} received · {formatCount(rows.length)} shown
          {paused && c.whilePaused > 0 ? ` · ${formatCount(c.whilePaused)} new while paused` : ""}
          {!showSystem && c.hidden > 0 ? ` · ${formatCount(c.hidden)} system hidden` : ""}
        </span>
        <span
          data-testid="tail-dropped"
          data-dropped={c.dropped}
          className={`tabular-nums ${c.dropped > 0 ? "font-medium text-amber-800 dark:text-amber-300" : "text-zinc-600 dark:text-zinc-400"}`}
        >
          {c.dropped > 0
            ? `${formatCount(c.dropped)} older dropped (keeps the newest ${TAIL_CAPACITY})`
            : `keeps the newest ${TAIL_CAPACITY}`}
        </span>
      </div>
      {note ? <p className={hintClass}>{note}</p> : null}
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}

      {rows.length === 0 ? (
        <EmptyState title="Nothing yet" testId="tail-empty">
          Messages matching <code className="font-mono">{filter}</code> show here as they flow. Send
          one from the{" "}
          <a className="underline" href="/ops/publish">
            publisher
          </a>
          , or from a shell:{" "}
          <code className="font-mono">npm run mq9 -- send &lt;mail_id&gt; hello</code>.
        </EmptyState>
      ) : (
        <ListDetail
          detail={
            selectedRow ? (
              <section
                aria-labelledby="tail-detail-heading"
                data-testid="tail-detail"
                className={`${cardClass} flex flex-col gap-3 p-4`}
              >
                <h2 id="tail-detail-heading" className="font-mono text-sm font-semibold break-all">
                  {selectedRow.subject}
                </h2>
                <p className={hintClass}>
                  {clock(selectedRow.at)}
                  {selectedRow.reply ? ` · reply to ${selectedRow.reply}` : ""}
                </p>
                <BodyViews body={receivedBody(selectedRow.data, selectedRow.headers)} />
              </section>
            ) : (
              <EmptyState title="No message selected">
                Pick a row to see its payload, headers and raw form.
              </EmptyState>
            )
          }
        >
          <TableFrame caption="Messages, newest first">
            <TableHead columns={["Time", "Subject", { label: "Size", numeric: true }, "Payload"]} />
            <tbody>
              {rows.map((r) => (
                <TailRowView
                  key={r.seq}
                  row={r}
                  selected={r.seq === selected}
                  onSelect={setSelected}
                />
              ))}
            </tbody>
          </TableFrame>
        </ListDetail>
      )}
    </div>
  );
}
