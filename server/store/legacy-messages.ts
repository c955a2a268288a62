/**
 * Data directories from before message blocks (drizzle/0002) kept one row per message.
 * That migration renames the old table to `legacy_messages`; here, at start-up, its rows
 * become blocks with their read state, and the table goes. SQL alone cannot pack blocks.
 */
import type { Database } from "better-sqlite3";
import { blockWriter, type ReadMarkGroup } from "./block-format.mjs";
import { encodeBlocks } from "./block-builder";
import type { MessageRow } from "./schema";

/** A legacy row, its columns named as MessageRow's; `unread` as SQLite's 0/1. */
type LegacyRow = Omit<MessageRow, "unread"> & { unread: number };

export function convertLegacyMessages(db: Database): void {
  const exists = db
    .prepare("select 1 from sqlite_master where type = 'table' and name = 'legacy_messages'")
    .get();
  if (exists === undefined) return;
  db.transaction(() => {
    const rows = db
      .prepare(
        `select msg_id as msgId, mail_id as mailId, priority, subject, reply, headers, payload,
           time, expires_at as expiresAt, unread
         from legacy_messages order by mail_id, priority, msg_id`,
      )
      .all() as LegacyRow[];
    const writes = rows.map((r) => ({ row: { ...r, unread: r.unread === 1 }, latest: false }));
    const marks = new Map<string, ReadMarkGroup & { msgIds: number[] }>();
    for (const { row } of writes) {
      if (row.unread) continue;
      const key = `${row.priority}${row.mailId}`;
      const g = marks.get(key);
      if (g === undefined)
        marks.set(key, { mailId: row.mailId, priority: row.priority, msgIds: [row.msgId] });
      else g.msgIds.push(row.msgId);
    }
    blockWriter(db).apply({ ...encodeBlocks(writes), marks: [...marks.values()] });
    db.exec("drop table legacy_messages");
  }).immediate();
}
