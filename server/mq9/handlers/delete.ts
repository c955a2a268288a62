/** MAILBOX.DELETE.{mail_id}: remove a mailbox now (an mq9 extension, mq9.md §1). */
import type { Message } from "../../nats/message";
import { Mq9Error } from "../errors";
import { tokenMatches } from "../ids";
import type { Mq9Service } from "../service";
import { jsonBody } from "./body";

export function handleDelete(mq9: Mq9Service, msg: Message, mailId: string): void {
  const box = mq9.mailboxes.get(mailId);
  if (box === undefined) throw new Mq9Error("not_found", `no mailbox ${mailId}`);
  const body = jsonBody(msg);
  if (!tokenMatches(body.token, box.tokenHash)) {
    throw new Mq9Error("unauthorized", "wrong or missing token");
  }
  // Sends that came before the DELETE are stored and delivered before it, not dropped.
  mq9.commitSends();
  // Deliberate deletion keeps nothing: only mail that expires unread is dead-lettered.
  const now = Date.now();
  mq9.store.transaction(() => mq9.store.removeMailboxes([{ mailId, deadLetter: false }], now));
  mq9.mailboxGone(box, now, "deleted");
  mq9.reaper.wake([mailId]);
  mq9.log.info("mailbox deleted", { mail_id: mailId });
  mq9.reply(msg.reply, { mail_id: mailId, deleted: true });
}
