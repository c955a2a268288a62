/**
 * `npm run bench:fairness`: whether bulk work out of the store keeps the broker serving
 * everyone else. While each workload below runs, a bystander connection measures its
 * round trips (a PING every 5 ms); the worst and p99 are reported beside the workload's
 * own time. One run of each against our broker (nats-server has no such workloads).
 *
 * - storm: every owner of 1 000 mailboxes, 200 unread each, resubscribes at once
 *   (what follows a broker restart), on 10 connections;
 * - snapshot: a watcher subscribes to `m-status-*` over 20 000 `latest` mailboxes and
 *   gets each one's current state (scenario 2 at scale);
 * - query: a QUERY of a mailbox holding sixty 1 MB binary messages (one reply must stay
 *   within max_payload).
 */
import { connect, type NatsConnection } from "nats";
import { startOurBroker } from "./targets";

const quick = process.argv.includes("--quick");
const enc = new TextEncoder();
const dec = new TextDecoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v));

interface Created {
  mail_id: string;
  token: string;
  inbox: string;
}

/** CREATE is limited per connection per minute (600): spread over enough connections. */
async function createMany(url: string, n: number, body: object): Promise<Created[]> {
  const out: Created[] = [];
  const conns: NatsConnection[] = [];
  while (out.length < n) {
    const nc = await connect({ servers: url });
    conns.push(nc);
    const batch = Math.min(600, n - out.length);
    const replies = await Promise.all(
      Array.from({ length: batch }, () =>
        nc.request("$mq9.AI.MAILBOX.CREATE", json(body), { timeout: 30_000 }),
      ),
    );
    for (const r of replies) out.push(JSON.parse(dec.decode(r.data)) as Created);
  }
  for (const c of conns) await c.close();
  return out;
}

/** Round trips of a bystander connection while `work` runs: worst and p99, in ms. */
async function whileMeasuring(
  url: string,
  work: () => Promise<void>,
): Promise<{ ms: number; worst: number; p99: number }> {
  const bystander = await connect({ servers: url });
  const trips: number[] = [];
  let running = true;
  const probe = (async () => {
    while (running) {
      const t = performance.now();
      await bystander.flush();
      trips.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  running = false;
  await probe;
  await bystander.close();
  trips.sort((a, b) => a - b);
  const p99 = trips[Math.min(trips.length - 1, Math.floor(trips.length * 0.99))] ?? 0;
  return { ms, worst: trips.at(-1) ?? 0, p99 };
}

async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function storm(url: string): Promise<string> {
  const boxes = quick ? 200 : 1000;
  const unread = 200;
  const created = await createMany(url, boxes, { ttl: 600 });
  const pub = await connect({ servers: url });
  const payload = enc.encode("x".repeat(200));
  for (const b of created) {
    for (let i = 0; i < unread; i++) pub.publish(`${b.inbox}.normal`, payload);
    await pub.flush();
  }
  const owners: NatsConnection[] = [];
  let got = 0;
  const r = await whileMeasuring(url, async () => {
    for (let k = 0; k < 10; k++) {
      const nc = await connect({ servers: url });
      owners.push(nc);
      const mine = created.slice((k * boxes) / 10, ((k + 1) * boxes) / 10);
      for (const b of mine) nc.subscribe(`${b.inbox}.*`, { callback: () => got++ });
    }
    await until(() => got >= boxes * unread, 60_000, "the replays");
  });
  for (const c of [...owners, pub]) await c.close();
  return row(`storm: ${boxes} owners × ${unread} unread resubscribe`, r);
}

async function snapshot(url: string): Promise<string> {
  const workers = quick ? 2000 : 20_000;
  const created = await createMany(url, workers, {
    type: "latest",
    prefix: "m-status-",
    ttl: 600,
  });
  const pub = await connect({ servers: url });
  const state = json({ state: "running", detail: "s".repeat(400) });
  for (const b of created) pub.publish(`${b.inbox}.normal`, state);
  await pub.flush();
  const watcher = await connect({ servers: url });
  let got = 0;
  const r = await whileMeasuring(url, async () => {
    watcher.subscribe("$mq9.AI.INBOX.m-status-*.normal", { callback: () => got++ });
    await until(() => got >= workers, 60_000, "the snapshot");
  });
  for (const c of [watcher, pub]) await c.close();
  return row(`snapshot: ${workers} latest mailboxes to a watcher`, r);
}

async function query(url: string): Promise<string> {
  const nc = await connect({ servers: url });
  const [box] = await createMany(url, 1, { ttl: 600 });
  const big = new Uint8Array(1_000_000).map((_, i) => (i * 7) & 255);
  for (let i = 0; i < 60; i++) {
    nc.publish(`${box!.inbox}.normal`, big);
    if (i % 4 === 3) await nc.flush();
  }
  await nc.flush();
  let bytes = 0;
  const r = await whileMeasuring(url, async () => {
    const reply = await nc.request(
      `$mq9.AI.MAILBOX.QUERY.${box!.mail_id}`,
      json({ token: box!.token, peek: true, limit: 100 }),
      { timeout: 30_000 },
    );
    bytes = reply.data.length;
  });
  await nc.close();
  return row(`query: 60 × 1 MB binary, limit 100 (reply ${(bytes / 1e6).toFixed(1)} MB)`, r);
}

function row(label: string, r: { ms: number; worst: number; p99: number }): string {
  const f = (n: number) => `${n.toFixed(0)} ms`.padStart(8);
  return `${label.padEnd(60)} ${f(r.ms)} ${f(r.p99)} ${f(r.worst)}`;
}

const broker = await startOurBroker();
const url = `nats://127.0.0.1:${broker.port}`;
try {
  console.log(
    `${"workload".padEnd(60)} ${"took".padStart(8)} ${"p99".padStart(8)} ${"worst".padStart(8)}`,
  );
  console.log(`${"".padEnd(60)} ${"".padStart(8)} (a bystander's round trips meanwhile)`);
  for (const w of [storm, snapshot, query]) console.log(await w(url));
} finally {
  await broker.stop();
}
