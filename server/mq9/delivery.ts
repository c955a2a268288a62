/**
 * Who receives an mq9 message, and the message as delivered. mq9 chooses recipients
 * itself (rather than letting NATS deliver) because it must know, before committing,
 * whether the mailbox's owner is online (unread state, mq9.md §6.2) and because prefix
 * patterns and `#` are beyond NATS matching (§6.3, §6.4).
 */
import type { Broker, Client, MatchResult, Subscription } from "../nats/mod";
import type { Message } from "../nats/message";
import type { MessageRow } from "../store/mail-store";
import { encodeDelivery } from "./headers";
import { priorityName } from "./subjects";

export interface SubscriptionRoles {
  /** Subscriptions that name one mailbox literally, by subscription. */
  owners: Map<Subscription, string>;
  /** Owner subscriptions still replaying stored mail: live messages wait for the replay. */
  replaying: Set<Subscription>;
  /** Subscriptions with mq9's matching extensions, with their matchers. */
  extended: Map<Subscription, (subject: string) => boolean>;
}

export interface Recipients {
  readonly subs: readonly Subscription[];
  /** Which of `subs` own the target mailbox: what they receive becomes read. */
  readonly owners: readonly Subscription[];
}

/** What `recipients` builds. */
interface Building {
  subs: Subscription[];
  owners: Subscription[];
}

/** Whether anyone at all could receive a message on `subject` (before choosing who). */
export function mayReceive(broker: Broker, roles: SubscriptionRoles, subject: string): boolean {
  return !nobody(broker.match(subject), roles);
}

function nobody(match: MatchResult<Subscription>, roles: SubscriptionRoles): boolean {
  return match.plain.length === 0 && match.groups.length === 0 && roles.extended.size === 0;
}

/**
 * NATS rules (every plain subscription, one member per queue group, echo) plus mq9's
 * extended subscriptions. `mailId` is the inbox being sent to, or null for broadcasts.
 */
export function recipients(
  broker: Broker,
  roles: SubscriptionRoles,
  subject: string,
  mailId: string | null,
  from: Client | null,
): Recipients {
  const match = broker.match(subject);
  // The common case of a send nobody is online for: no allocation at all.
  if (nobody(match, roles)) return NOBODY;
  const out: Building = { subs: [], owners: [] };
  for (const sub of match.plain) take(out, roles, sub, mailId, from);
  let groups: readonly (readonly Subscription[])[] = match.groups;
  if (roles.extended.size > 0) {
    // Extended subscriptions join the plain ones, or their queue group by name (NATS
    // merges groups by name across patterns, sublist.go).
    const known = new Set<Subscription>(match.plain);
    const byName = new Map<string, Subscription[]>();
    for (const g of match.groups) {
      byName.set(g[0]!.queue!, [...g]);
      for (const s of g) known.add(s);
    }
    for (const [sub, matches] of roles.extended) {
      if (known.has(sub) || !matches(subject)) continue;
      if (sub.queue === null) take(out, roles, sub, mailId, from);
      else {
        const g = byName.get(sub.queue);
        if (g === undefined) byName.set(sub.queue, [sub]);
        else g.push(sub);
      }
    }
    groups = [...byName.values()];
  }
  for (const group of groups) {
    const n = group.length;
    const start = n > 1 ? Math.floor(Math.random() * n) : 0;
    for (let k = 0; k < n; k++) {
      if (take(out, roles, group[(start + k) % n]!, mailId, from)) break;
    }
  }
  return out;
}

const NOBODY: Recipients = Object.freeze({ subs: Object.freeze([]), owners: Object.freeze([]) });

/** Adds `sub` if it may receive this message (a function, not a closure per message). */
function take(
  out: Building,
  roles: SubscriptionRoles,
  sub: Subscription,
  mailId: string | null,
  from: Client | null,
): boolean {
  if (sub.closed || (sub.client === from && !from.echo) || roles.replaying.has(sub)) return false;
  out.subs.push(sub);
  if (mailId !== null && roles.owners.get(sub) === mailId) out.owners.push(sub);
  return true;
}

/** A stored message as delivered: original headers plus the mq9 headers (§4.3). */
export function toMessage(row: MessageRow): Message {
  const { data, headerSize } = encodeDelivery(
    row.headers,
    row.msgId,
    priorityName(row.priority),
    row.time,
    row.payload,
  );
  return { subject: row.subject, reply: row.reply, headerSize, data, sizeText: null };
}

/** A plain message the broker itself publishes (replies, events). */
export function plainMessage(subject: string, body: Buffer): Message {
  return { subject, reply: null, headerSize: -1, data: body, sizeText: null };
}
