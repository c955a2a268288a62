/**
 * Where inbox messages and their read marks are written. For a database file that is a
 * thread of its own (write-worker.mjs) with its own connection, so SQLite's share of a
 * durable send runs beside the event loop; jobs complete in the order they were given.
 * An in-memory database cannot be shared with a thread, so there the same jobs run
 * inline, completing before the call returns. Both apply jobs with block-format.mjs.
 */
import type { Database } from "better-sqlite3";
import { Worker } from "node:worker_threads";
import {
  blockWriter,
  type BlockJob,
  type BlockJobResult,
  type BlockRef,
  type ReadMarkGroup,
  type StoredBlock,
} from "./block-format.mjs";
import type { EncodedBlocks } from "./block-builder";

export type { BlockJobResult, BlockRef, ReadMarkGroup, StoredBlock };

export type Done<T> = (err: Error | null, result: T) => void;

/** A failed job's result. */
const NOTHING_DONE: BlockJobResult = { changed: [], blockIds: [] };

export interface MessageWriter {
  /**
   * Stores the blocks (their messages unread) and marks the groups read, in one
   * transaction; gives how many of each group were still unread, and the blocks' ids.
   */
  write(blocks: EncodedBlocks, marks: readonly ReadMarkGroup[], done: Done<BlockJobResult>): void;
  /** Runs `fn` once every job given so far has completed (at once if none is pending). */
  afterPending(fn: () => void): void;
  /** Completes what was given, then closes. */
  close(): Promise<void>;
}

type Job = ({ kind: "write"; seq: number } & BlockJob) | { kind: "close"; seq: number };

type Answer =
  { seq: number; ok: true; result: unknown } | { seq: number; ok: false; error: string };

/**
 * Jobs while the thread is idle run inline, on the caller's connection, up to this many
 * messages and read marks. A commit costs tens of µs plus ~1 µs per message here, less
 * than the two thread hand-offs it would wait for; and while only one connection writes,
 * neither waits for the other's write lock inside SQLite's busy handler, which sleeps 1,
 * 2, 5, 10… ms at a time. Only bursts beyond this (or jobs given while the thread still
 * has one) go to the second core. Three alternating rounds of each (BENCHMARKS.md): 1 024
 * rather than 64 took p99 at 10 000 msg/s from 8–51 ms to 4.9–5.7 ms, and durable sends
 * from 186–217k to 216–276k msg/s. (64 rather than 16 had taken the commit phase's p99
 * from 3.6–7 ms to 1.8 ms.)
 */
export const INLINE_MAX_ROWS = 1024;

/**
 * The write thread, for a database file. Inline jobs run only when no job is pending, so
 * the two connections never wait on each other's write lock and jobs stay in order.
 */
export class ThreadWriter implements MessageWriter {
  /** Started by the first job that does not run inline: most starts never need it. */
  private thread: Worker | null = null;
  private readonly inline: InlineWriter;
  private seq = 0;
  private readonly waiting = new Map<number, Done<unknown>>();
  private crashed: Error | null = null;

  constructor(
    private readonly file: string,
    db: Database,
  ) {
    this.inline = new InlineWriter(db);
  }

  private get worker(): Worker {
    if (this.thread !== null) return this.thread;
    const worker = new Worker(new URL("./write-worker.mjs", import.meta.url), {
      workerData: { file: this.file },
      // Plain JS: none of the parent's preloads (tsx, a benchmark's hooks) apply here.
      execArgv: [],
    });
    worker.on("message", (a: Answer) => {
      const done = this.waiting.get(a.seq);
      this.waiting.delete(a.seq);
      if (a.ok) done?.(null, a.result);
      else done?.(new Error(a.error), NOTHING_DONE);
    });
    // A thread that dies takes its jobs with it: fail them rather than wait forever.
    const fail = (err: Error) => {
      this.crashed ??= err;
      for (const done of this.waiting.values()) done(err, NOTHING_DONE);
      this.waiting.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the store's write thread exited (${code})`)));
    return (this.thread = worker);
  }

  private get idle(): boolean {
    return this.waiting.size === 0 && this.crashed === null;
  }

  afterPending(fn: () => void): void {
    if (this.waiting.size === 0) return fn();
    // Jobs complete in order: when the last one given so far does, all have.
    const last = this.seq;
    const done = this.waiting.get(last);
    this.waiting.set(last, (err, result) => {
      done?.(err, result);
      fn();
    });
  }

  private post(job: Job, done: Done<unknown>, transfer: ArrayBuffer[] = []): void {
    if (this.crashed !== null) return done(this.crashed, null);
    this.waiting.set(job.seq, done);
    this.worker.postMessage(job, transfer);
  }

  write(blocks: EncodedBlocks, marks: readonly ReadMarkGroup[], done: Done<BlockJobResult>): void {
    // A thread that died failed its jobs in flight; from then on, writes run inline.
    if (this.crashed !== null) return this.inline.write(blocks, marks, done);
    let rows = 0;
    for (const b of blocks.blocks) rows += b.count;
    for (const g of marks) rows += g.msgIds.length + (g.blocks?.length ?? 0);
    if (this.idle && rows <= INLINE_MAX_ROWS) return this.inline.write(blocks, marks, done);
    const { blocks: inserts, data } = blocks;
    // An empty job (read marks only) shares NO_BLOCKS' buffer, which must not be detached.
    const transfer = data.length > 0 ? [data.buffer as ArrayBuffer] : [];
    this.post(
      { kind: "write", seq: ++this.seq, blocks: inserts, data, marks },
      done as Done<unknown>,
      transfer,
    );
  }

  async close(): Promise<void> {
    if (this.thread === null) return;
    if (this.crashed === null) {
      await new Promise<void>((resolve) =>
        this.post({ kind: "close", seq: ++this.seq }, () => resolve()),
      );
    }
    await this.thread.terminate();
  }
}

/** The same jobs on the caller's connection, for an in-memory database. */
export class InlineWriter implements MessageWriter {
  /** Made once: better-sqlite3 builds several wrapper functions per transaction(). */
  private readonly apply: (job: BlockJob) => BlockJobResult;

  constructor(db: Database) {
    const blocks = blockWriter(db);
    const tx = db.transaction((job: BlockJob) => blocks.apply(job));
    this.apply = (job) => tx.immediate(job);
  }

  afterPending(fn: () => void): void {
    fn();
  }

  write(blocks: EncodedBlocks, marks: readonly ReadMarkGroup[], done: Done<BlockJobResult>): void {
    let result: BlockJobResult;
    try {
      result = this.apply({ blocks: blocks.blocks, data: blocks.data, marks });
    } catch (err) {
      return done(err instanceof Error ? err : new Error(String(err)), NOTHING_DONE);
    }
    done(null, result);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
