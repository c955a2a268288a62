// The mq9 store's write thread: it owns the connection that stores inbox messages and
// their read marks, so that SQLite's share of a durable send runs on a second core while
// the broker's event loop parses and delivers. The main thread builds each group commit's
// blocks as messages arrive and hands them over in one transferred buffer
// (block-builder.ts); jobs that queue up while a transaction runs are committed together
// in the next one. Plain JS, so it loads in a worker thread without the TypeScript loader.
import Database from "better-sqlite3";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { blockWriter } from "./block-format.mjs";

const db = new Database(workerData.file);
db.pragma("journal_mode = WAL");
// As the main connection (db.ts): a commit survives the process being killed.
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
// Checkpoints run on their own thread (checkpoint-worker.mjs).
db.pragma("wal_autocheckpoint = 0");

const blocks = blockWriter(db);
const runAll = db.transaction((jobs) => jobs.map((job) => blocks.apply(job)));

function answer(job, result) {
  parentPort.postMessage({ seq: job.seq, ...result });
}

function close(job) {
  db.close();
  answer(job, { ok: true, result: null });
  parentPort.close();
}

parentPort.on("message", (first) => {
  if (first.kind === "close") return close(first);
  // Group commit across jobs: whatever queued while the last transaction ran.
  const jobs = [first];
  let closing = null;
  for (;;) {
    const next = receiveMessageOnPort(parentPort);
    if (next === undefined) break;
    if (next.message.kind === "close") {
      closing = next.message;
      break;
    }
    jobs.push(next.message);
  }
  try {
    const results = runAll(jobs);
    jobs.forEach((job, i) => answer(job, { ok: true, result: results[i] }));
  } catch {
    // One bad job must not fail the others: run each on its own to find it.
    for (const job of jobs) {
      try {
        answer(job, { ok: true, result: runAll([job])[0] });
      } catch (err) {
        answer(job, { ok: false, error: String(err) });
      }
    }
  }
  if (closing !== null) close(closing);
});
