/** MAILBOX.QUERY.{mail_id}: pull stored messages, the safety net after a reconnect (mq9.md §7). */
import type { QueriedMessageWire, QueryReplyWire } from "../../../lib/mq9/wire";
import type { Message } from "../../nats/message";
import { messageBytes } from "../../store/block-reader";
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
/** Room in a reply for all but its messages (ids, counts, brackets). */
const ENVELOPE_BYTES = 1024;
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
  // A reply is one NATS message: within max_payload, one stored message at least. (Sixty
  // 1 MB messages in one reply had made the asker a slow consumer, disconnected.)
  const budget = mq9.broker.options.maxPayload - ENVELOPE_BYTES;
  mq9.queueQuery((next) => {
    try {
      if (mq9.mailboxes.get(mailId) !== box)
        throw new Mq9Error("not_found", `no mailbox ${mailId}`);
      // One more than asked for, to tell whether more follow.
      const read = mq9.store.list(mailId, after ?? null, limit + 1, budget);
      const { rows, messages } = fit(read, limit, budget, box);
      // When every row read goes out, more may still follow if the read stopped for size
      // (as it does after a single message over the budget, which goes out alone).
      const last = rows.at(-1);
      const more =
        rows.length < read.length ||
        (last !== undefined &&
          read.reduce((n, r) => n + messageBytes(r), 0) >= budget &&
          mq9.store.list(mailId, last.msgId, 1).length > 0);
      const body: QueryReplyWire = {
        mail_id: mailId,
        type: box.type,
        expires_at: box.expiresAt,
        unread: box.unread,
        messages,
        more,
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

/** The first rows, at most `limit`, whose JSON fits in `budget` bytes (one at least). */
function fit(
  read: readonly MessageRow[],
  limit: number,
  budget: number,
  box: Mailbox,
): { rows: MessageRow[]; messages: QueriedMessageWire[] } {
  const rows: MessageRow[] = [];
  const messages: QueriedMessageWire[] = [];
  let bytes = 0;
  for (const row of read) {
    if (rows.length === limit) break;
    const json = toJson(row, box);
    // Its share of the reply: its JSON and a comma.
    bytes += Buffer.byteLength(JSON.stringify(json)) + 1;
    if (rows.length > 0 && bytes > budget) break;
    rows.push(row);
    messages.push(json);
  }
  return { rows, messages };
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
