/**
 * mq9 delivery guarantees end to end (mq9.md §4–§7), against the in-process broker with the
 * mq9 layer: replay and live delivery meeting without loss or duplicates, monitors that never
 * take mail, `latest` mailboxes, the mq9 headers, clients without headers, binary payloads,
 * and `flush()` as a publisher confirm.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { headers as natsHeaders, type NatsConnection } from "nats";
import { waitUntil } from "../support/clients";
import { startMq9, type TestMq9 } from "../support/mq9";
import {
  collect,
  createMailbox,
  json,
  open,
  queryMailbox,
  RawNatsPeer,
  settle,
  text,
  type CreateReply,
  type QueryReply,
} from "../support/mq9-helpers";

const T = { timeout: 15_000 };
const PRIORITIES = ["urgent", "normal", "notify"] as const;
const enc = new TextEncoder();

let t: TestMq9;
const cleanups: (() => Promise<void> | void)[] = [];

async function tcp(name: string): Promise<NatsConnection> {
  const nc = await open(t.port, name);
  cleanups.push(() => (nc.isClosed() ? undefined : nc.close()));
  return nc;
}

async function raw(headers: boolean): Promise<RawNatsPeer> {
  const peer = await RawNatsPeer.connect(t.port, headers);
  cleanups.push(() => peer.close());
  return peer;
}

/** Messages in mq9 order (§5): priority, then msg_id. */
function mq9Order<M extends { priority: number; seq: number }>(ms: M[]): M[] {
  return [...ms].sort((a, b) => a.priority - b.priority || a.seq - b.seq);
}

before(async () => {
  t = await startMq9();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
after(async () => {
  await t.stop();
});

describe("replay and live delivery meet without loss or duplicates", () => {
  const BACKLOG = 5000;
  const LIVE = 2000;
  // Large enough that the replay outruns the socket buffers and has to wait for the owner.
  const PAD = "x".repeat(2000);
  /** Mixed priorities: about 1 in 7 urgent, 2 in 7 notify, the rest normal. */
  const priorityOf = (seq: number) => (seq % 7 === 0 ? 0 : seq % 7 < 3 ? 2 : 1);
  const payloadOf = (seq: number) => `${seq}:${PAD}`;

  function publishRange(nc: NatsConnection, box: CreateReply, from: number, to: number): void {
    for (let seq = from; seq < to; seq++) {
      nc.publish(`${box.inbox}.${PRIORITIES[priorityOf(seq)]}`, enc.encode(payloadOf(seq)));
    }
  }

  it(`${BACKLOG} stored + ${LIVE} sent while the owner's replay is under way`, T, async () => {
    const sender = await tcp("backlog sender");
    const box = await createMailbox(sender, { ttl: 120 });
    publishRange(sender, box, 0, BACKLOG);
    await sender.flush();

    // The owner stops reading as soon as it subscribes, so the replay cannot finish.
    const owner = await raw(true);
    owner.send(`SUB ${box.inbox}.* 1\r\n`);
    owner.pause();
    await waitUntil(() => t.mq9.roles.replaying.size === 1, 2000, "replay started");
    await new Promise((r) => setTimeout(r, 50));

    const live = await tcp("live sender");
    publishRange(live, box, BACKLOG, BACKLOG + LIVE);
    await live.flush();
    assert.equal(t.mq9.roles.replaying.size, 1, "the live messages arrived during the replay");

    owner.resume();
    await owner.waitFor(BACKLOG + LIVE, 10_000);
    await owner.roundTrip();
    await new Promise((r) => setTimeout(r, 100));
    await owner.roundTrip();

    const got = owner.msgs.map((m) => {
      const seq = Number(m.payload.toString("latin1", 0, m.payload.indexOf(":")));
      const id = /Mq9-Msg-Id: (\d+)/.exec(m.headers ?? "")?.[1];
      const prio = /Mq9-Priority: (\w+)/.exec(m.headers ?? "")?.[1];
      return { seq, id: Number(id), prio, ok: m.payload.toString() === payloadOf(seq) };
    });
    assert.equal(got.length, BACKLOG + LIVE, "nothing doubled");
    assert.equal(new Set(got.map((g) => g.seq)).size, BACKLOG + LIVE, "nothing lost");
    assert.equal(new Set(got.map((g) => g.id)).size, BACKLOG + LIVE, "distinct Mq9-Msg-Id");
    assert.ok(got.every((g) => g.ok && g.prio === PRIORITIES[priorityOf(g.seq)]));

    // The backlog comes in mq9 order: urgent first, FIFO within a priority.
    const backlog = got.filter((g) => g.seq < BACKLOG).map((g) => g.seq);
    const want = mq9Order(
      Array.from({ length: BACKLOG }, (_, seq) => ({ seq, priority: priorityOf(seq) })),
    ).map((m) => m.seq);
    assert.deepEqual(backlog, want);

    const q = await queryMailbox(sender, box, { peek: true, limit: 1 });
    assert.equal(q.unread, 0, "everything was handed to the owner");
  });
});

describe("replay and live delivery, a nats client owner reading at full speed", () => {
  it("3000 stored + 1000 sent as the first replayed message arrives", T, async () => {
    const BACKLOG = 3000;
    const LIVE = 1000;
    const sender = await tcp("backlog sender");
    const box = await createMailbox(sender, { ttl: 120 });
    for (let i = 0; i < BACKLOG; i++) {
      sender.publish(`${box.inbox}.${PRIORITIES[i % 3]}`, enc.encode(String(i)));
    }
    await sender.flush();

    const live = await tcp("live sender");
    const owner = await tcp("owner");
    const seen: number[] = [];
    let started = false;
    owner.subscribe(`${box.inbox}.*`, {
      callback: (_err, m) => {
        seen.push(Number(text(m.data)));
        if (started) return;
        started = true;
        for (let i = BACKLOG; i < BACKLOG + LIVE; i++) {
          live.publish(`${box.inbox}.${PRIORITIES[i % 3]}`, enc.encode(String(i)));
        }
      },
    });
    await waitUntil(() => seen.length >= BACKLOG + LIVE, 10_000, `all (have ${seen.length})`);
    await live.flush();
    await settle([owner]);
    assert.equal(seen.length, BACKLOG + LIVE, "nothing doubled");
    assert.equal(new Set(seen).size, BACKLOG + LIVE, "nothing lost");
    const backlog = seen.filter((s) => s < BACKLOG);
    const want = mq9Order(
      Array.from({ length: BACKLOG }, (_, seq) => ({ seq, priority: seq % 3 })),
    ).map((m) => m.seq);
    assert.deepEqual(backlog, want);
    assert.equal((await queryMailbox(sender, box, { peek: true, limit: 1 })).unread, 0);
  });
});

describe("owner subscriptions in one queue group are one consumer (§6.1)", () => {
  /** Queue members' messages by member, as numbers (payloads are their send order). */
  function members(nc: NatsConnection, box: CreateReply, n: number): number[][] {
    const got: number[][] = [];
    for (let i = 0; i < n; i++) {
      const mine: number[] = [];
      got.push(mine);
      nc.subscribe(`${box.inbox}.*`, {
        queue: "workers",
        callback: (_err, m) => mine.push(Number(text(m.data))),
      });
    }
    return got;
  }

  async function unreadLeft(nc: NatsConnection, box: CreateReply): Promise<number> {
    return (await queryMailbox(nc, box, { peek: true, limit: 1000 })).messages.filter(
      (m) => m.unread,
    ).length;
  }

  it("the backlog is dealt out across the members, each message once, in order", T, async () => {
    const BACKLOG = 3000;
    const sender = await tcp("sender");
    const box = await createMailbox(sender, { ttl: 60 });
    for (let i = 0; i < BACKLOG; i++) {
      sender.publish(`${box.inbox}.${PRIORITIES[i % 3]}`, enc.encode(String(i)));
    }
    await sender.flush();
    const got = members(await tcp("workers"), box, 3);
    await waitUntil(() => got.flat().length >= BACKLOG, 5000, "the backlog");
    await settle([sender]);
    const all = got.flat();
    assert.equal(all.length, BACKLOG, "nothing doubled");
    assert.equal(new Set(all).size, BACKLOG, "nothing lost");
    const stored = (i: number) => [i % 3, i] as const; // priority, then arrival
    for (const mine of got) {
      assert.ok(mine.length >= BACKLOG / 4, `each member takes a share (${mine.length})`);
      const order = mine.map(stored);
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
      );
    }
    assert.equal(await unreadLeft(sender, box), 0);
  });

  it("members on separate connections, with live sends, get each message once", T, async () => {
    const BACKLOG = 2000;
    const LIVE = 1000;
    const sender = await tcp("sender");
    const box = await createMailbox(sender, { ttl: 60 });
    for (let i = 0; i < BACKLOG; i++) sender.publish(`${box.inbox}.normal`, enc.encode(String(i)));
    await sender.flush();
    const got = [
      ...members(await tcp("worker a"), box, 1),
      ...members(await tcp("worker b"), box, 1),
    ];
    for (let i = BACKLOG; i < BACKLOG + LIVE; i++) {
      sender.publish(`${box.inbox}.normal`, enc.encode(String(i)));
    }
    await sender.flush();
    await waitUntil(() => got.flat().length >= BACKLOG + LIVE, 5000, "backlog and live");
    // One more member once the group is live: it shares what comes next, nothing before.
    const late = members(await tcp("worker c"), box, 1)[0]!;
    for (let i = BACKLOG + LIVE; i < BACKLOG + 2 * LIVE; i++) {
      sender.publish(`${box.inbox}.normal`, enc.encode(String(i)));
    }
    await sender.flush();
    const total = BACKLOG + 2 * LIVE;
    await waitUntil(() => got.flat().length + late.length >= total, 5000, "every message");
    await settle([sender]);
    const all = [...got.flat(), ...late];
    assert.equal(all.length, total, "nothing doubled");
    assert.equal(new Set(all).size, total, "nothing lost");
    assert.ok(late.length > 0, "the late member takes part");
    assert.ok(
      late.every((i) => i >= BACKLOG + LIVE),
      "the late member gets no replay",
    );
    assert.equal(await unreadLeft(sender, box), 0);
  });

  it("what a member leaves unconfirmed goes to the others", T, async () => {
    const BACKLOG = 2000;
    const sender = await tcp("sender");
    const box = await createMailbox(sender, { ttl: 60 });
    for (let i = 0; i < BACKLOG; i++) sender.publish(`${box.inbox}.normal`, enc.encode(String(i)));
    await sender.flush();
    // The first member is handed the backlog and never reads it (so never answers the
    // PING behind it): nothing is confirmed.
    const stuck = await raw(false);
    stuck.pause();
    stuck.send(`SUB ${box.inbox}.* workers 1\r\n`);
    await waitUntil(() => t.broker.match(`${box.inbox}.normal`).groups.length > 0, 3000, "SUB");
    const other = members(await tcp("worker"), box, 1)[0]!;
    await settle([sender]);
    assert.equal(other.length, 0, "the replay is the first member's");
    stuck.close();
    await waitUntil(() => other.length >= BACKLOG, 5000, "the whole backlog on the other");
    await settle([sender]);
    assert.equal(other.length, BACKLOG, "nothing doubled");
    assert.equal(new Set(other).size, BACKLOG, "nothing lost");
    assert.equal(await unreadLeft(sender, box), 0);
  });
});

it("monitors see live traffic only and never change unread state (§6.2)", T, async () => {
  const setup = await tcp("owner setup");
  const box = await createMailbox(setup, { ttl: 60 });
  await setup.close();
  const sender = await tcp("sender");
  sender.publish(`${box.inbox}.normal`, enc.encode("before the monitors"));
  await sender.flush();

  const mon = await tcp("monitor");
  const byPriority = collect(mon, "$mq9.AI.INBOX.*.normal");
  const everything = collect(mon, "$mq9.AI.>");
  const allUrgent = collect(mon, "$mq9.AI.INBOX.*.urgent");
  await settle([mon]);
  assert.equal(byPriority.msgs.length + everything.msgs.length, 0, "nothing replayed");

  sender.publish(`${box.inbox}.normal`, enc.encode("live 1"));
  sender.publish(`${box.inbox}.urgent`, enc.encode("live 2"));
  await sender.flush();
  await byPriority.waitFor(1);
  await everything.waitFor(2);
  await allUrgent.waitFor(1);
  await settle([mon]);
  assert.deepEqual(byPriority.texts(), ["live 1"]);
  assert.deepEqual(everything.texts(), ["live 1", "live 2"]);
  assert.deepEqual(allUrgent.texts(), ["live 2"]);
  assert.equal(everything.msgs[0]!.headers?.get("Mq9-Priority"), "normal");

  const peek = await queryMailbox(sender, box, { peek: true });
  assert.equal(peek.unread, 3);
  assert.deepEqual(
    peek.messages.map((m) => [m.payload, m.unread]),
    [
      ["live 2", true],
      ["before the monitors", true],
      ["live 1", true],
    ],
  );

  // The owner still gets all three.
  const owner = await tcp("owner");
  const inbox = collect(owner, `${box.inbox}.*`);
  await inbox.waitFor(3);
  await settle([owner, mon]);
  assert.deepEqual(inbox.texts(), ["live 2", "before the monitors", "live 1"]);
  assert.equal(everything.msgs.length, 2, "the replay went to the owner only");
});

it("a latest mailbox keeps only the newest message (§4.6)", T, async () => {
  const nc = await tcp("status writer");
  const box = await createMailbox(nc, { type: "latest", ttl: 60 });
  for (let i = 1; i <= 5; i++) nc.publish(`${box.inbox}.normal`, enc.encode(`state ${i}`));
  await nc.flush();
  const q = await queryMailbox(nc, box, { peek: true });
  assert.equal(q.type, "latest");
  assert.deepEqual(
    q.messages.map((m) => m.payload),
    ["state 5"],
  );
  assert.equal(q.unread, 1);
  assert.equal(t.store.list(box.mail_id, null, 1000).length, 1);

  // And across priorities: the newest replaces an older urgent one.
  nc.publish(`${box.inbox}.urgent`, enc.encode("urgent state"));
  nc.publish(`${box.inbox}.notify`, enc.encode("state 6"));
  await nc.flush();
  const q2 = await queryMailbox(nc, box, { peek: true });
  assert.deepEqual(
    q2.messages.map((m) => [m.payload, m.priority]),
    [["state 6", "notify"]],
  );
  const owner = await tcp("reader");
  const got = collect(owner, `${box.inbox}.*`);
  await got.waitFor(1);
  await settle([owner]);
  assert.deepEqual(got.texts(), ["state 6"]);
});

it("Mq9 headers on live and replayed messages, original headers kept (§4.3)", T, async () => {
  const ownerNc = await tcp("owner");
  const box = await createMailbox(ownerNc, { ttl: 60 });
  const sender = await tcp("sender");
  const h = natsHeaders();
  h.append("X-Trace", "abc-123");
  h.append("X-Multi", "one");
  h.append("X-Multi", "two");
  const t0 = Date.now();
  sender.publish(`${box.inbox}.urgent`, enc.encode("stored first"), { headers: h });
  await sender.flush();

  const inbox = collect(ownerNc, `${box.inbox}.*`);
  await inbox.waitFor(1);
  sender.publish(`${box.inbox}.notify`, enc.encode("live"), { headers: h });
  sender.publish(`${box.inbox}.normal`, enc.encode("live, no headers sent"));
  await sender.flush();
  await inbox.waitFor(3);
  const t1 = Date.now();
  await settle([ownerNc]);
  assert.deepEqual(inbox.texts(), ["stored first", "live", "live, no headers sent"]);
  const ids: number[] = [];
  for (const [i, m] of inbox.msgs.entries()) {
    const hd = m.headers;
    assert.ok(hd, `message ${i} has headers`);
    ids.push(Number(hd.get("Mq9-Msg-Id")));
    assert.equal(hd.get("Mq9-Priority"), ["urgent", "notify", "normal"][i]);
    const time = Number(hd.get("Mq9-Time"));
    assert.ok(time >= t0 && time <= t1, `Mq9-Time ${time} in [${t0}, ${t1}]`);
    if (i < 2) {
      assert.equal(hd.get("X-Trace"), "abc-123");
      assert.deepEqual(hd.values("X-Multi"), ["one", "two"]);
    } else assert.equal(hd.has("X-Trace"), false);
  }
  assert.ok(
    ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]!)),
    `${ids}`,
  );

  const q = await queryMailbox(ownerNc, box, { peek: true });
  const first = q.messages.find((m) => m.payload === "stored first")!;
  assert.deepEqual(first.headers?.["X-Multi"], ["one", "two"]);
  assert.deepEqual(first.headers?.["X-Trace"], ["abc-123"]);
  assert.equal(first.msg_id, ids[0]);
});

it("a subscriber without headers gets plain MSG, payload byte for byte", T, async () => {
  const setup = await tcp("setup");
  const box = await createMailbox(setup, { ttl: 60 });
  const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
  const h = natsHeaders();
  h.append("X-Trace", "dropped for this reader");
  setup.publish(`${box.inbox}.normal`, payload, { headers: h });
  await setup.flush();

  const peer = await raw(false);
  peer.send(`SUB ${box.inbox}.* 9\r\n`);
  await peer.waitFor(1);
  setup.publish(`${box.inbox}.urgent`, payload, { headers: h });
  setup.publish(`${box.inbox}.notify`, payload);
  await setup.flush();
  await peer.waitFor(3);
  await peer.roundTrip();
  assert.equal(peer.msgs.length, 3);
  for (const m of peer.msgs) {
    assert.equal(m.op, "MSG");
    assert.equal(m.headers, null);
    assert.equal(m.sid, "9");
    assert.ok(m.payload.equals(payload), "payload unchanged");
  }
  assert.deepEqual(
    peer.msgs.map((m) => m.subject),
    [`${box.inbox}.normal`, `${box.inbox}.urgent`, `${box.inbox}.notify`],
  );
});

it("a replay never makes a slow owner a slow consumer, whatever its backlog", T, async () => {
  // 16 MiB of backlog against 1 MiB of max_pending: handed over at once, most of it would
  // wait in the owner's output, and the broker would disconnect the owner at every try.
  const MAX_PENDING = 1024 * 1024;
  const small = await startMq9({ broker: { maxPending: MAX_PENDING } });
  cleanups.push(() => small.stop());
  const sender = await open(small.port, "sender");
  cleanups.push(() => sender.close());
  const box = await createMailbox(sender, { ttl: 60 });
  const payload = new Uint8Array(64 * 1024).fill(7);
  for (let i = 0; i < 256; i++) {
    sender.publish(`${box.inbox}.normal`, payload);
    if (i % 16 === 15) await sender.flush();
  }
  await sender.flush();
  // An owner on a slow link: it stops reading for a while, then reads.
  const owner = await RawNatsPeer.connect(small.port, false);
  cleanups.push(() => owner.close());
  owner.pause();
  owner.send(`SUB ${box.inbox}.* 1\r\n`);
  await new Promise((r) => setTimeout(r, 500));
  owner.resume();
  await owner.waitFor(256, 10_000);
  assert.equal(owner.msgs.length, 256);
  assert.ok(owner.msgs.every((m) => m.payload.length === payload.length));
  await owner.roundTrip();
});

it(
  "thousands of latest mailboxes' states reach a slow watcher, then updates (§6.3)",
  T,
  async () => {
    // 3 000 workers' states of 8 KB (24 MB, more than the sockets' buffers hold) against
    // 256 KiB of max_pending: handed over at once, most would wait in the watcher's
    // output and the broker would disconnect it.
    const WORKERS = 3000;
    const small = await startMq9({
      broker: { maxPending: 256 * 1024 },
      mq9: { createsPerMinute: WORKERS },
    });
    cleanups.push(() => small.stop());
    const nc = await open(small.port, "workers");
    cleanups.push(() => nc.close());
    const boxes = await Promise.all(
      Array.from({ length: WORKERS }, () =>
        createMailbox(nc, { type: "latest", prefix: "m-state-", ttl: 60 }),
      ),
    );
    const state = (i: number, v: number) => enc.encode(`${i}:${v}:${"s".repeat(8000)}`);
    boxes.forEach((b, i) => nc.publish(`${b.inbox}.normal`, state(i, 0)));
    await nc.flush();

    const watcher = await RawNatsPeer.connect(small.port, false);
    cleanups.push(() => watcher.close());
    watcher.pause();
    watcher.send("SUB $mq9.AI.INBOX.m-state-*.normal 1\r\n");
    await new Promise((r) => setTimeout(r, 300));
    // Every tenth worker moves on while the snapshot is under way.
    for (let i = 0; i < WORKERS; i += 10) nc.publish(`${boxes[i]!.inbox}.normal`, state(i, 1));
    await nc.flush();
    watcher.resume();
    await waitUntil(
      () => new Set(watcher.msgs.map((m) => m.subject)).size >= WORKERS,
      10_000,
      "every worker's state",
    );
    await watcher.roundTrip();
    await settle([nc]);
    await watcher.roundTrip();
    const last = new Map<string, string>();
    for (const m of watcher.msgs) last.set(m.subject, m.payload.toString().split(":", 2).join(":"));
    assert.equal(last.size, WORKERS);
    boxes.forEach((b, i) => {
      assert.equal(last.get(`${b.inbox}.normal`), `${i}:${i % 10 === 0 ? 1 : 0}`, b.mail_id);
    });
  },
);

it("QUERY says whether more messages follow the limit (§7)", T, async () => {
  const nc = await tcp("pager");
  const box = await createMailbox(nc, { ttl: 60 });
  for (let i = 0; i < 3; i++) nc.publish(`${box.inbox}.normal`, enc.encode(`m${i}`));
  await nc.flush();
  const two = await queryMailbox(nc, box, { peek: true, limit: 2 });
  assert.deepEqual([two.messages.length, two.more], [2, true]);
  const rest = await queryMailbox(nc, box, { peek: true, after: two.messages[1]!.msg_id });
  assert.deepEqual([rest.messages.map((m) => m.payload), rest.more], [["m2"], false]);
  const all = await queryMailbox(nc, box, { peek: true, limit: 3 });
  assert.deepEqual([all.messages.length, all.more], [3, false]);
});

it("QUERY replies stay within max_payload: big messages come a few per reply (§7)", T, async () => {
  const nc = await tcp("pager");
  const box = await createMailbox(nc, { ttl: 60 });
  // 400 KB each: two fit in a reply under the 1 MiB max_payload, three would not.
  const sizes = [400_000, 400_000, 400_000, 400_000, 10];
  sizes.forEach((n, i) => nc.publish(`${box.inbox}.normal`, enc.encode(String(i).repeat(n))));
  await nc.flush();
  const pages: number[][] = [];
  const unreadBefore: number[] = [];
  let after: number | undefined;
  for (let more = true; more;) {
    const reply = await nc.request(
      `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`,
      json({ token: box.token, ...(after === undefined ? {} : { after }) }),
      { timeout: 3000 },
    );
    assert.ok(reply.data.length <= nc.info!.max_payload, `a reply of ${reply.data.length} B`);
    const q = JSON.parse(text(reply.data)) as QueryReply;
    pages.push(q.messages.map((m) => m.payload.length));
    unreadBefore.push(q.unread);
    after = q.messages.at(-1)?.msg_id;
    more = q.more;
  }
  assert.deepEqual(pages, [
    [400_000, 400_000],
    [400_000, 400_000, 10],
  ]);
  // What a page returns (no peek) becomes read, and nothing it held back.
  assert.deepEqual(unreadBefore, [5, 3]);
  assert.equal((await queryMailbox(nc, box, { peek: true })).unread, 0);
});

it("QUERY's more holds when one message fills a reply alone, or nearly (§7)", T, async () => {
  const nc = await tcp("pager");
  const pagesOf = async (box: CreateReply) => {
    const pages: [number, boolean][] = [];
    let after: number | undefined;
    for (let more = true; more;) {
      const q = await queryMailbox(nc, box, {
        peek: true,
        ...(after === undefined ? {} : { after }),
      });
      pages.push([q.messages.length, q.more]);
      after = q.messages.at(-1)?.msg_id;
      more = q.more;
    }
    return pages;
  };
  // Binary messages of ~1 MB: base64 makes each larger than a reply, so each comes alone.
  const big = await createMailbox(nc, { ttl: 60 });
  for (let i = 0; i < 2; i++)
    nc.publish(`${big.inbox}.normal`, new Uint8Array(1_048_000).fill(0xff));
  // Text just under a reply's room, then two small ones: the first two fit together.
  const near = await createMailbox(nc, { ttl: 60 });
  for (const n of [1_047_000, 10, 10])
    nc.publish(`${near.inbox}.normal`, enc.encode("n".repeat(n)));
  await nc.flush();
  assert.deepEqual(await pagesOf(big), [
    [1, true],
    [1, false],
  ]);
  assert.deepEqual(await pagesOf(near), [
    [2, true],
    [1, false],
  ]);
});

describe("binary payloads round-trip byte for byte (§4.1, §7)", () => {
  const allBytes = Uint8Array.from({ length: 1024 }, (_, i) => i % 256);
  const invalidUtf8 = Uint8Array.from([0x68, 0x69, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x0a]);
  const unicode = "héllo ✓ 🚀";

  it("live and replayed, and QUERY gives base64 for non-UTF-8", T, async () => {
    const sender = await tcp("sender");
    const box = await createMailbox(sender, { ttl: 60 });
    sender.publish(`${box.inbox}.normal`, allBytes);
    sender.publish(`${box.inbox}.normal`, invalidUtf8);
    sender.publish(`${box.inbox}.normal`, enc.encode(unicode));
    sender.publish(`${box.inbox}.normal`, new Uint8Array(0));
    await sender.flush();

    const q = await queryMailbox(sender, box, { peek: true });
    assert.deepEqual(
      q.messages.map((m) => m.encoding),
      ["base64", "base64", "utf8", "utf8"],
    );
    assert.ok(Buffer.from(q.messages[0]!.payload, "base64").equals(allBytes));
    assert.ok(Buffer.from(q.messages[1]!.payload, "base64").equals(invalidUtf8));
    assert.equal(q.messages[2]!.payload, unicode);
    assert.equal(q.messages[3]!.payload, "");

    const owner = await tcp("owner");
    const inbox = collect(owner, `${box.inbox}.*`);
    await inbox.waitFor(4);
    sender.publish(`${box.inbox}.urgent`, invalidUtf8);
    sender.publish(`${box.inbox}.urgent`, allBytes);
    await sender.flush();
    await inbox.waitFor(6);
    await settle([owner]);
    const got = inbox.msgs.map((m) => Buffer.from(m.data));
    const want = [allBytes, invalidUtf8, enc.encode(unicode), new Uint8Array(0)];
    want.push(invalidUtf8, allBytes);
    assert.equal(got.length, want.length);
    for (const [i, w] of want.entries()) assert.ok(got[i]!.equals(w), `message ${i}`);
  });
});

describe("flush() is a publisher confirm (§4.5)", () => {
  it("one message is in the store when flush resolves", T, async () => {
    const nc = await tcp("publisher");
    const box = await createMailbox(nc, { ttl: 60 });
    nc.publish(`${box.inbox}.normal`, enc.encode("confirmed"));
    await nc.flush();
    const rows = t.store.list(box.mail_id, null, 1000);
    assert.deepEqual(
      rows.map((r) => r.payload.toString()),
      ["confirmed"],
    );
  });

  it("5 000 messages sent in a burst are all in the store when flush resolves", T, async () => {
    const nc = await tcp("publisher");
    const box = await createMailbox(nc, { ttl: 60 });
    for (let i = 0; i < 5000; i++) nc.publish(`${box.inbox}.normal`, enc.encode(`m${i}`));
    await nc.flush();
    const rows = t.store.list(box.mail_id, null, 10_000);
    assert.equal(rows.length, 5000);
    assert.deepEqual(
      rows.map((r) => r.payload.toString()),
      Array.from({ length: 5000 }, (_, i) => `m${i}`),
    );
  });

  it("holds per connection while another connection is publishing too", T, async () => {
    const a = await tcp("a");
    const b = await tcp("b");
    const box = await createMailbox(a, { ttl: 60 });
    for (let i = 0; i < 2000; i++) {
      a.publish(`${box.inbox}.normal`, enc.encode(`a${i}`));
      b.publish(`${box.inbox}.urgent`, enc.encode(`b${i}`));
    }
    await a.flush();
    const fromA = t.store
      .list(box.mail_id, null, 10_000)
      .filter((r) => r.payload.toString().startsWith("a"));
    assert.equal(fromA.length, 2000);
    await b.flush();
    assert.equal(t.store.list(box.mail_id, null, 10_000).length, 4000);
  });
});

describe("requests see the sends made before them on the same connection", () => {
  /** Sends and then one request, in a single write: the broker handles them in one read. */
  async function inOneWrite(
    sends: [subject: string, payload: string][],
    subject: string,
    body: unknown,
  ): Promise<unknown> {
    const peer = await raw(false);
    peer.send("SUB _INBOX.ordered 1\r\n");
    await peer.roundTrip();
    const pub = (subject: string, reply: string, payload: string) =>
      `PUB ${subject} ${reply}${Buffer.byteLength(payload)}\r\n${payload}\r\n`;
    peer.send(
      sends.map(([s, p]) => pub(s, "", p)).join("") +
        pub(subject, "_INBOX.ordered ", JSON.stringify(body)),
    );
    await peer.waitFor(1);
    return JSON.parse(peer.msgs[0]!.payload.toString()) as unknown;
  }

  it("a QUERY right behind two sends returns both, and marks them read", T, async () => {
    const nc = await tcp("creator");
    const box = await createMailbox(nc, { ttl: 60 });
    const reply = (await inOneWrite(
      [
        [`${box.inbox}.normal`, "first"],
        [`${box.inbox}.urgent`, "second"],
      ],
      `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`,
      { token: box.token },
    )) as QueryReply;
    assert.deepEqual(
      reply.messages.map((m) => [m.priority, m.payload, m.unread]),
      [
        ["urgent", "second", true],
        ["normal", "first", true],
      ],
    );
    assert.equal(reply.unread, 2);
    const again = await queryMailbox(nc, box, { peek: true });
    assert.deepEqual(
      again.messages.map((m) => m.unread),
      [false, false],
    );
  });

  it("a DELETE right behind a send delivers the send first", T, async () => {
    const nc = await tcp("owner");
    const box = await createMailbox(nc, { ttl: 60 });
    const got = collect(nc, `${box.inbox}.*`);
    await nc.flush();
    const reply = await inOneWrite(
      [[`${box.inbox}.normal`, "last-words"]],
      `$mq9.AI.MAILBOX.DELETE.${box.mail_id}`,
      { token: box.token },
    );
    assert.deepEqual(reply, { mail_id: box.mail_id, deleted: true });
    await got.waitFor(1);
    assert.equal(text(got.msgs[0]!.data), "last-words");
  });
});

it("a request to an online agent's inbox gets the agent's reply (§4.2)", T, async () => {
  const agentNc = await tcp("agent");
  const box = await createMailbox(agentNc, { ttl: 60 });
  agentNc.subscribe(`${box.inbox}.*`, {
    callback: (_err, m) => m.respond(enc.encode(`answer to ${text(m.data)}`)),
  });
  await agentNc.flush();
  const asker = await tcp("asker");
  const reply = await asker.request(`${box.inbox}.normal`, enc.encode("ping"), { timeout: 3000 });
  assert.equal(text(reply.data), "answer to ping");
  const q = await queryMailbox(asker, box, { peek: true });
  assert.equal(q.messages.length, 1);
  assert.match(q.messages[0]!.reply ?? "", /^_INBOX\./, "the reply subject is stored");
  assert.equal(q.messages[0]!.unread, false, "delivered live to the owner");
});

it("an owner subscription with a max takes only that many from the backlog (§6.1)", T, async () => {
  const sender = await tcp("sender");
  const box = await createMailbox(sender, { ttl: 60 });
  for (let i = 0; i < 3; i++) sender.publish(`${box.inbox}.normal`, enc.encode(`m${i}`));
  await sender.flush();

  const owner = await tcp("owner taking one at a time");
  const first = collect(owner, `${box.inbox}.*`, undefined, 1);
  await first.waitFor(1);
  await settle([owner]);
  assert.deepEqual(first.texts(), ["m0"]);
  const q = await queryMailbox(sender, box, { peek: true });
  assert.deepEqual(
    q.messages.map((m) => m.unread),
    [false, true, true],
    "the two messages the subscription never took are still unread",
  );
  const rest = collect(owner, `${box.inbox}.*`);
  await rest.waitFor(2);
  assert.deepEqual(rest.texts(), ["m1", "m2"]);
});
