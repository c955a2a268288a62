/**
 * The inbox messages of one group commit as they arrive: one block per mailbox and
 * priority (store/block-builder.ts), written once per message, plus the order they were
 * sent in and who sent them. Everything else about a message is derived from its record
 * when needed, which is only when someone is online to receive it, or when it fails.
 */
import type { Client } from "../nats/mod";
import { BlockBuilder } from "../store/block-builder";
import type { MessageRow } from "../store/schema";
import type { Recipients } from "./delivery";
import type { StoredBlock } from "../store/message-writer";
import type { Mailbox } from "./mailboxes";

/** One mailbox × priority's share of a batch. */
export class SendGroup {
  readonly builder: BlockBuilder;
  /** The sender of each message, in order. */
  readonly froms: Client[] = [];
  /** Payload plus header bytes, as counted against the mailbox's byte limit. */
  accepted = 0;
  /** When its first message was accepted (ms). */
  since = 0;
  /** Set when handed over: each message's recipients, or null when nobody can receive any. */
  recipients: Recipients[] | null = null;
  /** The mailbox went away before the batch was handed over. */
  dropped = false;
  /**
   * Once committed, when it has recipients: the block holding all its messages (not for a
   * `latest` mailbox).
   */
  block: StoredBlock | null = null;
  private decoded: MessageRow[] | null = null;

  constructor(
    readonly index: number,
    readonly box: Mailbox,
    readonly priority: number,
    readonly subject: string,
  ) {
    this.builder = new BlockBuilder(box.mailId, priority, box.type === "latest");
  }

  get count(): number {
    return this.builder.count;
  }

  /** The messages as rows, decoded once. */
  rows(): MessageRow[] {
    return (this.decoded ??= this.builder.rows());
  }
}

export class SendBatch {
  readonly groups: SendGroup[] = [];
  /** Each message's group (its index in `groups`), in the order they were sent. */
  readonly order: number[] = [];
  private readonly byBox = new Map<Mailbox, (SendGroup | undefined)[]>();

  /** The group a message to `box` at `priority` goes to; counts the message. */
  add(box: Mailbox, priority: number, subject: string, from: Client): SendGroup {
    let byPriority = this.byBox.get(box);
    if (byPriority === undefined) this.byBox.set(box, (byPriority = []));
    let group = byPriority[priority];
    if (group === undefined) {
      group = new SendGroup(this.groups.length, box, priority, subject);
      byPriority[priority] = group;
      this.groups.push(group);
    }
    group.froms.push(from);
    this.order.push(group.index);
    return group;
  }
}
