// Runs SQLite WAL checkpoints on a thread of their own: a checkpoint copies pages into
// the database file and fsyncs, which takes milliseconds that must not stall the broker's
// event loop (the main connection sets wal_autocheckpoint = 0). Plain JS, so it loads in
// a worker thread without the TypeScript loader.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import { makeCheckpoint } from "./checkpoint.mjs";

const db = new Database(workerData.file);
// A RESTART waits this long for the writers' locks before the next tick tries again.
db.pragma("busy_timeout = 1000");
const checkpoint = makeCheckpoint(db, workerData.restartFrames);
const timer = globalThis.setInterval(() => {
  try {
    checkpoint();
  } catch {
    // Busy or locked: the next tick tries again.
  }
}, workerData.intervalMs);

// Asked to stop: close the connection rather than be terminated with it open, so the
// broker's own connection is the last to close, and that close checkpoints the whole WAL
// and removes it (a connection left open in the process keeps SQLite from doing so).
parentPort.once("message", () => {
  globalThis.clearInterval(timer);
  db.close();
  parentPort.close();
});
