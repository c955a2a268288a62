/**
 * The mq9 layer: mailboxes on top of a plain NATS broker. It hooks in where a publish or
 * a subscription touches `$mq9.AI.` (architecture.md) and leaves everything else to NATS.
 *
 *   const mq9 = new Mq9Service(store, options, log);
 *   const broker = new Broker({ hooks: mq9.hooks });
 *   mq9.start(broker);
 */
import type { Broker, BrokerHooks, Client, Logger, Subscription } from "../nats/mod";
import type { Message } from "../nats/message";
import { CloseReason } from "../nats/close-reason";
import type { MailStore } from "../store/mail-store";
import { ReadMarks, type MarksByMailbox, type MessageKey } from "./read-marks";
import {
  mayReceive,
  plainMessage,
  recipients,
  toMessage,
  type SubscriptionRoles,
} from "./delivery";
import { Mq9Error } from "./errors";
import { handleCreate } from "./handlers/create";
import { handleDelete } from "./handlers/delete";
import { handleQuery } from "./handlers/query";
import { handleSend } from "./handlers/send";
import { MailboxRegistry, type Mailbox } from "./mailboxes";
import { MQ9_DEFAULTS, type Mq9Options } from "./options";
import { Pacer } from "./pacer";
import { OwnerReplays, sendLatestState } from "./replay";
import {
  EXPIRED_SUBJECT,
  MQ9_PREFIX,
  classifyPublish,
  classifySubscription,
  type PublishTarget,
} from "./subjects";
import { GroupCommit } from "./writer";
import type { SendBatch, SendGroup } from "./send-batch";
import { joinBlocks } from "../store/block-builder";
import { Expiry } from "./expiry";
import { Reaper } from "./reaper";

/** Subjects whose classification is remembered (see classify). */
const TARGET_CACHE_SIZE = 4096;

export interface Mq9Stats {
  mailboxes: number;
  storedMessages: number;
  unreadMessages: number;
  deadLetters: number;
}

export class Mq9Service {
  readonly options: Mq9Options;
  readonly mailboxes = new MailboxRegistry();
  readonly roles: SubscriptionRoles = {
    owners: new Map(),
    replaying: new Set(),
    extended: new Map(),
  };
  readonly writer: GroupCommit;
  readonly hooks: Partial<BrokerHooks>;
  private brokerRef: Broker | null = null;
  private nextMsgId = 1;
  private readonly creates = new Map<Client, number[]>();
  private readonly targets = new Map<string, PublishTarget>();
  /** Messages per mailbox handed to the store and not committed yet. */
  private readonly writing = new Map<Mailbox, number>();
  /** QUERYs run one at a time, each after the read marks of the one before (queueQuery). */
  private queries: (() => void)[] | null = null;
  private readonly expiry: Expiry;
  readonly reaper: Reaper;
  private readonly readMarks: ReadMarks;
  private readonly replays = new OwnerReplays(this);
  /** Replays and latest-state snapshots run in its slices (pacer.ts). */
  readonly pacer = new Pacer();

  constructor(
    readonly store: MailStore,
    options: Partial<Mq9Options> = {},
    readonly log: Logger,
  ) {
    this.options = { ...MQ9_DEFAULTS, ...options };
    // An operator who lowers the maximum lowers the default with it.
    this.options.defaultTtl = Math.min(this.options.defaultTtl, this.options.maxTtl);
    this.writer = new GroupCommit({
      prepare: (s) => this.prepare(s),
      write: (batch, done) => this.write(batch, done),
      committed: (batch) => this.committed(batch),
      failed: (batch, err) => this.failed(batch, err),
    });
    this.readMarks = new ReadMarks(
      store.writer,
      (box) => this.mailboxes.get(box.mailId) === box,
      log,
    );
    this.expiry = new Expiry(this);
    // Sends committed within the last 10 ms count as live traffic.
    this.reaper = new Reaper(store, () => performance.now() - this.writer.lastCommitAt < 10);
    this.hooks = {
      interceptPublish: (client, msg) => this.intercept(client, msg),
      ping: (client, pong) => this.writer.barrier(client, pong),
      subscribed: (sub) => this.subscribed(sub),
      unsubscribed: (sub) => this.unsubscribed(sub),
      disconnected: (client) => {
        this.writer.forget(client);
        this.creates.delete(client);
      },
    };
  }

  get broker(): Broker {
    if (this.brokerRef === null) throw new Error("mq9 used before start()");
    return this.brokerRef;
  }

  /** Loads the store, applies expiry that passed while the broker was down, starts timers. */
  start(broker: Broker): void {
    this.brokerRef = broker;
    this.options.maxPayload = Math.min(this.options.maxPayload, broker.options.maxPayload);
    this.mailboxes.load(this.store.loadMailboxes());
    this.nextMsgId = this.store.loadNextMsgId();
    this.reaper.start();
    this.expiry.start();
    this.log.info("mq9 ready", { mailboxes: this.mailboxes.size, next_msg_id: this.nextMsgId });
  }

  /**
   * Stops the timers and commits what is queued (releasing the PONGs waiting on it); the
   * store stays open for the caller.
   */
  async stop(): Promise<void> {
    this.expiry.stop();
    this.reaper.stop();
    await this.writer.drain();
    await new Promise<void>((resolve) => this.readMarks.now(new Map(), resolve));
  }

  allocateMsgId(): number {
    return this.nextMsgId++;
  }

  stats(): Mq9Stats {
    let stored = 0;
    let unread = 0;
    for (const box of this.mailboxes.values()) {
      stored += box.stored;
      unread += box.unread;
    }
    return {
      mailboxes: this.mailboxes.size,
      storedMessages: stored,
      unreadMessages: unread,
      deadLetters: this.store.countDeadLetters(),
    };
  }

  // ---- replies and events ----

  reply(to: string | null, body: unknown): void {
    if (to === null) return;
    this.broker.deliver(null, plainMessage(to, Buffer.from(JSON.stringify(body))));
  }

  fail(to: string | null, err: Mq9Error): void {
    this.reply(to, err.toReply());
  }

  /** A broadcast from the broker itself, e.g. `system.expired` (mq9.md §8). */
  publishEvent(subject: string, body: unknown): void {
    const msg = plainMessage(subject, Buffer.from(JSON.stringify(body)));
    for (const sub of recipients(this.broker, this.roles, subject, null, null).subs) {
      this.broker.deliverTo(sub, msg);
    }
  }

  /** A mailbox is gone (expired or deleted): forget it and tell the indexes (§8). */
  mailboxGone(box: Mailbox, at: number, reason: "expired" | "deleted"): void {
    this.mailboxes.remove(box.mailId);
    this.publishEvent(EXPIRED_SUBJECT, {
      mail_id: box.mailId,
      type: box.type,
      expired_at: at,
      reason,
    });
  }

  /** Per connection per minute (mq9.md §11). */
  allowCreate(client: Client, now: number): boolean {
    const window = (this.creates.get(client) ?? []).filter((t) => now - t < 60_000);
    if (window.length >= this.options.createsPerMinute) {
      this.creates.set(client, window);
      return false;
    }
    window.push(now);
    this.creates.set(client, window);
    return true;
  }

  // ---- broker hooks ----

  private intercept(client: Client, msg: Message): boolean {
    if (!msg.subject.startsWith(MQ9_PREFIX)) return false;
    const target = this.classify(msg.subject);
    try {
      switch (target.kind) {
        case "inbox":
          handleSend(this, client, msg, target);
          return true;
        case "create":
          handleCreate(this, client, msg);
          return true;
        case "query":
          handleQuery(this, msg, target.mailId);
          return true;
        case "delete":
          handleDelete(this, msg, target.mailId);
          return true;
        case "broadcast":
          return this.broadcast(client, msg);
        case "unknown":
          throw new Mq9Error("bad_request", `unknown mq9 subject ${msg.subject}`);
      }
    } catch (err) {
      const e =
        err instanceof Mq9Error ? err : new Mq9Error("internal", "the broker failed to do that");
      if (!(err instanceof Mq9Error)) {
        this.log.error("mq9 request failed", { cid: client.id, err: String(err) });
      } else if (msg.reply === null) {
        // Nowhere to answer: at least leave a trace (ids and codes only, never the body).
        this.log.debug("mq9 request refused", { cid: client.id, code: e.code });
      }
      this.fail(msg.reply, e);
      return true;
    }
  }

  /**
   * What a publish asks for, remembered per subject: senders repeat their mailboxes, so
   * the subject is split and its mail_id cut out (a new string to hash) once, not per send.
   */
  private classify(subject: string): PublishTarget {
    let target = this.targets.get(subject);
    if (target === undefined) {
      target = classifyPublish(subject);
      if (this.targets.size >= TARGET_CACHE_SIZE) this.targets.clear();
      this.targets.set(subject, target);
    }
    return target;
  }

  /**
   * Broadcasts are plain NATS (§8); mq9 only steps in to add its extended subscriptions
   * (prefix patterns, `#`), which NATS matching cannot see.
   */
  private broadcast(client: Client, msg: Message): boolean {
    let extended = false;
    for (const matches of this.roles.extended.values()) {
      if (matches(msg.subject)) {
        extended = true;
        break;
      }
    }
    if (!extended) return false;
    const served = new Set<string>();
    for (const sub of recipients(this.broker, this.roles, msg.subject, null, client).subs) {
      if (this.broker.deliverTo(sub, msg) && sub.queue !== null) served.add(sub.queue);
    }
    // The other servers of a cluster deliver it by plain NATS rules.
    this.broker.forwardToCluster(client, msg, served);
    return true;
  }

  private subscribed(sub: Subscription): void {
    const shape = classifySubscription(sub.subject);
    if (shape === null) return;
    if (shape.extended !== null) this.roles.extended.set(sub, shape.extended);
    if (shape.owner !== null) {
      this.roles.owners.set(sub, shape.owner.mailId);
      this.replays.start(sub, shape.owner.mailId, shape.owner.priority);
    }
    const latest = shape.latestState;
    if (latest !== null) {
      // After the rest of this read, like the owner replay (an UNSUB max may follow).
      sendLatestState(this, sub, latest.prefix, latest.priority);
    }
  }

  private unsubscribed(sub: Subscription): void {
    if (this.roles.owners.delete(sub)) this.replays.stopped(sub);
    this.roles.replaying.delete(sub);
    this.roles.extended.delete(sub);
  }

  // ---- group commit ----

  private prepare(group: SendGroup): boolean {
    const { box } = group;
    // The mailbox may have been deleted since the sends were accepted (or have expired
    // before them, if it was deleted and created again meanwhile).
    if (this.mailboxes.get(box.mailId, group.since) !== box) {
      for (const row of group.rows()) {
        this.fail(row.reply, new Mq9Error("not_found", `no mailbox ${box.mailId}`));
      }
      return false;
    }
    // Nobody online for this subject (the usual case of a store-first send): decided once
    // for the group. Otherwise each message gets its own draw of queue members.
    if (!mayReceive(this.broker, this.roles, group.subject)) return true;
    group.recipients = group.froms.map((from) =>
      recipients(this.broker, this.roles, group.subject, box.mailId, from),
    );
    return true;
  }

  private write(groups: readonly SendGroup[], done: (err: Error | null) => void): void {
    for (const g of groups) this.writing.set(g.box, (this.writing.get(g.box) ?? 0) + g.count);
    const marks = this.readMarks.take();
    this.store.writer.write(
      joinBlocks(groups.map((g) => g.builder)),
      marks.groups,
      (err, result) => {
        marks.settle(err, result.changed);
        for (const g of groups) {
          // Only a group with someone to deliver to marks anything read.
          const i = g.builder.stored;
          if (err === null && i >= 0 && !g.builder.latest && g.recipients !== null)
            g.block = { id: result.blockIds[i]!, first: g.builder.first, count: g.count };
          const left = (this.writing.get(g.box) ?? g.count) - g.count;
          if (left > 0) this.writing.set(g.box, left);
          else this.writing.delete(g.box);
        }
        done(err);
      },
    );
  }

  /** Whether messages to this mailbox are being committed (not yet visible to reads). */
  isWriting(box: Mailbox): boolean {
    return this.writing.has(box);
  }

  /**
   * Delivers what was just committed. Every message is stored unread; one handed to an
   * owner becomes read once the owner has answered a PING sent behind it, so a crash, a
   * cut-off owner or a dropped connection never loses mail: at worst it comes again, with
   * the same Mq9-Msg-Id (at-least-once).
   */
  private committed(batch: SendBatch): void {
    let online = false;
    // A latest mailbox keeps the newest message of the batch, whatever its priority.
    let newest: Map<Mailbox, SendGroup> | null = null;
    for (const g of batch.groups) {
      if (g.dropped) continue;
      const box = g.box;
      if (box.type === "latest") {
        const known = newest?.get(box);
        if (known === undefined || g.builder.last > known.builder.last)
          (newest ??= new Map()).set(box, g);
      } else box.unread += g.count;
      if (g.recipients !== null) online = true;
    }
    if (newest !== null) {
      for (const [box, g] of newest) {
        box.stored = 1;
        box.bytes = g.builder.storedBytes;
        box.unread = 1;
      }
    }
    if (!online) return;
    // In the order they were sent, across mailboxes, as a NATS subscriber would see them.
    const reads = new Map<Client, Map<Mailbox, MessageKey[]>>();
    const next = new Array<number>(batch.groups.length).fill(0);
    for (const gi of batch.order) {
      const g = batch.groups[gi]!;
      const i = next[gi]!++;
      if (g.dropped || g.recipients === null) continue;
      const r = g.recipients[i]!;
      if (r.subs.length === 0) continue;
      const row = g.rows()[i]!;
      const msg = toMessage(row);
      for (const sub of r.subs) {
        if (!this.broker.deliverTo(sub, msg) || !r.owners.includes(sub)) continue;
        let perBox = reads.get(sub.client);
        if (perBox === undefined) reads.set(sub.client, (perBox = new Map()));
        const key = { priority: row.priority, msgId: row.msgId, block: g.block };
        const keys = perBox.get(g.box);
        if (keys === undefined) perBox.set(g.box, [key]);
        else keys.push(key);
      }
    }
    for (const [client, perBox] of reads) {
      // Read once the owner proves it has them; if it never does, they stay unread and
      // come again with the next replay.
      client.confirmReceipt((received) => {
        if (received) this.readMarks.later(perBox);
      });
    }
    // Store-first already cost a commit; do not add a turn of the event loop to it.
    this.broker.flushNow();
  }

  /**
   * Stores messages as read and keeps the mailboxes' counts in step; `done` once that is
   * committed.
   */
  markRead(perBox: MarksByMailbox, done?: () => void): void {
    this.readMarks.now(perBox, done);
  }

  /**
   * Hands the sends batched so far to the store now rather than at the end of this turn:
   * a request that comes behind them must find them stored (and delivered) first.
   */
  commitSends(): void {
    this.writer.commit();
  }

  /**
   * Runs a QUERY's read (and read marks) once the read marks given to the store before it
   * are committed, and after the QUERY before it has committed its own, so it sees every
   * message as read that was handed out before it came, and two QUERYs never both hand
   * out the same unread message. `run` calls `next` when its own marks are committed.
   */
  queueQuery(run: (next: () => void) => void): void {
    const step = () => {
      // Sends still being batched would not be seen, though they came first (a client's
      // ops are handled in order): hand them over now, with the marks waiting.
      this.commitSends();
      this.readMarks.now(new Map());
      this.store.writer.afterPending(() => run(() => this.nextQuery()));
    };
    if (this.queries !== null) this.queries.push(step);
    else {
      this.queries = [];
      step();
    }
  }

  private nextQuery(): void {
    const next = this.queries?.shift();
    if (next !== undefined) next();
    else this.queries = null;
  }

  private failed(groups: readonly SendGroup[], err: Error): void {
    const count = groups.reduce((n, g) => n + g.count, 0);
    this.log.error("mq9 commit failed", { messages: count, err: String(err) });
    for (const g of groups) {
      if (g.box.type !== "latest") {
        g.box.stored -= g.count;
        g.box.bytes -= g.accepted;
      }
      g.rows().forEach((row, i) => {
        this.fail(row.reply, new Mq9Error("internal", "the message could not be stored"));
        // Its flush must not confirm what was not stored: without a reply subject, the
        // connection is closed so the client's flush fails instead of lying.
        if (row.reply === null) g.froms[i]!.close(CloseReason.Other);
      });
    }
  }
}
