/**
 * Sends from the console server into mailboxes: answers to approval requests, re-sent dead
 * letters. A client learns that a send was refused only from an error reply to its reply
 * subject (mq9.md §4.4), and that subject would reach the recipient with the message
 * (§4.2). Inside the process there is a better way: the same admission check the broker
 * makes, in the same tick as the publish, so nothing can change in between — then the
 * publish without a reply subject, and the PING barrier (§4.5) for "stored".
 */
import { admitSend } from "../mq9/handlers/send";
import type { Mq9Service } from "../mq9/service";
import { INBOX_PREFIX, type Priority } from "../mq9/subjects";
import type { InternalConnection } from "./nats-connection";

export class MailboxSender {
  constructor(
    private readonly mq9: Mq9Service,
    private readonly connection: InternalConnection,
  ) {}

  /**
   * Stores `payload` (with `headers`, a NATS header block, if given) in `mailId` at
   * `priority`; resolves once it is committed. Throws Mq9Error with the broker's code
   * (`not_found`, `mailbox_full`, …) when the broker would refuse it.
   */
  async send(
    mailId: string,
    priority: Priority,
    payload: Uint8Array,
    headers: Buffer | null = null,
  ): Promise<void> {
    const size = payload.length + (headers?.length ?? 0);
    admitSend(
      this.mq9,
      { mailId, priority, priorityToken: priority },
      payload.length,
      size,
      Date.now(),
    );
    this.connection.publishRaw(`${INBOX_PREFIX}${mailId}.${priority}`, payload, headers);
    await this.connection.flush();
  }
}
