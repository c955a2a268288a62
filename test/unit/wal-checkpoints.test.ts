/**
 * The store's WAL stays bounded while writes never pause (checkpoint.mjs): a PASSIVE
 * checkpoint alone cannot catch up with a writer that commits again while it copies, so
 * the log was never started over and grew without end.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { openDb } from "../../server/store/db";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

it("the WAL stays bounded under writes that never pause, nothing is lost, and the file shrinks once they stop", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-wal-"));
  dirs.push(dir);
  // Checkpoints often and a small restart bound, so a second of writes shows the bound.
  const restartFrames = 64;
  const store = openDb(dir, { intervalMs: 20, startMs: 0, restartFrames });
  const c = store.db.$client;
  c.exec("create table wal_test (n integer, x blob)");
  const insert = c.prepare("insert into wal_test values (?, ?)");
  const commit = c.transaction((n: number) => insert.run(n, Buffer.alloc(200, n)));
  const wal = `${store.file}-wal`;
  let written = 0;
  let largest = 0;
  const until = Date.now() + 1500;
  // One small transaction per turn of the event loop, as the broker commits under load.
  while (Date.now() < until) {
    commit.immediate(written++);
    if (written % 50 === 0) largest = Math.max(largest, fs.statSync(wal).size);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  // Once nothing is written, the file is given back.
  const quiet = Date.now() + 3000;
  while (fs.statSync(wal).size > 0 && Date.now() < quiet) await sleep(20);
  const after = fs.statSync(wal).size;
  await store.stopCheckpoints();
  const frames = Math.ceil(largest / (c.pragma("page_size", { simple: true }) as number));
  // Unbounded, the file keeps a frame or more per commit (55 000 frames after 52 000
  // commits here); bounded, at most what is written between two restarts.
  assert.ok(written > 2_000, `only ${written} commits`);
  assert.ok(frames < written / 4, `the WAL reached ${frames} frames in ${written} commits`);
  const rows = c.prepare("select count(*) as n, sum(n) as s from wal_test").get() as {
    n: number;
    s: number;
  };
  assert.deepEqual(rows, { n: written, s: (written * (written - 1)) / 2 });
  assert.equal(after, 0, "the WAL file is truncated once writes stop");
  c.close();
});

it("closing the store leaves the database file alone: the WAL is checkpointed and removed", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-wal-"));
  dirs.push(dir);
  const store = openDb(dir, { intervalMs: 20, startMs: 0, restartFrames: 1 << 20 });
  const c = store.db.$client;
  c.exec("create table wal_test (n integer, x blob)");
  const insert = c.prepare("insert into wal_test values (?, ?)");
  for (let n = 0; n < 200; n++) insert.run(n, Buffer.alloc(4000, n));
  // Let the checkpoint thread open its connection and work.
  await sleep(200);
  assert.ok(fs.existsSync(`${store.file}-wal`));
  await store.stopCheckpoints();
  c.close();
  // Had the thread been terminated with its connection open, the close would not have
  // been the last one, and SQLite would have left the WAL (and its index) behind.
  assert.deepEqual(fs.readdirSync(dir), ["mq9.db"]);
  const reopened = openDb(dir, { intervalMs: 20, startMs: 60_000, restartFrames: 1 << 20 });
  const rows = reopened.db.$client.prepare("select count(*) as n from wal_test").get();
  assert.deepEqual(rows, { n: 200 });
  await reopened.stopCheckpoints();
  reopened.db.$client.close();
});
