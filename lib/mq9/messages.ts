/**
 * Messages as the client hands them out: mailbox mail (live, replayed or queried, with the
 * mq9 headers read, mq9.md §4.3) and broadcasts (§8).
 */
import { PRIORITIES, type Priority } from "../../server/mq9/subjects";
import { mailIdOf } from "./addresses";
import type { NatsMessage } from "./connection";
import { headerRecord, headerValue, type HeaderRecord } from "./headers";
import { decodeJson, decodeQueriedPayload, decodeText } from "./payload";
import type { QueriedMessageWire } from "./wire";

interface Readable {
  data: Uint8Array;
  /** The body as JSON; throws when it is not JSON. */
  json<T = unknown>(): T;
  /** The body as UTF-8 text. */
  string(): string;
}

/** A message delivered to a mailbox subscription. */
export interface Mq9Message extends Readable {
  mailId: string;
  msgId: number;
  priority: Priority;
  /** When the broker stored it, ms since epoch. */
  time: number;
  subject: string;
  /** The NATS reply subject the sender gave, or null. */
  reply: string | null;
  /** Every header, the sender's and Mq9-Msg-Id / Mq9-Priority / Mq9-Time. */
  headers: HeaderRecord;
}

/** A message returned by QUERY (§7). */
export interface Mq9StoredMessage extends Mq9Message {
  /** When it expires with its mailbox (or sooner, for notify), ms since epoch; null = never. */
  expiresAt: number | null;
  /** Whether it was unread before this QUERY. */
  unread: boolean;
}

export interface Mq9Broadcast extends Readable {
  subject: string;
  /** The tokens after `$mq9.AI.BROADCAST.`: `domain` and the rest as `event`. */
  domain: string;
  event: string;
  reply: string | null;
  headers: HeaderRecord;
}

function readable(data: Uint8Array): Readable {
  return {
    data,
    json: <T>() => decodeJson<T>(data),
    string: () => decodeText(data),
  };
}

/**
 * An inbox message from a NATS client. Throws when the mq9 headers are missing, which
 * means the server is not an mq9 broker (plain NATS does not add them).
 */
export function inboxMessage(msg: NatsMessage): Mq9Message {
  const headers = headerRecord(msg.headers);
  // The broker appends its headers after the sender's (mq9.md §4.3), so the last value is
  // the broker's even if a sender wrote an Mq9-* header of its own.
  const msgId = Number(headerValue(headers, "Mq9-Msg-Id", "last"));
  const time = Number(headerValue(headers, "Mq9-Time", "last"));
  const priority = headerValue(headers, "Mq9-Priority", "last");
  const mailId = mailIdOf(msg.subject);
  if (
    !Number.isSafeInteger(msgId) ||
    !Number.isFinite(time) ||
    !(PRIORITIES as readonly (string | undefined)[]).includes(priority) ||
    mailId === null
  ) {
    throw new TypeError(
      `${msg.subject} arrived without the mq9 headers: is the server an mq9 broker?`,
    );
  }
  return {
    ...readable(msg.data),
    mailId,
    msgId,
    priority: priority as Priority,
    time,
    subject: msg.subject,
    reply: msg.reply ? msg.reply : null,
    headers,
  };
}

export function storedMessage(wire: QueriedMessageWire): Mq9StoredMessage {
  return {
    ...readable(decodeQueriedPayload(wire.payload, wire.encoding)),
    mailId: mailIdOf(wire.subject) ?? "",
    msgId: wire.msg_id,
    priority: wire.priority,
    time: wire.time,
    subject: wire.subject,
    reply: wire.reply,
    headers: wire.headers ?? {},
    expiresAt: wire.expires_at,
    unread: wire.unread,
  };
}

export function broadcastMessage(msg: NatsMessage, prefixLength: number): Mq9Broadcast {
  const rest = msg.subject.slice(prefixLength);
  const dot = rest.indexOf(".");
  return {
    ...readable(msg.data),
    subject: msg.subject,
    domain: dot < 0 ? rest : rest.slice(0, dot),
    event: dot < 0 ? "" : rest.slice(dot + 1),
    reply: msg.reply ? msg.reply : null,
    headers: headerRecord(msg.headers),
  };
}
