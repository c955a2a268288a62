/**
 * Who receives an mq9 message, and the message as delivered. mq9 chooses recipients
 * itself (rather than letting NATS deliver) because it must know, before committing,
 * whether the mailbox's owner is online (unread state, mq9.md §6.2) and because prefix
 * patterns and `#` are beyond NATS matching (§6.3, §6.4).
 */
import type { Broker, Client, Subscription } from "../nats/mod";
import type { Message } from "../nats/message";
import type { MessageRow } from "../store/mail-store";
import { withMq9Headers } from "./headers";
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
  subs: Subscription[];
  /** An owner subscription of the target mailbox receives it live: it is read at once. */
  ownerLive: boolean;
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
  const subs: Subscription[] = [];
  let ownerLive = false;
  const eligible = (sub: Subscription) =>
    !sub.closed && !(sub.client === from && !from.echo) && !roles.replaying.has(sub);
  const take = (sub: Subscription) => {
    subs.push(sub);
    if (mailId !== null && roles.owners.get(sub) === mailId) ownerLive = true;
  };
  for (const sub of match.plain) if (eligible(sub)) take(sub);
  for (const group of match.groups) {
    const n = group.length;
    const start = n > 1 ? Math.floor(Math.random() * n) : 0;
    for (let k = 0; k < n; k++) {
      const sub = group[(start + k) % n]!;
      if (eligible(sub)) {
        take(sub);
        break;
      }
    }
  }
  if (roles.extended.size > 0) {
    const seen = new Set(subs);
    const groups = new Set<string>();
    for (const [sub, matches] of roles.extended) {
      if (seen.has(sub) || !eligible(sub) || !matches(subject)) continue;
      // One member per queue group here too.
      if (sub.queue !== null) {
        if (groups.has(sub.queue)) continue;
        groups.add(sub.queue);
      }
      take(sub);
    }
  }
  return { subs, ownerLive };
}

/** A stored message as delivered: original headers plus the mq9 headers (§4.3). */
export function toMessage(row: MessageRow): Message {
  const headers = withMq9Headers(row.headers, row.msgId, priorityName(row.priority), row.time);
  return {
    subject: row.subject,
    reply: row.reply,
    headerSize: headers.length,
    data: Buffer.concat([headers, row.payload]),
    sizeText: null,
  };
}

/** A plain message the broker itself publishes (replies, events). */
export function plainMessage(subject: string, body: Buffer): Message {
  return { subject, reply: null, headerSize: -1, data: body, sizeText: null };
}
