/**
 * The mq9 client: mailboxes, sends, owner subscriptions, QUERY, broadcasts and the §12
 * request/answer convention, over any NATS connection (see connection.ts).
 *
 *   const mq9 = new Mq9Client(nc);
 *   const box = await mq9.create({ ttl: 600 });
 *   await mq9.send(box.mailId, { type: "task", payload: "…" }, { priority: "urgent" });
 *   for await (const m of mq9.subscribe(box.mailId)) console.log(m.msgId, m.json());
 */
import {
  BROADCAST_PREFIX,
  CAPABILITY_SUBJECT,
  CREATE_SUBJECT,
  classifyPublish,
  type Priority,
} from "../../server/mq9/subjects";
import {
  broadcastPattern,
  broadcastSubject,
  deleteSubject,
  inboxPattern,
  inboxSubject,
  mailIdOf,
  querySubject,
  type PriorityFilter,
} from "./addresses";
import type { NatsConnectionLike, NatsMessage, OutgoingHeaders } from "./connection";
import {
  capabilityAnnouncement,
  newCorrelationId,
  type CapabilityAnnouncement,
  type CapabilityAnnouncementInit,
} from "./conventions";
import { Mq9RequestError, Mq9TimeoutError, replyError } from "./errors";
import { HeaderBlock, headerBlock, type HeadersInit } from "./headers";
import {
  broadcastMessage,
  inboxMessage,
  storedMessage,
  type Mq9Broadcast,
  type Mq9Message,
  type Mq9StoredMessage,
} from "./messages";
import { encodeBody, jsonObject, type Body } from "./payload";
import { Mq9Subscription } from "./subscription";
import {
  isCreateReply,
  isDeleteReply,
  isQueryReply,
  type MailboxType,
  type QueryReplyWire,
} from "./wire";

export interface Mq9ClientOptions {
  /** How long CREATE, QUERY and DELETE wait for the broker, in ms. Default 5000. */
  timeout?: number;
  /**
   * Makes the header objects handed to `publish`. The default works with the `nats`,
   * `nats.ws` and `@nats-io/nats-core` clients; pass their own `headers` to be safe
   * against a client that serialises headers differently.
   */
  headers?: () => OutgoingHeaders;
}

export interface CreateOptions {
  type?: MailboxType;
  /** Seconds; the broker's default is 3600. */
  ttl?: number;
  /** An exact mail_id (must be free); not with `prefix`. */
  name?: string;
  /** The broker appends random characters (mq9.md §2). */
  prefix?: string;
}

export interface Mailbox {
  mailId: string;
  /** Shown once: QUERY and DELETE need it. */
  token: string;
  type: MailboxType;
  ttl: number;
  /** ms since epoch; null when the mailbox never expires. */
  expiresAt: number | null;
  /** `$mq9.AI.INBOX.{mail_id}`: append `.urgent`, `.normal` or `.notify`. */
  inbox: string;
}

export interface SendOptions {
  /** Default normal. */
  priority?: Priority;
  headers?: HeadersInit;
  /** The NATS reply subject passed through to the recipient (mq9.md §4.2). */
  replyTo?: string;
  /**
   * Wait for the broker's PONG, which on an mq9 broker means the message is stored
   * (§4.5). Default true; false returns at once, with no guarantee.
   */
  confirm?: boolean;
  /**
   * Hear the broker's error for this send (not_found, mailbox_full, …) and throw it as
   * `Mq9RequestError`. The broker only answers errors to a reply subject (§4.4), so the
   * message is sent with a private one, which the recipient sees as its reply subject
   * though nobody listens there after the send. Not with `replyTo`. Default false.
   */
  check?: boolean;
}

export interface QueryOptions {
  /** Default 100, at most 1000. */
  limit?: number;
  /** Only messages after this msg_id, in mq9 order. */
  after?: number;
  /** Leave unread messages unread. */
  peek?: boolean;
}

export interface QueryResult {
  mailId: string;
  type: MailboxType;
  expiresAt: number | null;
  /** Unread before this QUERY. */
  unread: number;
  messages: Mq9StoredMessage[];
  /** More follow the last of `messages`: query again with `after` its msgId. */
  more: boolean;
}

export interface RequestOptions {
  /** The asker's own mailbox: the answer is expected there, with the correlation id. */
  replyToMailbox: string;
  /** Priority of the question. Default normal. */
  priority?: Priority;
  /** Priority the answer is asked to come at (part of reply_to). Default normal. */
  replyPriority?: Priority;
  /** Default: the body's correlation_id, else a fresh one. */
  correlationId?: string;
  /** ms to wait for the answer. Default 30 000. */
  timeout?: number;
  headers?: HeadersInit;
}

export interface RespondOptions {
  /** The responder's mail_id, put in `from`. */
  from?: string;
  priority?: Priority;
  headers?: HeadersInit;
  check?: boolean;
}

export interface BroadcastOptions {
  headers?: HeadersInit;
}

export interface OnBroadcastOptions {
  /** A NATS queue group: each broadcast reaches one member (mq9.md §8). */
  queue?: string;
  /** Called when a handler throws or rejects; default logs the error (not the message). */
  onError?: (err: unknown, msg: Mq9Broadcast) => void;
}

export type BroadcastHandler = (msg: Mq9Broadcast) => void | Promise<void>;

const DEFAULT_TIMEOUT = 5000;
const DEFAULT_REQUEST_TIMEOUT = 30_000;

export class Mq9Client {
  private readonly timeout: number;
  private readonly makeHeaders: () => OutgoingHeaders;

  constructor(
    /** The NATS connection; the client never closes it. */
    readonly nc: NatsConnectionLike,
    options: Mq9ClientOptions = {},
  ) {
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.makeHeaders = options.headers ?? (() => new HeaderBlock());
  }

  // ---- mailboxes ----

  async create(options: CreateOptions = {}): Promise<Mailbox> {
    const body: Record<string, unknown> = {};
    for (const key of ["type", "ttl", "name", "prefix"] as const) {
      if (options[key] !== undefined) body[key] = options[key];
    }
    const reply = await this.call(CREATE_SUBJECT, body);
    if (!isCreateReply(reply)) throw unexpected(CREATE_SUBJECT);
    return {
      mailId: reply.mail_id,
      token: reply.token,
      type: reply.type,
      ttl: reply.ttl,
      expiresAt: reply.expires_at,
      inbox: reply.inbox,
    };
  }

  /**
   * Stored messages in mq9 order (§7); without `peek`, the unread ones returned become
   * read. One reply stays within max_payload, so it may hold fewer than `limit`: page
   * with `after` while `more`.
   */
  async query(mailId: string, token: string, options: QueryOptions = {}): Promise<QueryResult> {
    const subject = querySubject(mailId);
    const reply = await this.call(subject, { token, ...options });
    if (!isQueryReply(reply)) throw unexpected(subject);
    return fromQueryWire(reply);
  }

  async delete(mailId: string, token: string): Promise<{ mailId: string; deleted: true }> {
    const subject = deleteSubject(mailId);
    const reply = await this.call(subject, { token });
    if (!isDeleteReply(reply)) throw unexpected(subject);
    return { mailId: reply.mail_id, deleted: true };
  }

  // ---- sending ----

  /** Sends to a mailbox: a string as text, bytes as they are, anything else as JSON. */
  async send(mailId: string, body: Body, options: SendOptions = {}): Promise<void> {
    return this.sendTo(inboxSubject(mailId, options.priority ?? "normal"), body, options);
  }

  /**
   * Answers a request by the §12 convention: to its `reply_to`, with its
   * `correlation_id`. `body` fields are merged into `{from, type: "result"}`; a
   * non-object body becomes `payload`.
   */
  async respond(
    request: Mq9Message | object,
    body: unknown,
    options: RespondOptions = {},
  ): Promise<void> {
    const req = isMq9Message(request)
      ? jsonObject(request.data)
      : (request as Record<string, unknown>);
    const replyTo = req?.reply_to;
    if (typeof replyTo !== "string") throw new TypeError("the request has no reply_to");
    const target = classifyPublish(replyTo);
    if (target.kind !== "inbox" || target.priority === null) {
      throw new TypeError(`reply_to ${JSON.stringify(replyTo)} is not an mq9 inbox subject`);
    }
    const correlation = req?.correlation_id;
    const envelope: Record<string, unknown> = { type: "result", ...asFields(body) };
    if (options.from !== undefined) envelope.from = options.from;
    if (typeof correlation === "string") envelope.correlation_id = correlation;
    const subject =
      options.priority === undefined ? replyTo : inboxSubject(target.mailId, options.priority);
    return this.sendTo(subject, envelope, options);
  }

  /**
   * Asks a mailbox and waits for the answer (§12): sends `body` with `from`,
   * `correlation_id` and `reply_to` (the asker's own mailbox), then watches that mailbox
   * for a message with the same correlation id. Watching does not consume (§6.2): the
   * answer also stays in the asker's mailbox for its owner subscription or QUERY.
   * The send is checked (see `SendOptions.check`), so an unknown mailbox fails at once.
   */
  async request(mailId: string, body: unknown, options: RequestOptions): Promise<Mq9Message> {
    const fields = asFields(body);
    const own = options.replyToMailbox;
    const correlationId =
      options.correlationId ??
      (typeof fields.correlation_id === "string" ? fields.correlation_id : newCorrelationId());
    const envelope = {
      from: own,
      type: "question",
      ...fields,
      correlation_id: correlationId,
      reply_to: inboxSubject(own, options.replyPriority ?? "normal"),
    };
    const sent = encodeBody(envelope);
    const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT;

    let settle: { resolve(m: Mq9Message): void; reject(e: unknown): void } | undefined;
    const answer = new Promise<Mq9Message>((resolve, reject) => (settle = { resolve, reject }));
    // It may fail while the send is still awaited; it is awaited right after.
    answer.catch(() => {});
    // A prefix pattern watches without consuming (§6.3); other mailboxes with this
    // prefix are filtered out below.
    const watch = this.nc.subscribe(inboxPattern(`${own}*`, "*"), {
      callback: (err, msg) => {
        if (err !== null) return settle?.reject(err);
        if (mailIdOf(msg.subject) !== own || sameBytes(msg.data, sent)) return;
        if (jsonObject(msg.data)?.correlation_id !== correlationId) return;
        try {
          settle?.resolve(inboxMessage(msg));
        } catch (e) {
          settle?.reject(e);
        }
      },
    });
    const timer = setTimeout(
      () =>
        settle?.reject(
          new Mq9TimeoutError(`no answer to ${correlationId} within ${timeout} ms`, correlationId),
        ),
      timeout,
    );
    try {
      await this.sendTo(inboxSubject(mailId, options.priority ?? "normal"), sent, {
        headers: options.headers,
        check: true,
      });
      return await answer;
    } finally {
      clearTimeout(timer);
      watch.unsubscribe();
    }
  }

  // ---- receiving ----

  /**
   * The owner subscription of one mailbox (§6.1): unread mail first, in mq9 order
   * (urgent, normal, notify, each oldest first), then live messages. What it hands out
   * counts as read. Without a priority, all three. With a queue group, the members share
   * the mailbox: each message, stored or live, reaches one of them.
   */
  subscribe(
    mailId: string,
    options: { priority?: Priority; queue?: string } = {},
  ): Mq9Subscription<Mq9Message> {
    const subject = inboxSubject(mailId, options.priority ?? "*");
    const sub = this.nc.subscribe(subject, options.queue ? { queue: options.queue } : {});
    return new Mq9Subscription(sub, inboxMessage, subject);
  }

  /**
   * Watches many mailboxes without consuming their mail (§6.2): `pattern` is a mail_id
   * prefix ending in `*` (`m-status-*`) or `*`. It first gets the current message of
   * every matching `latest` mailbox, then live traffic (§6.3).
   */
  watch(pattern: string, options: { priority?: PriorityFilter } = {}): Mq9Subscription<Mq9Message> {
    const subject = inboxPattern(pattern, options.priority ?? "*");
    return new Mq9Subscription(this.nc.subscribe(subject), inboxMessage, subject);
  }

  // ---- broadcasts ----

  /** Fire and forget on `$mq9.AI.BROADCAST.{domain}.{event}`; never stored (§8). */
  broadcast(domain: string, event: string, body: Body, options: BroadcastOptions = {}): void {
    this.nc.publish(broadcastSubject(domain, event), encodeBody(body), {
      headers: headerBlock(options.headers, this.makeHeaders),
    });
  }

  /** §12.2 on `$mq9.AI.BROADCAST.system.capability`. */
  announce(announcement: CapabilityAnnouncement | CapabilityAnnouncementInit): void {
    const body =
      "type" in announcement && announcement.type === "capability"
        ? announcement
        : capabilityAnnouncement(announcement as CapabilityAnnouncementInit);
    this.nc.publish(CAPABILITY_SUBJECT, encodeBody(body));
  }

  /**
   * Broadcasts matching `pattern` (below `$mq9.AI.BROADCAST.`, wildcards and a final `#`
   * allowed). With a handler, messages go to it and the subscription is only for stopping;
   * without one, iterate the subscription.
   */
  onBroadcast(pattern: string, options?: OnBroadcastOptions): Mq9Subscription<Mq9Broadcast>;
  onBroadcast(
    pattern: string,
    handler: BroadcastHandler,
    options?: OnBroadcastOptions,
  ): Mq9Subscription<Mq9Broadcast>;
  onBroadcast(
    pattern: string,
    a?: BroadcastHandler | OnBroadcastOptions,
    b?: OnBroadcastOptions,
  ): Mq9Subscription<Mq9Broadcast> {
    const subject = broadcastPattern(pattern);
    const handler = typeof a === "function" ? a : undefined;
    const options = (typeof a === "function" ? b : a) ?? {};
    const convert = (m: NatsMessage) => broadcastMessage(m, BROADCAST_PREFIX.length);
    if (handler === undefined) {
      const sub = this.nc.subscribe(subject, options.queue ? { queue: options.queue } : {});
      return new Mq9Subscription(sub, convert, subject);
    }
    const onError =
      options.onError ??
      ((err: unknown, m: Mq9Broadcast) =>
        console.error(`mq9: handler for ${m.subject} failed:`, err));
    const sub = this.nc.subscribe(subject, {
      ...(options.queue ? { queue: options.queue } : {}),
      callback: (err, msg) => {
        if (err !== null) return;
        const m = convert(msg);
        try {
          Promise.resolve(handler(m)).catch((e: unknown) => onError(e, m));
        } catch (e) {
          onError(e, m);
        }
      },
    });
    return new Mq9Subscription(sub, convert, subject);
  }

  // ---- internals ----

  private async sendTo(
    subject: string,
    body: Body,
    options: Omit<SendOptions, "priority">,
  ): Promise<void> {
    const data = encodeBody(body);
    const headers = headerBlock(options.headers, this.makeHeaders);
    if (!options.check) {
      this.nc.publish(subject, data, { reply: options.replyTo, headers });
      if (options.confirm ?? true) await this.nc.flush();
      return;
    }
    if (options.replyTo !== undefined) throw new TypeError("check and replyTo exclude each other");
    // The broker answers an error before the PONG of a later PING (mq9.md §4.4, §4.5), and
    // callbacks run while the client reads, so after the flush any error is in hand.
    let failure: Mq9RequestError | null = null;
    const reply = privateInbox();
    const sub = this.nc.subscribe(reply, {
      max: 1,
      callback: (err, msg) => {
        if (err === null) failure = replyError(jsonObject(msg.data), subject);
      },
    });
    try {
      this.nc.publish(subject, data, { reply, headers });
      await this.nc.flush();
    } finally {
      sub.unsubscribe();
    }
    if (failure !== null) throw failure;
  }

  /** A request to the broker; its error replies become `Mq9RequestError`. */
  private async call(subject: string, body: Record<string, unknown>): Promise<unknown> {
    const msg = await this.nc.request(subject, encodeBody(body), { timeout: this.timeout });
    const reply = jsonObject(msg.data);
    const error = replyError(reply, subject);
    if (error !== null) throw error;
    return reply;
  }
}

function fromQueryWire(reply: QueryReplyWire): QueryResult {
  return {
    mailId: reply.mail_id,
    type: reply.type,
    expiresAt: reply.expires_at,
    unread: reply.unread,
    messages: reply.messages.map(storedMessage),
    more: reply.more === true,
  };
}

function unexpected(subject: string): TypeError {
  return new TypeError(`unexpected reply from ${subject}: is the server an mq9 broker?`);
}

/** An object body's fields; anything else becomes `payload` (§12). */
function asFields(body: unknown): Record<string, unknown> {
  return typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    !(body instanceof Uint8Array)
    ? { ...(body as Record<string, unknown>) }
    : { payload: body instanceof Uint8Array ? new TextDecoder().decode(body) : body };
}

function isMq9Message(v: object): v is Mq9Message {
  return "msgId" in v && "data" in v && (v as { data: unknown }).data instanceof Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function privateInbox(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `_INBOX.mq9.${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
