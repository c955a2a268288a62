/**
 * The mq9 store's message blocks (block-format.mjs, block-reader.ts, mail-store.ts):
 * what goes in comes out byte for byte and in mq9 order, read marks land on the right
 * records, cursors and counts work across many blocks, and old data directories convert.
 * In memory (the inline writer) and on a file (the write thread), the same checks.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { MailStore, type MessageRow } from "../../server/store/mail-store";
import { encodeBlocks } from "../../server/store/block-builder";
import {
  INLINE_MAX_ROWS,
  type BlockJobResult,
  type ReadMarkGroup,
} from "../../server/store/message-writer";

type MessageWrite = { row: MessageRow; latest: boolean };
import { inboxSubject } from "../../server/mq9/subjects";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-blocks-"));
  dirs.push(d);
  return d;
}

let nextId = 1;
function row(mailId: string, priority: number, over: Partial<MessageRow> = {}): MessageRow {
  const msgId = nextId++;
  return {
    msgId,
    mailId,
    priority,
    subject: inboxSubject(mailId, priority),
    reply: null,
    headers: null,
    payload: Buffer.from(`m${msgId}`),
    time: 1_700_000_000_000 + msgId,
    expiresAt: null,
    unread: true,
    ...over,
  };
}

function writeJob(
  store: MailStore,
  writes: readonly MessageWrite[],
  marks: readonly ReadMarkGroup[] = [],
): Promise<BlockJobResult> {
  return new Promise((resolve, reject) =>
    store.writer.write(encodeBlocks(writes), marks, (err, result) =>
      err ? reject(err) : resolve(result),
    ),
  );
}

async function write(
  store: MailStore,
  writes: readonly MessageWrite[],
  marks: readonly ReadMarkGroup[] = [],
): Promise<number[]> {
  return (await writeJob(store, writes, marks)).changed;
}

const plain = (rows: MessageRow[]): MessageWrite[] => rows.map((r) => ({ row: r, latest: false }));
const ids = (rows: readonly MessageRow[]) => rows.map((r) => r.msgId);

for (const where of ["memory", "file"] as const) {
  describe(`message blocks (${where})`, () => {
    const open = () => new MailStore(where === "memory" ? ":memory:" : tmpDir());

    it("stores every field byte for byte and reads in mq9 order", async () => {
      const store = open();
      const binary = Buffer.from([0, 255, 13, 10, 0x80]);
      const rows = [
        row("a", 1, { reply: "_INBOX.r.1", headers: Buffer.from("NATS/1.0\r\nX: y\r\n\r\n") }),
        row("a", 2, { expiresAt: 1_800_000_000_000 }),
        row("a", 0, { payload: binary }),
        row("a", 1, { payload: Buffer.alloc(0), reply: "antwort.ü" }),
        row("b", 0),
      ];
      await write(store, plain(rows));
      const got = store.page("a", { after: null }, 10);
      const want = [rows[2]!, rows[0]!, rows[3]!, rows[1]!];
      assert.deepEqual(ids(got), ids(want));
      for (let i = 0; i < want.length; i++) {
        const g = got[i]!;
        const w = want[i]!;
        assert.equal(g.subject, w.subject);
        assert.equal(g.reply, w.reply);
        assert.deepEqual(g.headers, w.headers);
        assert.deepEqual(g.payload, w.payload);
        assert.equal(g.time, w.time);
        assert.equal(g.expiresAt, w.expiresAt);
        assert.equal(g.unread, true);
      }
      assert.deepEqual(store.getMessage("a", rows[3]!.msgId)?.reply, "antwort.ü");
      assert.equal(store.getMessage("a", rows[4]!.msgId), undefined, "b's message is not a's");
      assert.equal(store.countMessagesStored(), 5);
      await store.close();
    });

    it("marks exactly the records named, across blocks, once", async () => {
      const store = open();
      const batches = [0, 1, 2].map(() => [row("m", 1), row("m", 1), row("m", 1)]);
      for (const b of batches) await write(store, plain(b));
      const all = batches.flat();
      // Positions inside a block count only the records before it.
      all.forEach((r, k) =>
        assert.equal(store.countMessages("m", { priority: 1, msgId: r.msgId }), k),
      );
      const pick = [all[1]!, all[3]!, all[4]!, all[8]!];
      const changed = await write(store, [], [{ mailId: "m", priority: 1, msgIds: ids(pick) }]);
      assert.deepEqual(changed, [4]);
      const again = await write(store, [], [{ mailId: "m", priority: 1, msgIds: ids(pick) }]);
      assert.deepEqual(again, [0], "a second mark changes nothing");
      const unread = store.unread("m", null, 100);
      assert.deepEqual(ids(unread), ids(all.filter((r) => !pick.includes(r))));
      // A block whose every record is read drops its bitmap; its records stay read.
      await write(store, [], [{ mailId: "m", priority: 1, msgIds: [all[5]!.msgId] }]);
      const page = store.page("m", { after: null }, 100);
      assert.deepEqual(
        page.map((r) => r.unread),
        all.map((r) => !pick.includes(r) && r !== all[5]),
      );
      assert.equal(store.loadMailboxes().length, 0, "no mailbox rows were made");
      await store.close();
    });

    it("marks whole blocks by id: every record, once; a stale id marks nothing", async () => {
      const store = open();
      const first = [row("w", 1), row("w", 1), row("w", 1)];
      const second = [row("w", 1), row("w", 1)];
      const {
        blockIds: [a],
      } = await writeJob(store, plain(first));
      const {
        blockIds: [b],
      } = await writeJob(store, plain(second));
      assert.ok(a !== undefined && b !== undefined && a !== b);
      const whole = (id: number, rows: MessageRow[]) => ({ id, first: rows[0]!.msgId });
      // One of the second block's records was read already: only the rest change.
      await write(store, [], [{ mailId: "w", priority: 1, msgIds: [second[1]!.msgId] }]);
      const changed = await write(
        store,
        [],
        [{ mailId: "w", priority: 1, blocks: [whole(a, first), whole(b, second)], msgIds: [] }],
      );
      assert.deepEqual(changed, [4]);
      assert.deepEqual(store.unread("w", null, 100), []);
      assert.deepEqual(
        await write(
          store,
          [],
          [{ mailId: "w", priority: 1, blocks: [whole(a, first)], msgIds: [] }],
        ),
        [0],
        "a second mark changes nothing",
      );
      // A latest mailbox's new block may be given the id of the one it replaced; a mark
      // meant for the old one must not touch it.
      const old = row("l", 1);
      const {
        blockIds: [gone],
      } = await writeJob(store, [{ row: old, latest: true }]);
      const {
        blockIds: [next],
      } = await writeJob(store, [{ row: row("l", 1), latest: true }]);
      const stale = { mailId: "l", priority: 1, blocks: [whole(gone!, [old])], msgIds: [] };
      assert.deepEqual(await write(store, [], [stale]), [0]);
      assert.equal(store.unread("l", null, 10).length, 1, `block ${next} is still unread`);
      await store.close();
    });

    it("pages with cursors, backwards and counts positions over many blocks", async () => {
      const store = open();
      const rows: MessageRow[] = [];
      // 150 one-message blocks per priority: more than a page of blocks (64).
      for (let i = 0; i < 150; i++) {
        for (const p of [2, 0, 1]) {
          const r = row("many", p);
          rows.push(r);
          await write(store, plain([r]));
        }
      }
      const order = [...rows].sort((x, y) => x.priority - y.priority || x.msgId - y.msgId);
      assert.deepEqual(ids(store.page("many", { after: null }, 1000)), ids(order));
      for (const k of [0, 1, 63, 64, 149, 150, 299, 300, 449]) {
        const at = order[k]!;
        const cursor = { priority: at.priority, msgId: at.msgId };
        assert.equal(store.countMessages("many", cursor), k, `position of #${k}`);
        assert.deepEqual(
          ids(store.page("many", { after: cursor }, 70)),
          ids(order.slice(k + 1, k + 71)),
        );
        assert.deepEqual(
          ids(store.page("many", { before: cursor }, 70)),
          ids(order.slice(Math.max(0, k - 70), k)),
        );
        assert.deepEqual(ids(store.list("many", at.msgId, 5)), ids(order.slice(k + 1, k + 6)));
      }
      assert.equal(store.countMessages("many", null), 450);
      // Unread of one priority, from a cursor, in chunks.
      const normal = order.filter((r) => r.priority === 1);
      const first = store.unread("many", 1, 100);
      const rest = store.unread("many", 1, 100, {
        priority: 1,
        msgId: first[first.length - 1]!.msgId,
      });
      assert.deepEqual(ids([...first, ...rest]), ids(normal));
      await store.close();
    });

    it("keeps only the newest message of a latest mailbox", async () => {
      const store = open();
      await write(store, [{ row: row("s", 1), latest: true }]);
      // Sent in this order, so the last has the highest msg_id (as every send does).
      const urgent = row("s", 0);
      const other = row("other", 1);
      const newest = row("s", 2);
      await write(store, [
        { row: urgent, latest: true },
        { row: other, latest: false },
        { row: newest, latest: true },
      ]);
      assert.deepEqual(ids(store.page("s", { after: null }, 10)), [newest.msgId]);
      assert.equal(store.newest("s", null)?.msgId, newest.msgId);
      // Of one priority: the newest is the only message, so at any other there is none.
      assert.equal(store.newest("s", 2)?.msgId, newest.msgId);
      assert.equal(store.newest("s", 0), undefined);
      assert.equal(store.newest("other", 1)?.msgId, other.msgId);
      assert.equal(store.page("other", { after: null }, 10).length, 1);
      await store.close();
    });

    it("expires notify blocks and reaps mailboxes, dead-lettering unread urgent and normal", async () => {
      const store = open();
      const n = row("x", 2, { expiresAt: 5000 });
      const u = row("x", 0);
      const readOne = row("x", 1);
      const unreadOne = row("x", 1);
      await write(store, plain([n, u, readOne, unreadOne]));
      await write(store, [], [{ mailId: "x", priority: 1, msgIds: [readOne.msgId] }]);
      assert.deepEqual(store.expireMessages(4999), []);
      assert.deepEqual(store.expireMessages(5000), [
        { mailId: "x", stored: 1, bytes: n.payload.length, unread: 1 },
      ]);
      assert.equal(store.nextMessageExpiry(), null);
      store.transaction(() => store.removeMailboxes([{ mailId: "x", deadLetter: true }], 6000));
      while (store.reapStep(1000, 6000) !== null) {
        /* until done */
      }
      assert.equal(store.countMessagesStored(), 0);
      const dead = store.listDeadLetters(10, null);
      assert.deepEqual(dead.map((d) => d.msgId).sort(), [u.msgId, unreadOne.msgId].sort());
      assert.ok(store.loadNextMsgId() > unreadOne.msgId, "ids are never reused");
      await store.close();
    });

    it("bounds a reaping step by time as well as by messages, and always makes progress", async () => {
      const store = open();
      // A mailbox filled slowly: a block per message.
      for (let i = 0; i < 5; i++) await write(store, plain([row("slow", 1)]));
      store.transaction(() => store.removeMailboxes([{ mailId: "slow", deadLetter: false }], 0));
      // With no time to spare, each step still deletes one block.
      for (let left = 4; left >= 0; left--) {
        assert.notEqual(store.reapStep(1000, 0, 0), null);
        assert.equal(store.countMessagesStored(), left);
      }
      while (store.reapStep(1000, 0, 0) !== null) {
        /* the mailbox's reaping entry goes with the step that finds no block left */
      }
      assert.equal(store.reapingMailboxes().length, 0);
      await store.close();
    });
  });
}

describe("the write thread", () => {
  it("fails its jobs in flight when it dies, and writes go on inline", async () => {
    const store = new MailStore(tmpDir());
    const worker = (store.writer as unknown as { worker: import("node:worker_threads").Worker })
      .worker;
    // Big enough not to run inline while the thread is idle.
    const batch = Array.from({ length: INLINE_MAX_ROWS + 1 }, () => row("w", 1));
    // Given to the thread as it is stopped: never committed, and its sender is told.
    const stopping = worker.terminate();
    const inFlight = write(store, plain(batch));
    await stopping;
    await assert.rejects(inFlight, /write thread exited/);
    const later = Array.from({ length: INLINE_MAX_ROWS + 1 }, () => row("w", 1));
    await write(store, plain(later));
    assert.deepEqual(ids(store.page("w", { after: null }, later.length)), ids(later));
    await store.close();
  });
});

describe("data directories from before message blocks", () => {
  it("convert each message with its read state, and drop the old table", async () => {
    const dir = tmpDir();
    // The database as migrations 0000 and 0001 left it.
    const migrations = path.join(tmpDir(), "drizzle");
    fs.mkdirSync(path.join(migrations, "meta"), { recursive: true });
    for (const f of ["0000_init.sql", "0001_console.sql"]) {
      fs.copyFileSync(path.join("drizzle", f), path.join(migrations, f));
    }
    const journal = JSON.parse(fs.readFileSync("drizzle/meta/_journal.json", "utf8")) as {
      entries: { idx: number }[];
    };
    journal.entries = journal.entries.filter((e) => e.idx < 2);
    fs.writeFileSync(path.join(migrations, "meta", "_journal.json"), JSON.stringify(journal));
    const sqlite = new Database(path.join(dir, "mq9.db"));
    migrate(drizzle(sqlite), { migrationsFolder: migrations });
    const insert = sqlite.prepare(
      `insert into messages (msg_id, mail_id, priority, subject, reply, headers, payload, time, expires_at, unread)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run(7, "old", 1, "$mq9.AI.INBOX.old.normal", "r", null, Buffer.from("a"), 1, null, 1);
    insert.run(9, "old", 1, "$mq9.AI.INBOX.old.normal", null, null, Buffer.from("b"), 2, null, 0);
    insert.run(
      8,
      "old",
      0,
      "$mq9.AI.INBOX.old.urgent",
      null,
      Buffer.from("H"),
      Buffer.from("c"),
      3,
      null,
      1,
    );
    sqlite.close();

    const store = new MailStore(dir);
    const rows = store.page("old", { after: null }, 10);
    assert.deepEqual(
      rows.map((r) => [r.msgId, r.payload.toString(), r.unread, r.reply]),
      [
        [8, "c", true, null],
        [7, "a", true, "r"],
        [9, "b", false, null],
      ],
    );
    assert.deepEqual(rows[0]!.headers, Buffer.from("H"));
    assert.equal(store.loadNextMsgId(), 10);
    const legacy = store.db.$client
      .prepare("select name from sqlite_master where name = 'legacy_messages'")
      .get();
    assert.equal(legacy, undefined);
    await store.close();
  });
});
