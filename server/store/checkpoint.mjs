// Checkpoints of the store's WAL, shared by the checkpoint thread (checkpoint-worker.mjs)
// and its fallback on the main connection (db.ts). Plain JS, so it loads in a worker
// thread without the TypeScript loader.
//
// A PASSIVE checkpoint never waits for anyone, but under writes that never pause it can
// never finish: the frames committed while it copies and fsyncs are always newer than what
// it backfilled, so no writer ever finds the WAL fully backfilled, which is the moment a
// writer starts the log over. The WAL then grows without end: 400 MB in a 5 s benchmark
// at 10 000 msg/s. So past `restartFrames`, a RESTART follows: it waits for the writer of
// the moment and holds new ones (their busy handler waits) while it backfills the few
// frames the PASSIVE pass left and fsyncs, and the next writer starts the log over.
//
// The file keeps its size, to be written over. Once nothing has been written for a whole
// interval and everything is backfilled, a TRUNCATE gives the disk space back, when there
// is much of it (over a sixteenth of the restart bound): nobody is writing then to wait
// for it, and light traffic, whose WAL starts over by itself, never pays for it.

import fs from "node:fs";

/**
 * A checkpoint function for `db` (a better-sqlite3 connection), to call every interval.
 * It throws SQLITE_BUSY when a RESTART or TRUNCATE cannot get its locks within the
 * connection's busy timeout.
 */
export function makeCheckpoint(db, restartFrames) {
  const wal = `${db.name}-wal`;
  // A frame is a page and its 24-byte header.
  const truncateBytes = (restartFrames / 16) * (db.pragma("page_size", { simple: true }) + 24);
  let lastLog = -1;
  return () => {
    const [passive] = db.pragma("wal_checkpoint(PASSIVE)");
    const idle = passive.log === lastLog && passive.log === passive.checkpointed;
    lastLog = passive.log;
    // The file, not the log: after a restart a short log is written over a long file.
    if (idle && fileSize(wal) > truncateBytes) {
      db.pragma("wal_checkpoint(TRUNCATE)");
      lastLog = 0;
    } else if (passive.log > restartFrames) db.pragma("wal_checkpoint(RESTART)");
  };
}

function fileSize(path) {
  try {
    return fs.statSync(path).size;
  } catch {
    return 0;
  }
}
