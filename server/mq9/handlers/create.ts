/** MAILBOX.CREATE (mq9.md §3). */
import type { Client } from "../../nats/mod";
import type { CreateReplyWire } from "../../../lib/mq9/wire";
import type { Message } from "../../nats/message";
import { Mq9Error } from "../errors";
import { hashToken, newMailId, newToken } from "../ids";
import type { MailboxType } from "../mailboxes";
import type { Mq9Service } from "../service";
import { INBOX_PREFIX, isValidMailId } from "../subjects";
import { jsonBody, optionalInteger, optionalString } from "./body";

const PREFIX = /^[a-z0-9_-]{1,100}$/;

// The reply shape is spelled out once, in the client module, for both sides.
export type { CreateReplyWire as CreateReply };

export function handleCreate(mq9: Mq9Service, client: Client, msg: Message): void {
  // Without a reply subject there is nowhere to send the id and token: do nothing.
  if (msg.reply === null) return;
  const now = Date.now();
  if (!mq9.allowCreate(client, now)) {
    throw new Mq9Error(
      "rate_limited",
      `more than ${mq9.options.createsPerMinute} mailboxes a minute from this connection`,
    );
  }
  const body = jsonBody(msg);
  const typeField = optionalString(body, "type") ?? "standard";
  if (typeField !== "standard" && typeField !== "latest") {
    throw new Mq9Error("bad_request", 'type must be "standard" or "latest"');
  }
  const type: MailboxType = typeField;
  const o = mq9.options;
  const ttl = optionalInteger(body, "ttl") ?? o.defaultTtl;
  if (ttl < 0 || ttl > o.maxTtl || (ttl === 0 && !o.allowNoExpiry)) {
    const zero = o.allowNoExpiry ? "0 (never) or " : "";
    throw new Mq9Error("ttl_out_of_range", `ttl must be ${zero}1 to ${o.maxTtl} seconds`);
  }
  const name = optionalString(body, "name");
  const prefix = optionalString(body, "prefix");
  if (name !== undefined && prefix !== undefined) {
    throw new Mq9Error("bad_request", "give a name or a prefix, not both");
  }
  let mailId: string;
  if (name !== undefined) {
    if (!isValidMailId(name)) {
      throw new Mq9Error("invalid_name", "a name is 1 to 128 characters of a-z, 0-9, _ and -");
    }
    // Taken until an expired or deleted namesake's messages are all gone, too.
    if (mq9.mailboxes.has(name) || mq9.reaper.holds(name)) {
      throw new Mq9Error("name_taken", `${name} is taken`);
    }
    mailId = name;
  } else if (prefix !== undefined) {
    if (!PREFIX.test(prefix)) {
      throw new Mq9Error("invalid_name", "a prefix is 1 to 100 characters of a-z, 0-9, _ and -");
    }
    mailId = newMailId(prefix);
  } else mailId = newMailId();

  const token = newToken();
  const expiresAt = ttl === 0 ? null : now + ttl * 1000;
  const row = { mailId, type, tokenHash: hashToken(token), createdAt: now, expiresAt, ttl };
  // Durable before the reply: a mailbox whose id was handed out exists after a crash.
  mq9.store.insertMailbox(row);
  mq9.mailboxes.add({ ...row, stored: 0, bytes: 0, unread: 0 });
  mq9.log.info("mailbox created", { mail_id: mailId, type, ttl, cid: client.id });
  const reply: CreateReplyWire = {
    mail_id: mailId,
    token,
    type,
    ttl,
    expires_at: expiresAt,
    inbox: INBOX_PREFIX + mailId,
  };
  mq9.reply(msg.reply, reply);
}
