/**
 * Read marks on their way to the store (mq9.md §6.2). A message handed to an owner
 * becomes read once the owner has answered a PING sent behind it. Marks for live
 * deliveries are not urgent (until committed, a message at worst comes again:
 * at-least-once), so they ride along with the next batch of messages, or go on their own
 * within MARK_DELAY_MS: at a steady rate that halves the commits. Replays and QUERYs wait
 * for their marks, and take the waiting ones with them.
 */
import type { Logger } from "../nats/mod";
import { NO_BLOCKS } from "../store/block-builder";
import type { BlockRef, MessageWriter, ReadMarkGroup, StoredBlock } from "../store/message-writer";
import type { Mailbox } from "./mailboxes";

/** Where a stored message sits: enough to mark it read. */
export interface MessageKey {
  priority: number;
  msgId: number;
  /**
   * Its block, when known (live deliveries, replays, QUERYs): a block whose every message
   * is marked at once is marked by its id, without reading or rewriting its records.
   */
  block?: StoredBlock | null;
}

export type MarksByMailbox = ReadonlyMap<Mailbox, readonly MessageKey[]>;

const MARK_DELAY_MS = 20;

/** Marks taken for one write, and how to account for them once it is done. */
export interface TakenMarks {
  groups: ReadMarkGroup[];
  settle(err: Error | null, changed: readonly number[]): void;
}

export class ReadMarks {
  private waiting = new Map<Mailbox, MessageKey[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly writer: MessageWriter,
    /** Whether a mailbox is still the live one (a gone mailbox has no counts to keep). */
    private readonly isLive: (box: Mailbox) => boolean,
    private readonly log: Logger,
  ) {}

  /** Marks for live deliveries: committed soon. */
  later(perBox: MarksByMailbox): void {
    addMarks(this.waiting, perBox);
    this.timer ??= setTimeout(() => this.now(new Map()), MARK_DELAY_MS);
  }

  /** Commits these marks, and any waiting ones, now; `done` once committed. */
  now(perBox: MarksByMailbox, done?: () => void): void {
    addMarks(this.waiting, perBox);
    const taken = this.take();
    if (taken.groups.length === 0) return done?.();
    this.writer.write(NO_BLOCKS, taken.groups, (err, result) => {
      taken.settle(err, result.changed);
      done?.();
    });
  }

  /** The waiting marks, for a write that commits them. */
  take(): TakenMarks {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const all = this.waiting;
    this.waiting = new Map();
    // One group per mailbox and priority: each is a primary-key prefix in the store.
    const groups: ReadMarkGroup[] = [];
    const boxes: Mailbox[] = [];
    for (const [box, keys] of all) {
      const byPriority: (MessageKey[] | undefined)[] = [];
      for (const k of keys) (byPriority[k.priority] ??= []).push(k);
      byPriority.forEach((keys, priority) => {
        if (keys !== undefined) {
          groups.push({ mailId: box.mailId, priority, ...byBlock(keys) });
          boxes.push(box);
        }
      });
    }
    const settle = (err: Error | null, changed: readonly number[]) => {
      if (err !== null) {
        // They stay unread and come again: at-least-once, never lost.
        this.log.error("mq9 read marks failed", { groups: groups.length, err: String(err) });
        return;
      }
      boxes.forEach((box, i) => {
        if (this.isLive(box)) box.unread -= changed[i] ?? 0;
      });
    };
    return { groups, settle };
  }
}

/** Whole blocks by id; the other messages by msg_id. */
function byBlock(keys: readonly MessageKey[]): Pick<ReadMarkGroup, "blocks" | "msgIds"> {
  const msgIds: number[] = [];
  let perBlock: Map<StoredBlock, Set<number>> | null = null;
  for (const k of keys) {
    if (k.block == null) msgIds.push(k.msgId);
    else {
      perBlock ??= new Map();
      const ids = perBlock.get(k.block);
      // A set: one message handed to two owner subscriptions is marked twice.
      if (ids === undefined) perBlock.set(k.block, new Set([k.msgId]));
      else ids.add(k.msgId);
    }
  }
  const blocks: BlockRef[] = [];
  if (perBlock !== null) {
    for (const [block, ids] of perBlock) {
      if (ids.size === block.count) blocks.push({ id: block.id, first: block.first });
      else msgIds.push(...ids);
    }
  }
  return { blocks, msgIds };
}

function addMarks(into: Map<Mailbox, MessageKey[]>, from: MarksByMailbox): void {
  for (const [box, keys] of from) {
    const list = into.get(box);
    if (list === undefined) into.set(box, [...keys]);
    else list.push(...keys);
  }
}
