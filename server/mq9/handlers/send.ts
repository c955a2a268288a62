/** INBOX.{mail_id}.{priority}: store first, then deliver (mq9.md §4). */
import { copyMessageData, messageSize, type Client, type Message } from "../../nats/mod";
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
  const size = messageSize(msg);
  const { box, priority } = admitSend(mq9, target, size - headerSize, size, now);
  const headers = headerSize > 0 ? stripMq9Headers(msg.data.subarray(0, headerSize)) : null;
  box.stored++;
  box.bytes += size;
  const group = mq9.writer.group(box, priorityRank(priority), msg.subject, client);
  if (group.count === 0) group.since = now;
  group.accepted += size;
  // Only notify messages carry their own expiry (§4.7); others live with the mailbox.
  const expiresAt =
    priority === "notify"
      ? Math.min(box.expiresAt ?? Number.MAX_SAFE_INTEGER, now + mq9.options.notifyTtl * 1000)
      : null;
  // The read buffer is reused after this call: the payload is copied into the block.
  const b = group.builder;
  const payloadLen = size - headerSize;
  const at = b.add(mq9.allocateMsgId(), now, expiresAt, msg.reply, headers, payloadLen);
  copyMessageData(msg, b.buf, b.view, at, headerSize);
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
