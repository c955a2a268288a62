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
 * it looks once more from the start (for urgent mail that arrived behind the cursor, or
 * that a member who left never confirmed), and switches to live delivery in the same
 * turn as an empty read, so nothing is lost or doubled.
 *
 * Owner subscriptions in one queue group are one consumer, as for live messages (one
 * member each): the group shares one replay, its messages dealt out across the members,
 * and members who join while it runs take part in it. A member who leaves takes only its
 * unconfirmed messages with it, and they stay unread for the others.
 */
import type { Client, Subscription } from "../nats/mod";
import { messageBytes } from "../store/block-reader";
import type { Cursor, MessageRow } from "../store/mail-store";
import { toMessage } from "./delivery";
import type { Mq9Service } from "./service";
import { priorityRank, type Priority } from "./subjects";

const CHUNK = 1000;
/**
 * Bytes per chunk, at most: the replay must never make its owner a slow consumer (the
 * broker disconnects one whose pending output passes max_pending, and it would again
 * at every reconnect), however big the backlog and however slowly the owner reads.
 */
const CHUNK_BYTES = 1024 * 1024;
/** Chunks delivered but not yet confirmed. */
const WINDOW = 4;

/** The owner subscriptions of one mailbox in one queue group, and their replay if any. */
interface QueueOwners {
  readonly members: Set<Subscription>;
  replay: OwnerReplay | null;
}

/** Starts owner replays, one per queue group (see the top of this file). */
export class OwnerReplays {
  /** By mailbox, priority filter and queue name. */
  private readonly groups = new Map<string, QueueOwners>();
  private readonly memberOf = new Map<Subscription, { key: string; group: QueueOwners }>();

  constructor(private readonly mq9: Mq9Service) {}

  /** A new owner subscription: replay to it, or let it join its queue group. */
  start(sub: Subscription, mailId: string, priority: Priority | null): void {
    if (this.mq9.mailboxes.get(mailId) === undefined) return;
    if (sub.queue === null) {
      replay(this.mq9, mailId, priority, sub, () => {});
      return;
    }
    const key = `${mailId} ${priority ?? "*"} ${sub.queue}`;
    let group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, (group = { members: new Set(), replay: null }));
    const live = group.members.size > 0;
    group.members.add(sub);
    this.memberOf.set(sub, { key, group });
    // A group already live took its backlog when it started: a new member only shares
    // what comes next (a replay now could also find what another member was just handed
    // and has not confirmed yet).
    if (group.replay !== null) group.replay.join(sub);
    else if (!live) {
      const g = group;
      g.replay = replay(this.mq9, mailId, priority, sub, () => {
        g.replay = null;
        if (g.members.size === 0) this.groups.delete(key);
      });
    }
  }

  /** An owner subscription went away. */
  stopped(sub: Subscription): void {
    const entry = this.memberOf.get(sub);
    if (entry === undefined) return;
    this.memberOf.delete(sub);
    entry.group.members.delete(sub);
    if (entry.group.members.size === 0 && entry.group.replay === null) {
      this.groups.delete(entry.key);
    }
  }
}

function replay(
  mq9: Mq9Service,
  mailId: string,
  priority: Priority | null,
  first: Subscription,
  onFinish: () => void,
): OwnerReplay {
  const r = new OwnerReplay(mq9, mailId, priority, first, onFinish);
  // Start once the rest of this read is handled: clients send `UNSUB <sid> <max>` right
  // behind the SUB, and the replay must honour that max rather than consume past it.
  mq9.pacer.run(r.pump);
  return r;
}

class OwnerReplay {
  private readonly rank: number | null;
  /** Who it deals to: one subscription, or the members of a queue group. */
  private members: Subscription[];
  /** The member the next message goes to first. */
  private turn = 0;
  private cursor: Cursor | null = null;
  private inFlight = 0;
  private finished = false;

  constructor(
    private readonly mq9: Mq9Service,
    private readonly mailId: string,
    priority: Priority | null,
    first: Subscription,
    private readonly onFinish: () => void,
  ) {
    this.rank = priority === null ? null : priorityRank(priority);
    this.members = [first];
    // Live messages skip the subscription from now on and stay unread for the replay.
    mq9.roles.replaying.add(first);
  }

  join(sub: Subscription): void {
    this.members.push(sub);
    this.mq9.roles.replaying.add(sub);
  }

  private finish(): void {
    this.finished = true;
    for (const sub of this.members) this.mq9.roles.replaying.delete(sub);
    this.onFinish();
  }

  readonly pump = (): void => {
    const mq9 = this.mq9;
    while (!this.finished && this.inFlight < WINDOW) {
      // Chunks are read and sent in the pacer's slices, between other clients' reads.
      if (mq9.pacer.spent) return mq9.pacer.run(this.pump);
      const box = mq9.mailboxes.get(this.mailId);
      this.members = this.members.filter((s) => !s.closed);
      if (this.members.length === 0 || box === undefined) return this.finish();
      // Half of max_pending at most in flight, and one message at least per chunk.
      const bytes = Math.min(CHUNK_BYTES, mq9.broker.options.maxPending / (2 * WINDOW));
      let rows = mq9.store.unread(this.mailId, this.rank, CHUNK, this.cursor, bytes);
      if (rows.length === 0) {
        // Wait for the chunks in flight: until they are read, a look from the start
        // would find them again.
        if (this.inFlight > 0) return;
        // Messages being committed skipped this subscription and are not visible yet:
        // look again once they are.
        if (mq9.isWriting(box)) return mq9.writer.afterHanded(this.pump);
        rows = mq9.store.unread(this.mailId, this.rank, CHUNK, null, bytes);
        if (rows.length === 0) return this.finish();
      }
      const sent = this.deliver(rows);
      if (sent.size === 0) return this.finish();
      this.inFlight++;
      let waiting = sent.size;
      const settled = () => {
        if (--waiting > 0) return;
        this.inFlight--;
        this.pump();
      };
      for (const [client, got] of sent) {
        client.confirmReceipt((received) => {
          // Unconfirmed, they stay unread: the look from the start finds them again.
          if (!received) return settled();
          // In flight until the marks are committed: a look from the start must not find
          // these again.
          mq9.markRead(new Map([[box, got]]), settled);
        });
      }
    }
  };

  /**
   * Deals `rows` out in order, each to the next member able to take it (one that reached
   * its UNSUB max is not); stops at a row nobody takes. Gives what each client got.
   */
  private deliver(rows: readonly MessageRow[]): Map<Client, MessageRow[]> {
    const sent = new Map<Client, MessageRow[]>();
    const n = this.members.length;
    for (const row of rows) {
      const msg = toMessage(row);
      let taker: Subscription | null = null;
      for (let k = 0; k < n && taker === null; k++) {
        const sub = this.members[(this.turn + k) % n]!;
        if (!sub.closed && this.mq9.broker.deliverTo(sub, msg)) {
          taker = sub;
          this.turn = (this.turn + k + 1) % n;
        }
      }
      if (taker === null) break;
      const got = sent.get(taker.client);
      if (got === undefined) sent.set(taker.client, [row]);
      else got.push(row);
      this.cursor = { priority: row.priority, msgId: row.msgId };
    }
    return sent;
  }
}

/** Mailboxes looked at per step of a latest-state snapshot, matching or not. */
const STATE_SCAN = 5000;

/**
 * The current message of every matching `latest` mailbox, for a prefix pattern or a full
 * `*` (§6.3). Monitors never change unread state. It goes out in chunks like a replay's
 * (1 000 messages or 1 MiB, less with a small max_pending), the next once the watcher has
 * read the last, so neither a slow watcher nor tens of thousands of workers hold up the
 * broker: 20 000 at once had kept every other client waiting 2.8 s. A mailbox updated
 * meanwhile is delivered live, and its snapshot, read when its turn comes, is that update
 * or a newer one, so the last state a watcher sees of each mailbox is its current one.
 */
export function sendLatestState(
  mq9: Mq9Service,
  sub: Subscription,
  prefix: string,
  priority: Priority | null,
): void {
  const rank = priority === null ? null : priorityRank(priority);
  const boxes = mq9.mailboxes.values();
  const step = (): void => {
    if (sub.closed) return;
    const bytesMax = Math.min(CHUNK_BYTES, mq9.broker.options.maxPending / 2);
    const now = Date.now();
    let sent = 0;
    let bytes = 0;
    for (let scanned = 0; scanned < STATE_SCAN; scanned++) {
      if (scanned % 100 === 99 && mq9.pacer.spent) break;
      const next = boxes.next();
      if (next.done === true) return;
      const box = next.value;
      if (box.type !== "latest" || !box.mailId.startsWith(prefix) || box.stored === 0) continue;
      if (box.expiresAt !== null && box.expiresAt <= now) continue;
      const row = mq9.store.newest(box.mailId, rank);
      if (row === undefined) continue;
      if (!mq9.broker.deliverTo(sub, toMessage(row))) return;
      bytes += messageBytes(row);
      if (++sent >= CHUNK || bytes >= bytesMax) break;
    }
    if (sent === 0) return mq9.pacer.run(step);
    sub.client.confirmReceipt((received) => {
      if (received) mq9.pacer.run(step);
    });
  };
  mq9.pacer.run(step);
}
