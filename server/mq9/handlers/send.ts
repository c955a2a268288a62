/** INBOX.{mail_id}.{priority}: store first, then deliver (mq9.md §4). */
import type { Client } from "../../nats/mod";
import type { Message } from "../../nats/message";
import { Mq9Error } from "../errors";
import { stripMq9Headers } from "../headers";
import type { Mq9Service } from "../service";
import { priorityRank, type Priority } from "../subjects";

export function handleSend(
  mq9: Mq9Service,
  client: Client,
  msg: Message,
  target: { mailId: string; priority: Priority | null; priorityToken: string },
): void {
  if (target.priority === null) {
    throw new Mq9Error(
      "bad_priority",
      `priority must be urgent, normal or notify, not "${target.priorityToken}"`,
    );
  }
  const now = Date.now();
  const box = mq9.mailboxes.get(target.mailId, now);
  if (box === undefined) throw new Mq9Error("not_found", `no mailbox ${target.mailId}`);
  const headerSize = Math.max(msg.headerSize, 0);
  const payloadSize = msg.data.length - headerSize;
  const o = mq9.options;
  if (payloadSize > o.maxPayload) {
    throw new Mq9Error("payload_too_large", `payload over ${o.maxPayload} bytes`);
  }
  const size = msg.data.length;
  // A `latest` mailbox holds one message, so it is never full.
  if (
    box.type === "standard" &&
    (box.stored >= o.maxMessagesPerMailbox || box.bytes + size > o.maxBytesPerMailbox)
  ) {
    throw new Mq9Error("mailbox_full", `mailbox ${box.mailId} is full`);
  }
  // The read buffer is reused after this call: keep copies.
  const headers = headerSize > 0 ? stripMq9Headers(msg.data.subarray(0, headerSize)) : null;
  const payload = Buffer.from(msg.data.subarray(headerSize));
  const notifyExpiry = now + o.notifyTtl * 1000;
  box.stored++;
  box.bytes += size;
  mq9.writer.enqueue({
    row: {
      msgId: mq9.allocateMsgId(),
      mailId: box.mailId,
      priority: priorityRank(target.priority),
      subject: msg.subject,
      reply: msg.reply,
      headers,
      payload,
      time: now,
      // Only notify messages carry their own expiry (§4.7); others live with the mailbox.
      expiresAt:
        target.priority === "notify"
          ? Math.min(box.expiresAt ?? Number.MAX_SAFE_INTEGER, notifyExpiry)
          : null,
      unread: true,
    },
    box,
    size,
    from: client,
  });
}
