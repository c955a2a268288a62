/**
 * Which tab each message belongs to, computed in one pass over the mailbox (10 000 items
 * take well under a millisecond) and recomputed when the next request deadline passes.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import type { AnswerView } from "@/app/api/inbox/answers/types";
import type { CardState } from "./approval-card";
import type { InboxItem } from "./inbox-item";

export type Tab = "pending" | "answered" | "expired" | "all";
export const TABS: readonly Tab[] = ["pending", "answered", "expired", "all"];

/** `info`: a plain message, nothing to answer. */
export type RowState = CardState | "info";

export interface Row {
  item: InboxItem;
  state: RowState;
  answer: AnswerView | undefined;
}

export interface Rows {
  rows: readonly Row[];
  /** Requests per state, and every message for "all". */
  counts: Record<Tab, number>;
}

function stateOf(item: InboxItem, answer: AnswerView | undefined, now: number): RowState {
  if (item.kind === "message") return "info";
  if (answer !== undefined) return "answered";
  if (item.expiresAt !== null && item.expiresAt <= now) return "expired";
  return "pending";
}

/**
 * Pending holds what still needs the human plus plain messages (nothing to do, but they
 * are part of the mail); Answered and Expired only requests; All everything.
 */
function inTab(state: RowState, tab: Tab): boolean {
  switch (tab) {
    case "pending":
      return state === "pending" || state === "info";
    case "answered":
      return state === "answered";
    case "expired":
      return state === "expired";
    case "all":
      return true;
  }
}

export function useRows(
  items: readonly InboxItem[],
  answers: ReadonlyMap<string, AnswerView>,
  tab: Tab,
  /** Which list this is (mailbox and tab): what stays in place is remembered per list. */
  scope: string,
): Rows {
  const [now, setNow] = useState(() => Date.now());
  // A request answered or expired while the Pending list shows it stays in place, in its
  // new state (the card shows who answered, what and when), until the list is left: rows
  // do not vanish from under the reader. Kept across computations, reset per scope.
  const memory = useRef({ scope: "", pending: new Set<string>(), stay: new Set<string>() });
  const { result, nextDeadline } = useMemo(() => {
    const t = Date.now();
    const m = memory.current;
    if (m.scope !== scope) {
      m.scope = scope;
      m.pending = new Set();
      m.stay = new Set();
    }
    const pendingNow = new Set<string>();
    const counts: Record<Tab, number> = { pending: 0, answered: 0, expired: 0, all: items.length };
    const rows: Row[] = [];
    let next = Infinity;
    for (const item of items) {
      const answer = item.correlationId === null ? undefined : answers.get(item.correlationId);
      const state = stateOf(item, answer, t);
      if (state === "pending" || state === "answered" || state === "expired") counts[state]++;
      if (state === "pending" && item.expiresAt !== null) next = Math.min(next, item.expiresAt);
      let show = inTab(state, tab);
      if (tab === "pending") {
        if (state === "pending") pendingNow.add(item.key);
        else if (!show && (m.stay.has(item.key) || m.pending.has(item.key))) {
          m.stay.add(item.key);
          show = true;
        }
      }
      if (show) rows.push({ item, state, answer });
    }
    m.pending = pendingNow;
    return { result: { rows, counts }, nextDeadline: next };
    // `now` only forces the recomputation when a deadline passes.
  }, [items, answers, tab, scope, now]);

  useEffect(() => {
    if (!Number.isFinite(nextDeadline)) return;
    const wait = Math.max(0, nextDeadline - Date.now()) + 50;
    // setTimeout's limit is 2^31-1 ms; a farther deadline is re-checked then.
    const timer = setTimeout(() => setNow(Date.now()), Math.min(wait, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [nextDeadline]);

  return result;
}
