/**
 * Opening the store: one SQLite file in the data directory, WAL, migrations from drizzle/
 * applied at start-up.
 */
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import * as schema from "./schema";
import { makeCheckpoint } from "./checkpoint.mjs";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenDb {
  db: Db;
  /** The database file, or null for an in-memory database. */
  file: string | null;
  /** Stops the checkpoint thread (a file database has one), its connection closed. */
  stopCheckpoints(): Promise<void>;
}

export interface CheckpointOptions {
  intervalMs: number;
  /**
   * The checkpoint thread starts this long after the store opens: booting a thread costs
   * tens of ms of CPU, which a server started for one short test should not spend first.
   */
  startMs: number;
  /** Past this many WAL frames a checkpoint makes the log start over (checkpoint.mjs). */
  restartFrames: number;
}

const CHECKPOINTS: CheckpointOptions = {
  intervalMs: 200,
  startMs: 1000,
  // 1 GB of 4 KB pages. A RESTART holds writers for its last backfill and two fsyncs:
  // 6–43 ms here, the longer ones while the disk was busy with the WAL's own writeback
  // (plus up to the next step of the writers' busy handler: 1, 2, 5, 10… ms). Committing
  // messages one at a time at 10 000 msg/s writes ~80 MB of WAL a second: at 256 MB such
  // a pause every ~3 s held ~1% of messages, which is a p99; at 1 GB it is every ~12 s.
  restartFrames: 262_144,
};

/** How long a closing checkpoint thread may take (a RESTART waits up to 1 s for locks). */
const CLOSE_WAIT_MS = 5000;

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../drizzle");

/** Opens (creating if needed) `<dataDir>/mq9.db`; `:memory:` for a throwaway store. */
export function openDb(
  dataDir: string | ":memory:",
  checkpoints: CheckpointOptions = CHECKPOINTS,
): OpenDb {
  let file = ":memory:";
  if (dataDir !== ":memory:") {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, "mq9.db");
  }
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL in WAL mode: a commit survives the process being killed (the OS has the
  // pages); only a power loss could take the last transactions.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // No journal_size_limit: the WAL file keeps its size (up to restartFrames and what comes
  // between two checkpoints) and is written over, until a quiet moment truncates it
  // (checkpoint.mjs). Truncating it as the log starts over stalled that commit for up to
  // hundreds of ms while the kernel was writing back the pages being cut: p99 at 10 000
  // msg/s went from 7 ms to 34–597 ms.
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS });
  let checkpointer: Worker | null = null;
  let starting: NodeJS.Timeout | null = null;
  if (file !== ":memory:") {
    // Checkpoints (with their fsyncs) happen on another thread; see checkpoint-worker.mjs.
    sqlite.pragma("wal_autocheckpoint = 0");
    const dbFile = file;
    starting = setTimeout(() => {
      starting = null;
      checkpointer = new Worker(new URL("./checkpoint-worker.mjs", import.meta.url), {
        workerData: { file: dbFile, ...checkpoints },
        // Plain JS: none of the parent's preloads (tsx, a benchmark's hooks) apply here.
        execArgv: [],
      });
      checkpointer.unref();
      // Should the thread die, checkpoint here rather than let the WAL grow without end.
      checkpointer.once("error", () => {
        const checkpoint = makeCheckpoint(sqlite, checkpoints.restartFrames);
        const timer = setInterval(() => {
          try {
            checkpoint();
          } catch {
            // Busy, or closed at shutdown: the next tick tries again, or stops.
            if (!sqlite.open) clearInterval(timer);
          }
        }, checkpoints.intervalMs);
        timer.unref();
      });
    }, checkpoints.startMs);
    starting.unref();
  }
  const stopCheckpoints = async (): Promise<void> => {
    if (starting !== null) clearTimeout(starting);
    const thread = checkpointer;
    if (thread === null) return;
    checkpointer = null;
    // It finishes the checkpoint under way and closes its connection. One that does not
    // answer is terminated: that may skip a checkpoint, never lose data (the WAL is read
    // back at the next start).
    const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
    const stuck = setTimeout(() => void thread.terminate(), CLOSE_WAIT_MS);
    thread.postMessage("close");
    await exited;
    clearTimeout(stuck);
  };
  return { db, file: file === ":memory:" ? null : file, stopCheckpoints };
}
