// Types for block-format.mjs (plain JS, shared with the write thread).
import type { Database } from "better-sqlite3";

export declare const RECORD_FIXED: number;
export declare const HAS_REPLY: number;
export declare const HAS_HEADERS: number;
export declare const HAS_EXPIRY: number;

export declare function walkRecords(
  data: Buffer,
  fn: (index: number, at: number, msgId: number) => boolean | void,
): void;

export declare function isRead(
  read: Buffer | null,
  unread: number,
  count: number,
  index: number,
): boolean;

export declare const BLOCK_SQL: {
  insert: string;
  clearMailbox: string;
  overlapping: string;
  setRead: string;
  blockUnread: string;
  setAllRead: string;
};

/** One block to insert: its place in the job's data, and its row's columns. */
export interface BlockInsert {
  mailId: string;
  priority: number;
  first: number;
  last: number;
  count: number;
  bytes: number;
  expiresAt: number | null;
  /** A `latest` mailbox: its earlier blocks are deleted first. */
  latest: boolean;
  start: number;
  end: number;
}

/** A stored block, as its read marks name it. */
export interface BlockRef {
  id: number;
  /** Its first msg_id: a block id alone can be given again after a delete. */
  first: number;
}

/** A stored block as a message read from it knows it: enough to mark it read whole. */
export interface StoredBlock extends BlockRef {
  count: number;
}

/** Messages of one mailbox and priority to mark read. */
export interface ReadMarkGroup {
  mailId: string;
  priority: number;
  /** Blocks whose every message is to be marked read. */
  blocks?: readonly BlockRef[];
  /** Other messages, by msg_id. */
  msgIds: readonly number[];
}

/** What a job did: how many of each mark group were still unread, each block's id. */
export interface BlockJobResult {
  changed: number[];
  blockIds: number[];
}

export interface BlockJob {
  blocks: readonly BlockInsert[];
  data: Uint8Array;
  marks: readonly ReadMarkGroup[];
}

export declare function blockWriter(db: Database): { apply(job: BlockJob): BlockJobResult };
