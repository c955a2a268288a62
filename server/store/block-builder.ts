/**
 * Building message blocks (block-format.mjs) as messages arrive: each send is written
 * once, straight into its mailbox × priority's block of the batch, so a group commit hands
 * the store whole blocks rather than rows to pack (and the payload is not copied into a
 * row first). `joinBlocks` lays a batch's blocks out in one buffer for the store.
 */
import type { MessageRow } from "./schema";
import {
  HAS_EXPIRY,
  HAS_HEADERS,
  HAS_REPLY,
  RECORD_FIXED,
  type BlockInsert,
  type BlockJob,
} from "./block-format.mjs";
import { decodeBlock } from "./block-reader";

/** A batch's blocks, in one buffer (transferred to the write thread without a copy). */
export type EncodedBlocks = Omit<BlockJob, "marks">;

export const NO_BLOCKS: EncodedBlocks = { blocks: [], data: Buffer.alloc(0) };

const INITIAL_SIZE = 4096;
const EMPTY = Buffer.alloc(0);

/** One mailbox × priority's records for one batch, in msg_id order. */
export class BlockBuilder {
  buf: Buffer = EMPTY;
  /** A DataView over `buf`, indexed like it. */
  view = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);
  /** Bytes used. */
  len = 0;
  count = 0;
  first = 0;
  last = 0;
  /** Payload and header bytes, as the block's `bytes` column counts them. */
  bytes = 0;
  /** Its block's index in the job `joinBlocks` made, or -1 when it stores none. */
  stored = -1;
  /** The block's expiry: that of its last-expiring message (notify, mq9.md §4.7). */
  expiresAt: number | null = null;
  /** The newest record: all that a `latest` mailbox keeps (§4.6). */
  private lastAt = 0;
  private lastBytes = 0;
  private lastExpiresAt: number | null = null;

  constructor(
    readonly mailId: string,
    readonly priority: number,
    readonly latest: boolean,
  ) {}

  /**
   * Appends a record; its payload is the caller's to write, `payloadLen` bytes at the
   * returned offset of `buf` (which this call may have replaced with a larger one).
   */
  add(
    msgId: number,
    time: number,
    expiresAt: number | null,
    reply: string | null,
    headers: Buffer | null,
    payloadLen: number,
  ): number {
    const headersLen = headers?.length ?? 0;
    // UTF-8 takes at most three bytes per UTF-16 unit.
    this.reserve(RECORD_FIXED + (reply === null ? 0 : reply.length * 3) + headersLen + payloadLen);
    const at = this.len;
    const v = this.view;
    const buf = this.buf;
    v.setFloat64(at, msgId, true);
    v.setFloat64(at + 8, time, true);
    v.setFloat64(at + 16, expiresAt ?? 0, true);
    buf[at + 24] =
      (reply !== null ? HAS_REPLY : 0) |
      (headers !== null ? HAS_HEADERS : 0) |
      (expiresAt !== null ? HAS_EXPIRY : 0);
    let p = at + RECORD_FIXED;
    const replyLen = reply === null ? 0 : writeUtf8(buf, p, reply);
    v.setUint16(at + 25, replyLen, true);
    v.setUint32(at + 27, headersLen, true);
    v.setUint32(at + 31, payloadLen, true);
    p += replyLen;
    if (headers !== null) {
      buf.set(headers, p);
      p += headersLen;
    }
    this.len = p + payloadLen;
    if (this.count === 0) this.first = msgId;
    this.last = msgId;
    this.count++;
    this.bytes += headersLen + payloadLen;
    this.lastAt = at;
    this.lastBytes = headersLen + payloadLen;
    this.lastExpiresAt = expiresAt;
    if (expiresAt !== null) this.expiresAt = Math.max(this.expiresAt ?? 0, expiresAt);
    return p;
  }

  /** A stored row's record (converting old data, tests). */
  addRow(row: MessageRow): void {
    const at = this.add(
      row.msgId,
      row.time,
      row.expiresAt,
      row.reply,
      row.headers,
      row.payload.length,
    );
    this.buf.set(row.payload, at);
  }

  /** The records as rows (for the rare paths: delivering to someone online, failures). */
  rows(): MessageRow[] {
    return decodeBlock(
      this.mailId,
      this.priority,
      this.count,
      this.count,
      this.buf.subarray(0, this.len),
      null,
    );
  }

  /** Where the records that go to the store start: all, or of a `latest` mailbox the newest. */
  get from(): number {
    return this.latest ? this.lastAt : 0;
  }

  /** Stored payload and header bytes: the block's `bytes` column. */
  get storedBytes(): number {
    return this.latest ? this.lastBytes : this.bytes;
  }

  /** The block's row, its records at [start, end) of the job's data. */
  block(start: number, end: number): BlockInsert {
    const { mailId, priority, latest } = this;
    return latest
      ? {
          mailId,
          priority,
          first: this.last,
          last: this.last,
          count: 1,
          bytes: this.lastBytes,
          expiresAt: this.lastExpiresAt,
          latest,
          start,
          end,
        }
      : {
          mailId,
          priority,
          first: this.first,
          last: this.last,
          count: this.count,
          bytes: this.bytes,
          expiresAt: this.expiresAt,
          latest,
          start,
          end,
        };
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(INITIAL_SIZE, this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }
}

/** Writes `s` as UTF-8 at `pos`; returns the bytes written. ASCII (the usual reply subject) by hand. */
function writeUtf8(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos + i] = c;
    }
    if (i === n) return n;
  }
  return buf.write(s, pos, "utf8");
}

/**
 * One buffer with every builder's block; of a `latest` mailbox, only the newest record of
 * the batch (whatever its priority), and the store clears its earlier blocks.
 */
export function joinBlocks(builders: readonly BlockBuilder[]): EncodedBlocks {
  let newestLatest: Map<string, BlockBuilder> | null = null;
  for (const b of builders) {
    if (!b.latest || b.count === 0) continue;
    const known = newestLatest?.get(b.mailId);
    if (known === undefined || b.last > known.last) (newestLatest ??= new Map()).set(b.mailId, b);
  }
  const kept = (b: BlockBuilder) => b.count > 0 && (!b.latest || newestLatest?.get(b.mailId) === b);
  let size = 0;
  for (const b of builders) if (kept(b)) size += b.len - b.from;
  const data = Buffer.from(new ArrayBuffer(size));
  const blocks: BlockInsert[] = [];
  let at = 0;
  for (const b of builders) {
    b.stored = kept(b) ? blocks.length : -1;
    if (b.stored < 0) continue;
    const start = at;
    at += b.buf.copy(data, at, b.from, b.len);
    blocks.push(b.block(start, at));
  }
  return { blocks, data };
}

/** Rows as blocks, one per mailbox and priority (rows in msg_id order within each). */
export function encodeBlocks(rows: readonly { row: MessageRow; latest: boolean }[]): EncodedBlocks {
  const builders = new Map<string, BlockBuilder>();
  for (const { row, latest } of rows) {
    const key = `${row.priority} ${row.mailId}`;
    let b = builders.get(key);
    if (b === undefined)
      builders.set(key, (b = new BlockBuilder(row.mailId, row.priority, latest)));
    b.addRow(row);
  }
  return joinBlocks([...builders.values()]);
}
