"use client";

/**
 * The messages of one tab, a window at a time: the first screen renders a few dozen rows
 * whatever the mailbox holds (10 000 included), more as the reader scrolls or moves down
 * with the keyboard. Rows are memoised, so an arrival re-renders only the list, not the
 * cards. Keyboard: J/K move, A approve, R reject, E edit, X select, Esc cancel.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApprovalCard, type CardActions } from "./approval-card";
import { BatchBar } from "./batch-bar";
import { MessageItem } from "./message-item";
import type { Row } from "./inbox-rows";

const WINDOW = 30;
const NONE: readonly Row[] = [];

function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    target.closest("input, textarea, select, [contenteditable='true'], dialog[open]") !== null
  );
}

export function ItemList({ rows }: { rows: readonly Row[] }) {
  const [limit, setLimit] = useState(WINDOW);
  const [focusedKey, setFocusedKey] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const registry = useRef(new Map<string, CardActions>());
  const listRef = useRef<HTMLOListElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const lastIndex = useRef(0);
  const moveFocus = useRef(false);

  // The focused row; when it leaves the tab (answered), the one that took its place. A scan,
  // not an index map: building a map of 10 000 keys on every arrival costs more.
  let effectiveKey: string | null = null;
  let effectiveIndex = -1;
  if (focusedKey !== null) {
    effectiveIndex = rows.findIndex((r) => r.item.key === focusedKey);
    if (effectiveIndex < 0 && rows.length > 0) {
      effectiveIndex = Math.min(lastIndex.current, rows.length - 1);
    }
    effectiveKey = rows[effectiveIndex]?.item.key ?? null;
  }
  useEffect(() => {
    if (effectiveIndex >= 0) lastIndex.current = effectiveIndex;
  }, [effectiveIndex]);

  const visible = rows.slice(0, Math.max(limit, effectiveIndex + 1));

  const register = useCallback((key: string, actions: CardActions | null) => {
    if (actions === null) registry.current.delete(key);
    else registry.current.set(key, actions);
  }, []);
  const onFocusCard = useCallback((key: string) => setFocusedKey(key), []);
  const onToggleSelect = useCallback(
    (key: string) =>
      setSelected((s) => {
        const next = new Set(s);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
    [],
  );

  // Selection only holds approval requests still pending here (batch answers are §12.1's).
  const selectedRows = useMemo(
    () =>
      selected.size === 0
        ? NONE
        : rows.filter(
            (r) => selected.has(r.item.key) && r.state === "pending" && r.item.kind === "approval",
          ),
    [rows, selected],
  );

  // Keep DOM focus on the focused row after the keyboard moved it, or after it left.
  useEffect(() => {
    if (effectiveKey === null) return;
    const el = listRef.current?.querySelector<HTMLElement>(
      `[data-key="${CSS.escape(effectiveKey)}"]`,
    );
    if (el === null || el === undefined) return;
    const lost = document.activeElement === document.body || document.activeElement === null;
    if (moveFocus.current || lost) {
      moveFocus.current = false;
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: "nearest" });
    }
  }, [effectiveKey]);

  const limitRef = useRef(limit);
  useEffect(() => {
    limitRef.current = limit;
  }, [limit]);

  const latest = useRef({ rows, effectiveKey, effectiveIndex });
  useEffect(() => {
    latest.current = { rows, effectiveKey, effectiveIndex };
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      const { rows: rs, effectiveKey: key, effectiveIndex: at } = latest.current;
      const card = key === null ? undefined : registry.current.get(key);
      const move = (delta: number) => {
        if (rs.length === 0) return;
        const next = at < 0 ? 0 : Math.max(0, Math.min(rs.length - 1, at + delta));
        const k = rs[next]!.item.key;
        moveFocus.current = true;
        lastIndex.current = next;
        setFocusedKey(k);
        if (next >= limitRef.current - 1) setLimit((l) => Math.max(l, next + WINDOW));
      };
      switch (e.key) {
        case "j":
        case "J":
          move(1);
          break;
        case "k":
        case "K":
          move(-1);
          break;
        case "a":
        case "A":
          card?.approve();
          break;
        case "r":
        case "R":
          card?.reject();
          break;
        case "e":
        case "E":
          card?.edit();
          break;
        case "x":
        case "X":
          if (key !== null) onToggleSelect(key);
          break;
        case "Escape":
          if (card?.cancel()) break;
          setSelected(new Set());
          return;
        default:
          return;
      }
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onToggleSelect]);

  // More rows as the end of the window comes into view.
  const more = rows.length > visible.length;
  useEffect(() => {
    const el = sentinel.current;
    if (el === null || !more) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((x) => x.isIntersecting)) setLimit((l) => l + WINDOW);
      },
      { rootMargin: "600px 0px" },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [more, visible.length]);

  return (
    <>
      {selectedRows.length > 0 && (
        <BatchBar
          rows={rows}
          selected={selectedRows}
          onSelect={(keys) => setSelected(new Set(keys))}
          onClear={() => setSelected(new Set())}
        />
      )}
      <ol ref={listRef} className="flex flex-col gap-3" aria-label="Messages">
        {visible.map(({ item, state, answer }) =>
          state === "info" ? (
            <li key={item.key}>
              <MessageItem
                item={item}
                focused={item.key === effectiveKey}
                onFocusCard={onFocusCard}
              />
            </li>
          ) : (
            <li key={item.key}>
              <ApprovalCard
                item={item}
                answer={answer}
                state={state}
                focused={item.key === effectiveKey}
                selected={selected.has(item.key)}
                onFocusCard={onFocusCard}
                onToggleSelect={onToggleSelect}
                register={register}
              />
            </li>
          ),
        )}
      </ol>
      {more && (
        <div ref={sentinel} className="mt-3 flex items-center justify-center gap-3 text-sm">
          <span className="text-zinc-600 dark:text-zinc-400">
            Showing {visible.length.toLocaleString("en-US")} of{" "}
            {rows.length.toLocaleString("en-US")}
          </span>
          <button
            type="button"
            onClick={() => setLimit((l) => l + WINDOW * 4)}
            className="rounded-md border border-zinc-300 px-3 py-1 font-medium hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800"
          >
            Show more
          </button>
        </div>
      )}
    </>
  );
}
