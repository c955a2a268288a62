// Runs SQLite WAL checkpoints on a thread of their own: a checkpoint copies pages into
// the database file and fsyncs, which takes milliseconds that must not stall the broker's
// event loop (the main connection sets wal_autocheckpoint = 0). Plain JS, so it loads in
// a worker thread without the TypeScript loader.
import Database from "better-sqlite3";
import { workerData } from "node:worker_threads";

const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
globalThis.setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or locked: the next tick tries again.
  }
}, workerData.intervalMs);
