/**
 * Store-first replay (mq9.md §6.1, §6.3). An owner subscription first receives the
 * mailbox's unread messages in mq9 order, in chunks. A chunk becomes read once the owner
 * has answered a PING sent behind it (Client.confirmReceipt); a few chunks may be in
 * flight at once, so the replay runs at the pace the owner reads without waiting a round
 * trip per chunk, and a connection that dies mid-replay leaves the rest unread.
 *
 * Live messages that arrive meanwhile skip the subscription and stay unread. The replay
 * walks a cursor through mq9 order; when it reaches the end with nothing in flight (no
 * chunk unconfirmed or not yet marked read, no message to this mailbox being committed)
 * it looks once more from the start (for urgent mail that arrived behind the cursor), and
 * switches to live delivery in the same turn as an empty read, so nothing is lost or
 * doubled.
 */
import type { Subscription } from "../nats/mod";
import type { Cursor, MessageRow } from "../store/mail-store";
import { toMessage } from "./delivery";
import type { Mq9Service } from "./service";
import { priorityRank, type Priority } from "./subjects";

const CHUNK = 1000;
/** Chunks delivered but not yet confirmed. */
const WINDOW = 4;

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
  let cursor: Cursor | null = null;
  let inFlight = 0;
  let finished = false;
  const finish = () => {
    finished = true;
    mq9.roles.replaying.delete(sub);
  };

  const pump = (): void => {
    while (!finished && inFlight < WINDOW) {
      const box = mq9.mailboxes.get(mailId);
      if (sub.closed || box === undefined) return finish();
      let rows = mq9.store.unread(mailId, rank, CHUNK, cursor);
      if (rows.length === 0) {
        // Wait for the chunks in flight: until they are read, a look from the start
        // would find them again.
        if (inFlight > 0) return;
        // Messages being committed skipped this subscription and are not visible yet:
        // look again once they are.
        if (mq9.isWriting(box)) return mq9.writer.afterHanded(pump);
        rows = mq9.store.unread(mailId, rank, CHUNK, null);
        if (rows.length === 0) return finish();
      }
      const sent = deliver(rows);
      if (sent.length === 0) return finish();
      const last = sent[sent.length - 1]!;
      cursor = { priority: last.priority, msgId: last.msgId };
      inFlight++;
      sub.client.confirmReceipt((received) => {
        if (!received) {
          inFlight--;
          return finish();
        }
        // In flight until the marks are committed: a look from the start must not find
        // these again.
        mq9.markRead(new Map([[box, sent]]), () => {
          inFlight--;
          // A subscription that reached its UNSUB max is closed now.
          if (sub.closed) finish();
          else pump();
        });
      });
    }
  };

  const deliver = (rows: MessageRow[]): MessageRow[] => {
    let n = 0;
    while (n < rows.length && mq9.broker.deliverTo(sub, toMessage(rows[n]!))) n++;
    return n === rows.length ? rows : rows.slice(0, n);
  };

  // Start once the rest of this read is handled: clients send `UNSUB <sid> <max>` right
  // behind the SUB, and the replay must honour that max rather than consume past it.
  process.nextTick(pump);
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
