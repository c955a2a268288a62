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

/** Messages of one mailbox and priority to mark read. */
export interface ReadMarkGroup {
  mailId: string;
  priority: number;
  msgIds: readonly number[];
}

export interface BlockJob {
  blocks: readonly BlockInsert[];
  data: Uint8Array;
  marks: readonly ReadMarkGroup[];
}

export declare function blockWriter(db: Database): { apply(job: BlockJob): number[] };
