/**
 * What this browser owns, kept in localStorage so it survives reloads (console.md, "Own
 * mailboxes"): the mailboxes with their tokens, which one is open, the responder's name and
 * which messages the human has not seen yet. A tiny external store read with
 * useSyncExternalStore; the server snapshot is "not loaded", so the first client render
 * matches the server's and the saved state follows right after hydration.
 */
import { useSyncExternalStore } from "react";
import type { MailboxType } from "@/lib/mq9/mod";

export interface OwnedMailbox {
  mailId: string;
  token: string;
  type: MailboxType;
  /** ms; null = never expires (or not known). */
  expiresAt: number | null;
  addedAt: number;
}

export interface OwnedState {
  loaded: boolean;
  mailboxes: readonly OwnedMailbox[];
  selected: string | null;
  responder: string;
  /** Per mailbox, msg_ids that arrived unread and the human has not looked at yet. */
  unseen: Readonly<Record<string, readonly number[]>>;
}

const KEY = "mq9.inbox.v1";
const DEFAULT_RESPONDER = "human";
/** Unseen ids kept per mailbox; a mailbox holds at most 10 000 messages by default (§11). */
const MAX_UNSEEN = 10_000;

const SERVER_STATE: OwnedState = {
  loaded: false,
  mailboxes: [],
  selected: null,
  responder: DEFAULT_RESPONDER,
  unseen: {},
};

let state: OwnedState = SERVER_STATE;
const listeners = new Set<() => void>();
let saveTimer: ReturnType<typeof setTimeout> | null = null;

function isOwned(v: unknown): v is OwnedMailbox {
  if (typeof v !== "object" || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m.mailId === "string" &&
    typeof m.token === "string" &&
    (m.type === "standard" || m.type === "latest") &&
    (m.expiresAt === null || typeof m.expiresAt === "number") &&
    typeof m.addedAt === "number"
  );
}

function read(): OwnedState {
  const fresh: OwnedState = { ...SERVER_STATE, loaded: true };
  try {
    const raw = window.localStorage.getItem(KEY);
    if (raw === null) return fresh;
    const v = JSON.parse(raw) as Partial<Record<keyof OwnedState, unknown>>;
    const mailboxes = Array.isArray(v.mailboxes) ? v.mailboxes.filter(isOwned) : [];
    const unseen: Record<string, number[]> = {};
    if (typeof v.unseen === "object" && v.unseen !== null) {
      for (const [id, ids] of Object.entries(v.unseen)) {
        if (Array.isArray(ids)) unseen[id] = ids.filter((n) => typeof n === "number");
      }
    }
    const selected =
      typeof v.selected === "string" && mailboxes.some((m) => m.mailId === v.selected)
        ? v.selected
        : (mailboxes[0]?.mailId ?? null);
    return {
      loaded: true,
      mailboxes,
      selected,
      responder:
        typeof v.responder === "string" && v.responder.trim() ? v.responder : DEFAULT_RESPONDER,
      unseen,
    };
  } catch {
    return fresh;
  }
}

function write(): void {
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = null;
  const { mailboxes, selected, responder, unseen } = state;
  try {
    window.localStorage.setItem(KEY, JSON.stringify({ mailboxes, selected, responder, unseen }));
  } catch {
    // Storage full or disabled: the inbox still works for this session.
  }
}

/**
 * What the human did is written at once (a reload right after creating a mailbox must
 * keep it); unseen counts change with every arrival, so those writes are coalesced.
 */
function set(next: OwnedState, coalesce = false): void {
  state = next;
  if (!coalesce) write();
  else saveTimer ??= setTimeout(write, 250);
  for (const l of listeners) l();
}

function ensureLoaded(): void {
  if (!state.loaded && typeof window !== "undefined") state = read();
}

function onStorage(e: StorageEvent): void {
  // Another tab of this browser changed what it owns.
  if (e.key !== KEY) return;
  state = read();
  for (const l of listeners) l();
}

function onPageHide(): void {
  if (saveTimer !== null) write();
}

function subscribe(listener: () => void): () => void {
  ensureLoaded();
  if (listeners.size === 0) {
    window.addEventListener("storage", onStorage);
    window.addEventListener("pagehide", onPageHide);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.removeEventListener("storage", onStorage);
      window.removeEventListener("pagehide", onPageHide);
      onPageHide();
    }
  };
}

function getSnapshot(): OwnedState {
  ensureLoaded();
  return state;
}

export function useOwned(): OwnedState {
  return useSyncExternalStore(subscribe, getSnapshot, () => SERVER_STATE);
}

export function ownedState(): OwnedState {
  ensureLoaded();
  return state;
}

export function addMailbox(box: OwnedMailbox): void {
  ensureLoaded();
  const rest = state.mailboxes.filter((m) => m.mailId !== box.mailId);
  set({ ...state, mailboxes: [...rest, box], selected: box.mailId });
}

export function forgetMailbox(mailId: string): void {
  ensureLoaded();
  const mailboxes = state.mailboxes.filter((m) => m.mailId !== mailId);
  const unseen = { ...state.unseen };
  delete unseen[mailId];
  const selected = state.selected === mailId ? (mailboxes[0]?.mailId ?? null) : state.selected;
  set({ ...state, mailboxes, selected, unseen });
}

export function updateMailbox(mailId: string, patch: Partial<Omit<OwnedMailbox, "mailId">>): void {
  ensureLoaded();
  const i = state.mailboxes.findIndex((m) => m.mailId === mailId);
  const cur = state.mailboxes[i];
  if (cur === undefined) return;
  const next = { ...cur, ...patch };
  if (next.type === cur.type && next.expiresAt === cur.expiresAt && next.token === cur.token) {
    return;
  }
  const mailboxes = state.mailboxes.slice();
  mailboxes[i] = next;
  set({ ...state, mailboxes });
}

export function selectMailbox(mailId: string): void {
  ensureLoaded();
  if (state.selected === mailId) return;
  set({ ...state, selected: mailId });
}

export function setResponder(name: string): void {
  ensureLoaded();
  set({ ...state, responder: name });
}

/** The name answers are signed with; blank falls back to the default. */
export function responderName(): string {
  return ownedState().responder.trim() || DEFAULT_RESPONDER;
}

export function addUnseen(mailId: string, msgIds: readonly number[]): void {
  ensureLoaded();
  if (msgIds.length === 0 || !state.mailboxes.some((m) => m.mailId === mailId)) return;
  const cur = state.unseen[mailId] ?? [];
  const have = new Set(cur);
  const added = msgIds.filter((id) => !have.has(id));
  if (added.length === 0) return;
  const next = [...cur, ...added].slice(-MAX_UNSEEN);
  set({ ...state, unseen: { ...state.unseen, [mailId]: next } }, true);
}

export function clearUnseen(mailId: string): void {
  ensureLoaded();
  if ((state.unseen[mailId]?.length ?? 0) === 0) return;
  set({ ...state, unseen: { ...state.unseen, [mailId]: [] } }, true);
}

/** Drops unseen ids of messages that are no longer stored (expired, replaced in `latest`). */
export function pruneUnseen(mailId: string, stored: ReadonlySet<number>): void {
  ensureLoaded();
  const cur = state.unseen[mailId];
  if (cur === undefined || cur.length === 0) return;
  const kept = cur.filter((id) => stored.has(id));
  if (kept.length !== cur.length) {
    set({ ...state, unseen: { ...state.unseen, [mailId]: kept } }, true);
  }
}

export function unreadTotal(s: OwnedState): number {
  let n = 0;
  for (const m of s.mailboxes) n += s.unseen[m.mailId]?.length ?? 0;
  return n;
}
