/**
 * Nothing lost, nothing doubled (mq9.md §4.5, §6.2): publishers confirm with `flush()`,
 * the broker process is killed with SIGKILL at different points under load and started
 * again on the same data directory and port. Every confirmed message must be stored
 * exactly once, unconfirmed ones at most once, unread state must survive, and an owner
 * that subscribes afterwards must receive exactly the unread ones.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { decodeBlock } from "../../server/store/block-reader";
import { connect, StringCodec, type Msg, type NatsConnection } from "nats";
import { startMq9Process, tempDataDir, type Mq9Process } from "../support/mq9-process";

const sc = StringCodec();
const PRIORITIES = ["urgent", "normal", "notify"] as const;
const BOXES = 10;
const PUBLISHERS = 4;

interface Box {
  mail_id: string;
  token: string;
  inbox: string;
}

interface Stored {
  msg_id: number;
  priority: string;
  payload: string;
  unread: boolean;
}

interface QueryPage {
  unread: number;
  messages: Stored[];
  more: boolean;
}

/** What one publisher sent and had confirmed by a returned flush. */
interface PublisherState {
  sent: number;
  confirmed: number;
  done: Promise<void>;
}

async function request<T>(nc: NatsConnection, subject: string, body: unknown): Promise<T> {
  const m = await nc.request(subject, sc.encode(JSON.stringify(body)), { timeout: 10_000 });
  const value = JSON.parse(sc.decode(m.data)) as T & { error?: string };
  if (value.error !== undefined) throw new Error(`${subject}: ${JSON.stringify(value)}`);
  return value;
}

function createBoxes(nc: NatsConnection, n: number): Promise<Box[]> {
  return Promise.all(
    Array.from({ length: n }, () => request<Box>(nc, "$mq9.AI.MAILBOX.CREATE", { ttl: 600 })),
  );
}

/** Every stored message of a mailbox, paging with `after`, without changing unread state. */
async function queryAll(nc: NatsConnection, box: Box): Promise<{ unread: number; all: Stored[] }> {
  const all: Stored[] = [];
  let unread = -1;
  let last: number | undefined;
  for (;;) {
    const page = await request<QueryPage>(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, {
      token: box.token,
      peek: true,
      limit: 1000,
      ...(last === undefined ? {} : { after: last }),
    });
    if (unread < 0) unread = page.unread;
    all.push(...page.messages);
    if (!page.more) return { unread, all };
    last = page.messages[page.messages.length - 1]!.msg_id;
  }
}

const key = (run: string, pub: number, seq: number) => `${run}/${pub}/${seq}`;

function parseKey(payload: string): { run: string; pub: number; seq: number } {
  const [run, pub, seq] = payload.split("/");
  return { run: run!, pub: Number(pub), seq: Number(seq) };
}

/** Where message `seq` of publisher `pub` goes: spread over every mailbox and priority. */
function target(boxes: Box[], pub: number, seq: number): string {
  const box = boxes[(pub + seq) % boxes.length]!;
  return `${box.inbox}.${PRIORITIES[seq % 3]}`;
}

/**
 * Publishes numbered messages in batches of 1 to 40, `await flush()` after each: a batch
 * counts as confirmed once its flush returned. Stops when the connection dies.
 */
async function startPublisher(
  port: number,
  run: string,
  pub: number,
  boxes: Box[],
): Promise<PublisherState> {
  const nc = await connect({ port, reconnect: false, name: `${run}-pub-${pub}` });
  // nats.js leaves a pending flush unsettled when the socket dies; the close settles it.
  const closed = nc.closed().then(() => {
    throw new Error("closed");
  });
  closed.catch(() => {});
  const state: PublisherState = { sent: 0, confirmed: 0, done: Promise.resolve() };
  state.done = (async () => {
    try {
      for (;;) {
        const n = 1 + Math.floor(Math.random() * 40);
        for (let i = 0; i < n; i++) {
          nc.publish(target(boxes, pub, state.sent), sc.encode(key(run, pub, state.sent)));
          state.sent++;
        }
        await Promise.race([nc.flush(), closed]);
        state.confirmed = state.sent;
      }
    } catch {
      // The broker was killed: what was confirmed so far is what counts.
    }
  })();
  return state;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(10);
  }
}

/**
 * Collects messages on `subject` until `expected` arrived and then `quietMs` passed with
 * nothing more (or `timeoutMs` in all).
 */
async function collect(
  nc: NatsConnection,
  subject: string,
  expected: number,
  quietMs: number,
  timeoutMs = 10_000,
): Promise<Msg[]> {
  const got: Msg[] = [];
  const sub = nc.subscribe(subject);
  const deadline = Date.now() + timeoutMs;
  let lastAt = Date.now();
  void (async () => {
    for await (const m of sub) {
      got.push(m);
      lastAt = Date.now();
    }
  })();
  await nc.flush();
  while (Date.now() < deadline) {
    if (got.length >= expected && Date.now() - lastAt >= quietMs) break;
    await sleep(20);
  }
  sub.unsubscribe();
  return got;
}

describe("mq9 crash: SIGKILL under load, restart on the same data dir", () => {
  const dataDir = tempDataDir();
  let proc: Mq9Process;
  const allRuns: string[] = [];
  /** The highest msg_id stored by earlier runs: ids only grow, across restarts too (§5). */
  let lastMsgId = 0;
  /** Owner run: messages stored as read (delivered live) that never reached the owner. */
  let readButNeverReceived: string[] | null = null;

  before(async () => {
    proc = await startMq9Process({ dataDir });
  });

  after(async () => {
    await proc?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * One scenario: fresh mailboxes, publishers under load, a kill, a restart, then the
   * checks. `owner` subscribes the first mailbox during the load; `burst` adds one
   * connection that publishes `burst` messages without flushing and kills once a monitor
   * has seen a tenth of them.
   */
  async function scenario(
    run: string,
    opts: { killAfterMs?: number; burst?: number; owner?: boolean },
  ): Promise<void> {
    allRuns.push(run);
    const port = proc.port;
    const setup = await connect({ port, reconnect: false });
    const boxes = await createBoxes(setup, BOXES);

    const liveKeys = new Map<string, number>();
    let owner: NatsConnection | null = null;
    if (opts.owner) {
      owner = await connect({ port, reconnect: false, name: `${run}-owner` });
      const sub = owner.subscribe(`${boxes[0]!.inbox}.*`);
      void (async () => {
        for await (const m of sub) {
          const k = sc.decode(m.data);
          liveKeys.set(k, (liveKeys.get(k) ?? 0) + 1);
        }
      })();
      await owner.flush();
    }

    const pubs: PublisherState[] = [];
    for (let p = 0; p < PUBLISHERS; p++) pubs.push(await startPublisher(port, run, p, boxes));

    let burstSent = 0;
    if (opts.burst !== undefined) {
      const burstPub = PUBLISHERS;
      // A monitor (wildcard, not an owner: it changes no unread state, §6.2) tells us
      // how far the broker has committed the burst.
      const monitor = await connect({ port, reconnect: false });
      let seen = 0;
      const mon = monitor.subscribe("$mq9.AI.INBOX.*.*");
      // Early in the burst, so the kill lands while most of it is still on its way.
      const killAt = Math.floor(opts.burst / 50);
      const killed = new Promise<void>((resolve) => {
        void (async () => {
          for await (const m of mon) {
            if (parseKey(sc.decode(m.data)).pub === burstPub && ++seen === killAt) resolve();
          }
        })();
      });
      await monitor.flush();
      const bnc = await connect({ port, reconnect: false, name: `${run}-burst` });
      bnc.closed().catch(() => {});
      for (let s = 0; s < opts.burst; s++) {
        bnc.publish(target(boxes, burstPub, s), sc.encode(key(run, burstPub, s)));
        burstSent++;
      }
      await Promise.race([killed, sleep(10_000)]);
    } else {
      await sleep(opts.killAfterMs ?? 0);
    }
    const exit = await proc.kill();
    assert.equal(exit.signal, "SIGKILL");
    await Promise.all(pubs.map((p) => p.done));
    const confirmed = pubs.reduce((n, p) => n + p.confirmed, 0);
    const sent = pubs.reduce((n, p) => n + p.sent, 0) + burstSent;

    proc = await startMq9Process({ port, dataDir });
    const nc = await connect({ port, reconnect: false });
    const stored = await Promise.all(boxes.map((b) => queryAll(nc, b)));

    // Exactly once: no key twice, every confirmed one present, per publisher a prefix
    // (a later message cannot be committed while an earlier one of the same connection
    // was not: commits go in order).
    const seen = new Map<string, number>();
    const msgIds = new Set<number>();
    const perPub = new Map<number, Set<number>>();
    let storedUnread = 0;
    for (const [i, s] of stored.entries()) {
      for (const m of s.all) {
        assert.ok(!msgIds.has(m.msg_id), `msg_id ${m.msg_id} twice`);
        assert.ok(m.msg_id > lastMsgId, `msg_id ${m.msg_id} not above ${lastMsgId}`);
        msgIds.add(m.msg_id);
        assert.ok(!seen.has(m.payload), `${m.payload} stored twice`);
        seen.set(m.payload, i);
        const k = parseKey(m.payload);
        assert.equal(k.run, run);
        assert.equal(target(boxes, k.pub, k.seq), `${boxes[i]!.inbox}.${m.priority}`);
        if (!perPub.has(k.pub)) perPub.set(k.pub, new Set());
        perPub.get(k.pub)!.add(k.seq);
        if (m.unread) storedUnread++;
      }
      const unreadHere = s.all.filter((m) => m.unread).length;
      assert.equal(s.unread, unreadHere, `envelope unread count of mailbox ${i}`);
      if (!(opts.owner && i === 0)) {
        assert.equal(unreadHere, s.all.length, `mailbox ${i}: no owner was online, all unread`);
      }
    }
    for (const [p, st] of pubs.entries()) {
      const got = perPub.get(p) ?? new Set<number>();
      for (let q = 0; q < st.confirmed; q++) {
        assert.ok(got.has(q), `${run}: confirmed message ${p}/${q} lost`);
      }
      assert.ok(got.size <= st.sent, `${run}: publisher ${p} stored more than it sent`);
      assert.equal(
        [...got].reduce((a, b) => Math.max(a, b), -1) + 1,
        got.size,
        `${run}: publisher ${p} has holes`,
      );
    }
    if (opts.burst !== undefined) {
      const b = perPub.get(PUBLISHERS)?.size ?? 0;
      assert.ok(b > 0 && b < opts.burst, `${run}: killed in the middle of the burst (${b})`);
    }

    for (const id of msgIds) lastMsgId = Math.max(lastMsgId, id);

    // Live delivery to the owner: what it got is read (or, within the last round trip,
    // still unread), what it did not get is never read.
    if (opts.owner) {
      for (const [k, n] of liveKeys) assert.equal(n, 1, `${k} delivered live ${n} times`);
      const box0 = stored[0]!.all;
      const readNotReceived = box0.filter((m) => !m.unread && !liveKeys.has(m.payload));
      const unreadButReceived = box0.filter((m) => m.unread && liveKeys.has(m.payload));
      // At-least-once: a message whose receipt (the owner's PONG) had not come back when
      // the broker died stays unread and is delivered again, with the same msg_id. That
      // window is one round trip, so only the last few can be affected.
      assert.ok(
        unreadButReceived.length <= 64,
        `${unreadButReceived.length} delivered yet unread: more than one round trip's worth`,
      );
      // Checked in its own (todo) test below: the window between commit and socket write.
      readButNeverReceived = readNotReceived.map((m) => m.payload);
      for (const k of liveKeys.keys()) assert.ok(seen.has(k), `live ${k} was not stored`);
    }

    // An owner now receives exactly the unread ones, each once, in §5 order; a second
    // owner subscription afterwards receives nothing.
    const ownerNc = await connect({ port, reconnect: false });
    const received = await Promise.all(
      boxes.map((b, i) =>
        collect(ownerNc, `${b.inbox}.*`, stored[i]!.all.filter((m) => m.unread).length, 150),
      ),
    );
    for (const [i, msgs] of received.entries()) {
      const expected = stored[i]!.all.filter((m) => m.unread);
      assert.deepEqual(
        msgs.map((m) => sc.decode(m.data)),
        expected.map((m) => m.payload),
        `mailbox ${i}: replay is exactly the unread messages, in mq9 order`,
      );
      assert.deepEqual(
        msgs.map((m) => Number(m.headers?.get("Mq9-Msg-Id"))),
        expected.map((m) => m.msg_id),
      );
    }
    const again = await Promise.all(boxes.map((b) => collect(ownerNc, `${b.inbox}.*`, 0, 200)));
    assert.deepEqual(
      again.map((a) => a.length),
      boxes.map(() => 0),
      "second subscription receives nothing",
    );
    const after2 = await Promise.all(boxes.map((b) => queryAll(nc, b)));
    for (const a of after2) assert.equal(a.unread, 0);

    console.log(
      `${run}: sent ${sent}, confirmed ${confirmed}, stored ${seen.size}, ` +
        `unread after restart ${storedUnread}` +
        (opts.owner ? `, delivered live ${liveKeys.size}` : ""),
    );
    await Promise.all([ownerNc.close(), nc.close(), setup.close().catch(() => {})]);
    await owner?.close().catch(() => {});
  }

  it("kill after 50 ms of load", () => scenario("k50", { killAfterMs: 50 }));
  it("kill after 300 ms of load", () => scenario("k300", { killAfterMs: 300 }));
  it("kill after 1 s of load", () => scenario("k1000", { killAfterMs: 1000 }));
  it("kill in the middle of a burst of 100 000 unflushed messages", () =>
    scenario("burst", { burst: 100_000 }));
  it("kill with an owner online: it gets live, the rest stays unread, nothing doubled", () =>
    scenario("owner", { killAfterMs: 400 + Math.floor(Math.random() * 300), owner: true }));

  it("kill with an owner online: nothing stored as read that never reached it", () => {
    assert.ok(readButNeverReceived !== null, "the owner run did not get that far");
    assert.deepEqual(readButNeverReceived, [], "stored as read but never reached the owner");
  });

  it("kill while a slow owner's live messages are still queued in the broker", async () => {
    const run = "slow";
    allRuns.push(run);
    const port = proc.port;
    const nc = await connect({ port, reconnect: false });
    const [box] = await createBoxes(nc, 1);
    // An owner that subscribes, then stops reading: the broker's output to it queues up.
    const owner = net.connect(port, "127.0.0.1");
    let raw = Buffer.alloc(0);
    owner.on("data", (d: Buffer) => (raw = Buffer.concat([raw, d])));
    const ended = new Promise<void>((r) => owner.once("close", () => r()));
    owner.on("error", () => {});
    owner.write('CONNECT {"verbose":false,"headers":true,"protocol":1}\r\n');
    owner.write(`SUB ${box!.inbox}.* 1\r\nPING\r\n`);
    await until(() => raw.includes("PONG\r\n"));
    owner.pause();

    const N = 3000;
    const pad = "p".repeat(4096);
    for (let i = 0; i < N; i++) {
      nc.publish(`${box!.inbox}.normal`, sc.encode(`${key(run, 0, i)}/${pad}`));
      if (i % 100 === 99) await nc.flush();
    }
    await nc.flush();
    await proc.kill();
    owner.resume();
    await ended;
    const received = new Set<string>();
    for (const m of raw.toString("latin1").matchAll(/\r\n\r\n(slow\/0\/\d+)\//g)) {
      received.add(m[1]!);
    }

    proc = await startMq9Process({ port, dataDir });
    const nc2 = await connect({ port, reconnect: false });
    const { all } = await queryAll(nc2, box!);
    await nc2.close();
    const keyOf = (p: string) => p.slice(0, p.lastIndexOf("/"));
    assert.equal(all.length, N, "every confirmed message is stored");
    const lost = all.filter((m) => !m.unread && !received.has(keyOf(m.payload)));
    console.log(
      `slow owner: ${N} confirmed, ${received.size} reached the owner, ` +
        `${all.filter((m) => m.unread).length} unread after restart, ${lost.length} lost`,
    );
    assert.equal(lost.length, 0, "read in the store, yet never reached the owner");
  });

  it("an owner that drops its connection with live messages still queued loses none", async () => {
    allRuns.push("drop");
    const port = proc.port;
    const nc = await connect({ port, reconnect: false });
    const [box] = await createBoxes(nc, 1);
    const owner = net.connect(port, "127.0.0.1");
    let raw = "";
    owner.on("data", (d: Buffer) => (raw += d.toString("latin1")));
    owner.on("error", () => {});
    owner.write('CONNECT {"verbose":false,"headers":true,"protocol":1}\r\n');
    owner.write(`SUB ${box!.inbox}.* 1\r\nPING\r\n`);
    await until(() => raw.includes("PONG\r\n"));
    owner.pause();
    const N = 2000;
    const pad = "p".repeat(4096);
    for (let i = 0; i < N; i++) {
      nc.publish(`${box!.inbox}.normal`, sc.encode(`drop/0/${i}/${pad}`));
      if (i % 100 === 99) await nc.flush();
    }
    await nc.flush();
    // The owner goes away having read nothing of it (a crash, a network drop).
    owner.resetAndDestroy();
    await sleep(200);
    const got = await collect(nc, `${box!.inbox}.*`, N, 200, 5000);
    const { all } = await queryAll(nc, box!);
    console.log(`dropped owner: ${N} sent, ${got.length} replayed to the next owner`);
    await nc.close();
    assert.equal(all.length, N);
    assert.equal(got.length, N, "the next owner subscription gets what never arrived");
  });

  it("the store file agrees: each message once across every run", async () => {
    await proc.stop();
    const db = new Database(path.join(dataDir, "mq9.db"), { readonly: true });
    const blocks = db
      .prepare("select mail_id, priority, count, unread, data, read from message_blocks")
      .all() as {
      mail_id: string;
      priority: number;
      count: number;
      unread: number;
      data: Buffer;
      read: Buffer | null;
    }[];
    db.close();
    const payloads = blocks.flatMap((b) =>
      decodeBlock(b.mail_id, b.priority, b.count, b.unread, b.data, b.read).map((m) =>
        m.payload.toString(),
      ),
    );
    assert.equal(new Set(payloads).size, payloads.length, "a payload is stored twice");
    assert.ok(payloads.length > 0);
    for (const p of payloads) assert.ok(allRuns.includes(parseKey(p).run));
    proc = await startMq9Process({ dataDir, port: proc.port });
  });
});
