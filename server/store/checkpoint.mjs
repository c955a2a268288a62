// One checkpoint of the store's WAL, shared by the checkpoint thread (checkpoint-worker.mjs)
// and its fallback on the main connection (db.ts). Plain JS, so it loads in a worker
// thread without the TypeScript loader.
//
// A PASSIVE checkpoint never waits for anyone, but under writes that never pause it can
// never finish: the frames committed while it copies and fsyncs are always newer than what
// it backfilled, so no writer ever finds the WAL fully backfilled, which is the moment a
// writer starts the log over. The WAL then grows without end: 400 MB in a 5 s benchmark
// at 10 000 msg/s. So past `restartFrames`, a RESTART follows: it waits for the writer of
// the moment and holds new ones (their busy handler waits) while it backfills the few
// frames the PASSIVE pass left, and the next writer starts the log over.

/**
 * Checkpoints `db` (a better-sqlite3 connection). Throws SQLITE_BUSY when a RESTART cannot
 * get its locks within the connection's busy timeout.
 */
export function checkpoint(db, restartFrames) {
  const [passive] = db.pragma("wal_checkpoint(PASSIVE)");
  if (passive.log > restartFrames) db.pragma("wal_checkpoint(RESTART)");
}
