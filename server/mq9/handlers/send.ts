/** INBOX.{mail_id}.{priority}: store first, then deliver (mq9.md §4). */
import type { Client } from "../../nats/mod";
import type { Message } from "../../nats/message";
import { Mq9Error } from "../errors";
import { stripMq9Headers } from "../headers";
import type { Mailbox } from "../mailboxes";
import type { Mq9Service } from "../service";
import { priorityRank, type Priority } from "../subjects";

export function handleSend(
  mq9: Mq9Service,
  client: Client,
  msg: Message,
  target: { mailId: string; priority: Priority | null; priorityToken: string },
): void {
  const now = Date.now();
  const headerSize = Math.max(msg.headerSize, 0);
  const size = msg.data.length;
  const { box, priority } = admitSend(mq9, target, size - headerSize, size, now);
  // The read buffer is reused after this call: keep copies.
  const headers = headerSize > 0 ? stripMq9Headers(msg.data.subarray(0, headerSize)) : null;
  const payload = Buffer.from(msg.data.subarray(headerSize));
  const notifyExpiry = now + mq9.options.notifyTtl * 1000;
  box.stored++;
  box.bytes += size;
  mq9.writer.enqueue({
    row: {
      msgId: mq9.allocateMsgId(),
      mailId: box.mailId,
      priority: priorityRank(priority),
      subject: msg.subject,
      reply: msg.reply,
      headers,
      payload,
      time: now,
      // Only notify messages carry their own expiry (§4.7); others live with the mailbox.
      expiresAt:
        priority === "notify"
          ? Math.min(box.expiresAt ?? Number.MAX_SAFE_INTEGER, notifyExpiry)
          : null,
      unread: true,
    },
    box,
    latest: box.type === "latest",
    size,
    from: client,
  });
}

/**
 * Whether a send may be stored (mq9.md §4.4): the mailbox, its priority, the payload and
 * the mailbox's room. Throws the Mq9Error to answer; exported for senders inside the
 * process, which check in the same tick as they publish.
 */
export function admitSend(
  mq9: Mq9Service,
  target: { mailId: string; priority: Priority | null; priorityToken: string },
  payloadSize: number,
  size: number,
  now: number,
): { box: Mailbox; priority: Priority } {
  const { priority } = target;
  if (priority === null) {
    throw new Mq9Error(
      "bad_priority",
      `priority must be urgent, normal or notify, not "${target.priorityToken}"`,
    );
  }
  const box = mq9.mailboxes.get(target.mailId, now);
  if (box === undefined) throw new Mq9Error("not_found", `no mailbox ${target.mailId}`);
  const o = mq9.options;
  if (payloadSize > o.maxPayload) {
    throw new Mq9Error("payload_too_large", `payload over ${o.maxPayload} bytes`);
  }
  // A `latest` mailbox holds one message, so it is never full.
  if (
    box.type === "standard" &&
    (box.stored >= o.maxMessagesPerMailbox || box.bytes + size > o.maxBytesPerMailbox)
  ) {
    throw new Mq9Error("mailbox_full", `mailbox ${box.mailId} is full`);
  }
  return { box, priority };
}
