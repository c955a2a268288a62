/**
 * What the `mq9` command prints: aligned text for people, or one JSON value per line with
 * the protocol's field names (mq9.md §3, §7) for scripts.
 */
import type { Mailbox, Mq9Message, Mq9StoredMessage, QueryResult } from "../../lib/mq9/mod";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Text when the bytes are UTF-8, else base64, as QUERY does (§7). */
export function payloadText(data: Uint8Array): { payload: string; encoding: "utf8" | "base64" } {
  try {
    return { payload: strictUtf8.decode(data), encoding: "utf8" };
  } catch {
    return { payload: Buffer.from(data).toString("base64"), encoding: "base64" };
  }
}

function shown(data: Uint8Array): string {
  const p = payloadText(data);
  return p.encoding === "utf8" ? p.payload : `base64:${p.payload}`;
}

const when = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString());

export function createdText(box: Mailbox): string {
  return [
    `mail_id     ${box.mailId}`,
    `token       ${box.token}    (shown once: QUERY and DELETE need it)`,
    `type        ${box.type}`,
    `ttl         ${box.ttl} s`,
    `expires_at  ${when(box.expiresAt)}`,
    `inbox       ${box.inbox}.{urgent|normal|notify}`,
  ].join("\n");
}

export function createdJson(box: Mailbox): string {
  return JSON.stringify({
    mail_id: box.mailId,
    token: box.token,
    type: box.type,
    ttl: box.ttl,
    expires_at: box.expiresAt,
    inbox: box.inbox,
  });
}

/** One line per message: `#msg_id priority time payload`. */
export function messageText(m: Mq9Message | Mq9StoredMessage): string {
  const unread = "unread" in m ? (m.unread ? " unread" : " read") : "";
  return `#${m.msgId} ${m.priority.padEnd(6)} ${when(m.time)}${unread} ${shown(m.data)}`;
}

export function messageJson(m: Mq9Message | Mq9StoredMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    msg_id: m.msgId,
    mail_id: m.mailId,
    priority: m.priority,
    time: m.time,
    subject: m.subject,
    reply: m.reply,
    headers: m.headers,
    ...payloadText(m.data),
  };
  if ("unread" in m) {
    out.expires_at = m.expiresAt;
    out.unread = m.unread;
  }
  return out;
}

export function queryText(r: QueryResult): string {
  const head = `${r.mailId}  ${r.type}  unread before: ${r.unread}  expires: ${when(r.expiresAt)}  messages: ${r.messages.length}`;
  const last = r.messages.at(-1);
  const tail = r.more && last !== undefined ? [`(more follow: --after ${last.msgId})`] : [];
  return [head, ...r.messages.map(messageText), ...tail].join("\n");
}

export function queryJson(r: QueryResult): string {
  return JSON.stringify({
    mail_id: r.mailId,
    type: r.type,
    expires_at: r.expiresAt,
    unread: r.unread,
    messages: r.messages.map(messageJson),
    more: r.more,
  });
}
