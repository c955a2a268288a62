// The mq9 store's write thread: it owns the connection that stores inbox messages and
// their read marks, so that SQLite's inserts and COMMITs (most of a durable send's cost)
// run on a second core while the broker's event loop parses and delivers. The main
// thread packs each group commit into one transferred buffer (message-writer.ts); jobs
// that queue up while a transaction runs are committed together in the next one.
// Plain JS, so it loads in a worker thread without the TypeScript loader.
import Database from "better-sqlite3";
import { Buffer } from "node:buffer";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";

// As inboxSubject in mq9/subjects.ts (this file cannot import TypeScript).
const PRIORITY_NAMES = ["urgent", "normal", "notify"];
const db = new Database(workerData.file);
db.pragma("journal_mode = WAL");
// As the main connection (db.ts): a commit survives the process being killed.
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
// Checkpoints run on their own thread (checkpoint-worker.mjs).
db.pragma("wal_autocheckpoint = 0");

// The statements come from message-writer.ts (WRITE_SQL), shared with the inline writer.
const sql = workerData.sql;
const insert = db.prepare(sql.insert);
const clearLatest = db.prepare(sql.clearLatest);
const markRead = db.prepare(sql.markRead);

const LATEST = 1;
const HAS_REPLY = 2;
const HAS_HEADERS = 4;
const HAS_EXPIRY = 8;

/** Inserts the rows packed by packMessages (message-writer.ts). */
function insertPacked(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < buf.length) {
    const msgId = buf.readDoubleLE(at);
    const time = buf.readDoubleLE(at + 8);
    const expires = buf.readDoubleLE(at + 16);
    const priority = buf[at + 24];
    const flags = buf[at + 25];
    const idLen = buf.readUInt16LE(at + 26);
    const replyLen = buf.readUInt16LE(at + 28);
    const headersLen = buf.readUInt32LE(at + 30);
    const payloadLen = buf.readUInt32LE(at + 34);
    at += 38;
    const mailId = buf.toString("latin1", at, (at += idLen));
    const reply = flags & HAS_REPLY ? buf.toString("utf8", at, (at += replyLen)) : null;
    const headers = flags & HAS_HEADERS ? buf.subarray(at, (at += headersLen)) : null;
    const payload = buf.subarray(at, (at += payloadLen));
    if (flags & LATEST) clearLatest.run(mailId);
    insert.run(
      msgId,
      mailId,
      priority,
      `$mq9.AI.INBOX.${mailId}.${PRIORITY_NAMES[priority]}`,
      reply,
      headers,
      payload,
      time,
      flags & HAS_EXPIRY ? expires : null,
    );
  }
}

/** Runs one job: rows to store, then marks; how many of each mark group were unread. */
function run(job) {
  if (job.rows !== null) insertPacked(job.rows);
  return job.marks.map((g) => markRead.run(g.mailId, g.priority, JSON.stringify(g.msgIds)).changes);
}

const runAll = db.transaction((jobs) => jobs.map(run));

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
