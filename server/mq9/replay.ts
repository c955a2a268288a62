/**
 * Store-first replay (mq9.md §6.1, §6.3). An owner subscription first receives the
 * mailbox's unread messages in mq9 order, in chunks paced by the client's backlog; live
 * messages that arrive meanwhile stay unread and are picked up by the next chunk, so the
 * switch to live delivery loses and doubles nothing.
 */
import type { Subscription } from "../nats/mod";
import { toMessage } from "./delivery";
import type { Mq9Service } from "./service";
import { priorityRank, type Priority } from "./subjects";

const CHUNK = 500;
/** Replay waits while the client has more than this queued (it must not be cut off). */
const BACKLOG_LIMIT = 1024 * 1024;

export function startOwnerReplay(
  mq9: Mq9Service,
  sub: Subscription,
  mailId: string,
  priority: Priority | null,
): void {
  if (mq9.mailboxes.get(mailId) === undefined) return;
  const rank = priority === null ? null : priorityRank(priority);
  // Live messages skip the subscription from now on and stay unread for the replay.
  mq9.roles.replaying.add(sub);
  const step = (): void => {
    const box = mq9.mailboxes.get(mailId);
    if (sub.closed || box === undefined) {
      mq9.roles.replaying.delete(sub);
      return;
    }
    if (sub.client.out.pending() > BACKLOG_LIMIT) {
      setTimeout(step, 1);
      return;
    }
    const rows = mq9.store.unread(mailId, rank, CHUNK);
    if (rows.length === 0) {
      // Caught up: from here on, live delivery (in this same turn, so nothing slips).
      mq9.roles.replaying.delete(sub);
      return;
    }
    const read: number[] = [];
    for (const row of rows) {
      if (!mq9.broker.deliverTo(sub, toMessage(row))) break;
      read.push(row.msgId);
    }
    if (read.length > 0) {
      mq9.store.transaction(() => mq9.store.markRead(read));
      box.unread -= read.length;
    }
    if (sub.closed) {
      mq9.roles.replaying.delete(sub);
      return;
    }
    setImmediate(step);
  };
  // Start once the rest of this read is handled: clients send `UNSUB <sid> <max>` right
  // behind the SUB, and the replay must honour that max rather than consume past it.
  process.nextTick(step);
}

/**
 * The current message of every matching `latest` mailbox, for a prefix pattern or a full
 * `*` (§6.3). Monitors never change unread state.
 */
export function sendLatestState(
  mq9: Mq9Service,
  sub: Subscription,
  prefix: string,
  priority: Priority | null,
): void {
  const rank = priority === null ? null : priorityRank(priority);
  const now = Date.now();
  for (const box of mq9.mailboxes.values()) {
    if (box.type !== "latest" || !box.mailId.startsWith(prefix) || box.stored === 0) continue;
    if (box.expiresAt !== null && box.expiresAt <= now) continue;
    const row = mq9.store.newest(box.mailId, rank);
    if (row !== undefined && !mq9.broker.deliverTo(sub, toMessage(row))) return;
  }
}
