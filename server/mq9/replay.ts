/**
 * Store-first replay (mq9.md §6.1, §6.3). An owner subscription first receives the
 * mailbox's unread messages in mq9 order, a chunk at a time. A chunk becomes read once the
 * owner has answered a PING sent behind it, and only then is the next one read from the
 * store: the replay runs at the pace the owner reads, and a connection that dies
 * mid-replay leaves the rest unread. Live messages that arrive meanwhile skip the subscription and stay
 * unread, so the next chunk picks them up; the switch to live delivery happens in the
 * same turn as the empty read, and nothing is lost or doubled.
 */
import type { Subscription } from "../nats/mod";
import { toMessage } from "./delivery";
import type { Mq9Service } from "./service";
import { priorityRank, type Priority } from "./subjects";

const CHUNK = 1000;

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
  const done = () => mq9.roles.replaying.delete(sub);
  const step = (): void => {
    const box = mq9.mailboxes.get(mailId);
    if (sub.closed || box === undefined) return void done();
    const rows = mq9.store.unread(mailId, rank, CHUNK);
    if (rows.length === 0) return void done();
    const sent: number[] = [];
    for (const row of rows) {
      if (!mq9.broker.deliverTo(sub, toMessage(row))) break;
      sent.push(row.msgId);
    }
    if (sent.length === 0) return void done();
    sub.client.confirmReceipt((received) => {
      if (!received) return void done();
      mq9.markRead(new Map([[box, sent]]));
      // A subscription that reached its UNSUB max is closed now.
      if (sub.closed) done();
      else step();
    });
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
