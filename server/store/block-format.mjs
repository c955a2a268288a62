// Message blocks: the mq9 store keeps a mailbox's messages in blocks, one row per
// mailbox, priority and group commit, each holding its messages packed one after another
// (schema.ts says why). This file is the block format and the writes that change blocks,
// shared by the write thread (write-worker.mjs) and the inline writer (message-writer.ts).
// Plain JS, so it loads in a worker thread without the TypeScript loader.
//
// A record, little endian:
//   f64 msg_id, f64 time, f64 expires_at (0 = none), u8 flags,
//   u16 reply length, u32 headers length, u32 payload length,
//   then reply (UTF-8), headers, payload.
// Read state: the `read` column is null while a block is all unread or all read (its
// `unread` count says which); otherwise a bitmap, bit i set when record i is read.
import { Buffer } from "node:buffer";

export const RECORD_FIXED = 35;
export const HAS_REPLY = 1;
export const HAS_HEADERS = 2;
export const HAS_EXPIRY = 4;

/**
 * Calls `fn(index, at, msgId)` for each record of a block's data, where `at` is the
 * record's offset; stops early when `fn` returns false.
 */
export function walkRecords(data, fn) {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const msgId = data.readDoubleLE(at);
    if (fn(i, at, msgId) === false) return;
    at +=
      RECORD_FIXED +
      data.readUInt16LE(at + 25) +
      data.readUInt32LE(at + 27) +
      data.readUInt32LE(at + 31);
  }
}

/** Whether record `i` is read, given a block's `read`, `unread` and `count`. */
export function isRead(read, unread, count, i) {
  if (read === null) return unread === 0 && count > 0;
  return (read[i >> 3] & (1 << (i & 7))) !== 0;
}

export const BLOCK_SQL = {
  insert: `insert into message_blocks
    (mail_id, priority, first_msg_id, last_msg_id, count, bytes, unread, expires_at, data, read)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, null)`,
  clearMailbox: "delete from message_blocks where mail_id = ?",
  // Blocks that may hold msg_ids in [lo, hi]: from the one holding lo (the subquery
  // seeks it in the index) up to hi, an index range either way.
  overlapping: `select block_id, first_msg_id, count, unread, data, read from message_blocks
    where mail_id = ? and priority = ? and first_msg_id <= ? and unread > 0
    and first_msg_id >= (select coalesce(max(first_msg_id), 0) from message_blocks
      where mail_id = ? and priority = ? and first_msg_id <= ?)`,
  setRead: "update message_blocks set read = ?, unread = ? where block_id = ?",
  // A whole block by its id; first_msg_id too, since a rowid can be given again once the
  // newest block is deleted (msg_ids never are).
  blockUnread: "select unread from message_blocks where block_id = ? and first_msg_id = ?",
  setAllRead: "update message_blocks set read = null, unread = 0 where block_id = ?",
};

/**
 * The writes of one job on a connection: block inserts (a `latest` mailbox's earlier
 * blocks go first, mq9.md §4.6), then read marks. Call `apply` inside a transaction;
 * it returns how many messages of each mark group were still unread.
 */
export function blockWriter(db) {
  const insert = db.prepare(BLOCK_SQL.insert);
  const clearMailbox = db.prepare(BLOCK_SQL.clearMailbox);
  const overlapping = db.prepare(BLOCK_SQL.overlapping);
  const setRead = db.prepare(BLOCK_SQL.setRead);
  const blockUnread = db.prepare(BLOCK_SQL.blockUnread).pluck();
  const setAllRead = db.prepare(BLOCK_SQL.setAllRead);

  const mark = (group) => {
    // Blocks handed over whole: two rowid lookups each, no blob read or rewritten. This is
    // what live delivery to an online owner marks, once per message committed.
    let changed = 0;
    for (const { id, first } of group.blocks ?? []) {
      const unread = blockUnread.get(id, first);
      if (unread === undefined || unread === 0) continue;
      setAllRead.run(id);
      changed += unread;
    }
    if (group.msgIds.length === 0) return changed;
    const ids = new Set(group.msgIds);
    let lo = Infinity;
    let hi = -Infinity;
    for (const id of group.msgIds) {
      if (id < lo) lo = id;
      if (id > hi) hi = id;
    }
    const { mailId, priority } = group;
    for (const b of overlapping.all(mailId, priority, hi, mailId, priority, lo)) {
      const read = b.read === null ? Buffer.alloc((b.count + 7) >> 3) : Buffer.from(b.read);
      let unread = b.unread;
      walkRecords(b.data, (i, _at, msgId) => {
        if (!ids.has(msgId)) return msgId < hi;
        const bit = 1 << (i & 7);
        if ((read[i >> 3] & bit) === 0) {
          read[i >> 3] |= bit;
          unread--;
        }
        return msgId < hi;
      });
      if (unread === b.unread) continue;
      changed += b.unread - unread;
      setRead.run(unread === 0 ? null : read, unread, b.block_id);
    }
    return changed;
  };

  return {
    /**
     * job: { blocks: [{ mailId, priority, first, last, count, bytes, expiresAt, latest, start, end }], data, marks }
     * Returns how many of each mark group were still unread, and each block's id.
     */
    apply(job) {
      const blockIds = [];
      if (job.blocks.length > 0) {
        const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
        for (const b of job.blocks) {
          if (b.latest) clearMailbox.run(b.mailId);
          const { lastInsertRowid } = insert.run(
            b.mailId,
            b.priority,
            b.first,
            b.last,
            b.count,
            b.bytes,
            b.count,
            b.expiresAt,
            data.subarray(b.start, b.end),
          );
          blockIds.push(Number(lastInsertRowid));
        }
      }
      return { changed: job.marks.map(mark), blockIds };
    },
  };
}
