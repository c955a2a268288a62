/**
 * The inbox's messages and answers, per mailbox, outside React state: arrivals are queued
 * and applied once per animation frame (a burst of 100 msg/s or a 10 000-message replay
 * becomes a few list updates, not thousands), and each mailbox has its own immutable
 * snapshot, read with useSyncExternalStore, so rows that did not change are not rendered
 * again (console.md, quality bar).
 */
import { useCallback, useSyncExternalStore } from "react";
import type { AnswerView } from "@/app/api/inbox/answers/types";
import { compareItems, type InboxItem } from "./inbox-item";

export type HistoryState = "idle" | "loading" | "complete" | "error" | "gone";

export interface BoxSnapshot {
  /** In inbox order (compareItems). */
  items: readonly InboxItem[];
  /** By correlation id. */
  answers: ReadonlyMap<string, AnswerView>;
  history: HistoryState;
  historyError: string | null;
}

const EMPTY: BoxSnapshot = {
  items: [],
  answers: new Map(),
  history: "idle",
  historyError: null,
};

interface Pending {
  items: InboxItem[];
  latest: boolean;
}

class MessageStore {
  private readonly boxes = new Map<string, BoxSnapshot>();
  private readonly ids = new Map<string, Set<number>>();
  private readonly queued = new Map<string, Pending>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private scheduled = false;

  snapshot(mailId: string): BoxSnapshot {
    return this.boxes.get(mailId) ?? EMPTY;
  }

  subscribe(mailId: string, listener: () => void): () => void {
    let set = this.listeners.get(mailId);
    if (set === undefined) this.listeners.set(mailId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Queues messages for the next frame. `latest` mailboxes keep only their newest message
   * (mq9.md §3), so the view does too.
   */
  receive(mailId: string, items: readonly InboxItem[], latest: boolean): void {
    if (items.length === 0) return;
    let q = this.queued.get(mailId);
    if (q === undefined) this.queued.set(mailId, (q = { items: [], latest }));
    for (const it of items) q.items.push(it);
    this.schedule();
  }

  setHistory(mailId: string, history: HistoryState, historyError: string | null = null): void {
    const cur = this.snapshot(mailId);
    if (cur.history === history && cur.historyError === historyError) return;
    this.put(mailId, { ...cur, history, historyError });
  }

  /** Replaces what is known about the mailbox's answers (a GET after load or reconnect). */
  setAnswers(mailId: string, answers: readonly AnswerView[]): void {
    const cur = this.snapshot(mailId);
    const map = new Map(cur.answers);
    let changed = false;
    for (const a of answers) {
      if (map.get(a.correlationId)?.respondedAt === a.respondedAt) continue;
      map.set(a.correlationId, a);
      changed = true;
    }
    if (changed) this.put(mailId, { ...cur, answers: map });
  }

  putAnswer(answer: AnswerView): void {
    this.setAnswers(answer.mailId, [answer]);
  }

  /** Forgets a mailbox the human removed. */
  drop(mailId: string): void {
    this.queued.delete(mailId);
    this.ids.delete(mailId);
    this.put(mailId, EMPTY);
    this.boxes.delete(mailId);
  }

  private put(mailId: string, next: BoxSnapshot): void {
    this.boxes.set(mailId, next);
    for (const l of this.listeners.get(mailId) ?? []) l();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // rAF does not run in a hidden tab; arrivals must still land (and notify) there.
    const run = () => this.flush();
    if (typeof document !== "undefined" && !document.hidden) requestAnimationFrame(run);
    else setTimeout(run, 100);
  }

  private flush(): void {
    this.scheduled = false;
    for (const [mailId, q] of this.queued) {
      this.queued.delete(mailId);
      this.apply(mailId, q);
    }
  }

  private apply(mailId: string, q: Pending): void {
    let seen = this.ids.get(mailId);
    if (seen === undefined) this.ids.set(mailId, (seen = new Set()));
    const cur = this.snapshot(mailId);
    // The owner subscription and QUERY both hand out the same messages: one row per msg_id.
    const fresh: InboxItem[] = [];
    for (const it of q.items) {
      if (seen.has(it.msgId)) continue;
      seen.add(it.msgId);
      fresh.push(it);
    }
    if (fresh.length === 0) return;
    if (q.latest) {
      let newest = cur.items.reduce<InboxItem | null>(
        (a, b) => (a === null || b.msgId > a.msgId ? b : a),
        null,
      );
      for (const it of fresh) if (newest === null || it.msgId > newest.msgId) newest = it;
      this.put(mailId, { ...cur, items: newest === null ? [] : [newest] });
      return;
    }
    fresh.sort(compareItems);
    this.put(mailId, { ...cur, items: merge(cur.items, fresh) });
  }
}

/** Two lists in inbox order into one: linear, so a live arrival does not re-sort 10 000. */
function merge(a: readonly InboxItem[], b: readonly InboxItem[]): InboxItem[] {
  if (a.length === 0) return b.slice();
  const out = new Array<InboxItem>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = compareItems(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

export const messageStore = new MessageStore();

export function useMailboxSnapshot(mailId: string | null): BoxSnapshot {
  const subscribe = useCallback(
    (l: () => void) => (mailId === null ? () => {} : messageStore.subscribe(mailId, l)),
    [mailId],
  );
  const get = useCallback(
    () => (mailId === null ? EMPTY : messageStore.snapshot(mailId)),
    [mailId],
  );
  return useSyncExternalStore(subscribe, get, () => EMPTY);
}
