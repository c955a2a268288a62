/** MAILBOX.QUERY.{mail_id}: pull stored messages, the safety net after a reconnect (mq9.md §7). */
import type { QueriedMessageWire, QueryReplyWire } from "../../../lib/mq9/wire";
import type { Message } from "../../nats/message";
import type { MessageRow } from "../../store/mail-store";
import { Mq9Error } from "../errors";
import { headersToJson } from "../headers";
import { tokenMatches } from "../ids";
import type { Mailbox } from "../mailboxes";
import type { Mq9Service } from "../service";
import { priorityName } from "../subjects";
import { jsonBody, optionalBoolean, optionalInteger } from "./body";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const utf8 = new TextDecoder("utf-8", { fatal: true });

// The reply shapes are spelled out once, in the client module, for both sides.
export type { QueriedMessageWire as QueriedMessage, QueryReplyWire as QueryReply };

export function handleQuery(mq9: Mq9Service, msg: Message, mailId: string): void {
  if (msg.reply === null) return;
  const box = mq9.mailboxes.get(mailId);
  if (box === undefined) throw new Mq9Error("not_found", `no mailbox ${mailId}`);
  const body = jsonBody(msg);
  if (!tokenMatches(body.token, box.tokenHash)) {
    throw new Mq9Error("unauthorized", "wrong or missing token");
  }
  const limit = Math.min(optionalInteger(body, "limit") ?? DEFAULT_LIMIT, MAX_LIMIT);
  if (limit < 1) throw new Mq9Error("bad_request", "limit must be at least 1");
  const after = optionalInteger(body, "after");
  const peek = optionalBoolean(body, "peek") ?? false;

  const reply = msg.reply;
  mq9.queueQuery((next) => {
    try {
      if (mq9.mailboxes.get(mailId) !== box)
        throw new Mq9Error("not_found", `no mailbox ${mailId}`);
      // One more than asked for, to tell whether more follow. A reply holds `limit`
      // messages whatever their size: clients page by it (fewer means the end).
      const read = mq9.store.list(mailId, after ?? null, limit + 1);
      const rows = read.slice(0, limit);
      const body: QueryReplyWire = {
        mail_id: mailId,
        type: box.type,
        expires_at: box.expiresAt,
        unread: box.unread,
        messages: rows.map((r) => toJson(r, box)),
        more: read.length > limit,
      };
      // Unless peeking, what it returns becomes read, answered once that is committed.
      const unread = peek ? [] : rows.filter((r) => r.unread);
      if (unread.length === 0) {
        mq9.reply(reply, body);
        return next();
      }
      mq9.markRead(new Map([[box, unread]]), () => {
        mq9.reply(reply, body);
        next();
      });
    } catch (err) {
      mq9.fail(reply, err instanceof Mq9Error ? err : new Mq9Error("internal", "the query failed"));
      next();
    }
  });
}

function toJson(row: MessageRow, box: Mailbox): QueriedMessageWire {
  let payload: string;
  let encoding: "utf8" | "base64" = "utf8";
  try {
    payload = utf8.decode(row.payload);
  } catch {
    payload = row.payload.toString("base64");
    encoding = "base64";
  }
  return {
    msg_id: row.msgId,
    priority: priorityName(row.priority),
    subject: row.subject,
    reply: row.reply,
    headers: headersToJson(row.headers),
    payload,
    encoding,
    time: row.time,
    expires_at: row.expiresAt ?? box.expiresAt,
    unread: row.unread,
  };
}
