/**
 * Monitoring over HTTP (issue 3, item 3): /varz, /connz, /subsz, /healthz and /metrics
 * read with real `nats` clients connected, then the same scenario against Debian's
 * nats-server with `http_port` to compare field names and counters.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "nats";
import { connect as wsConnect } from "nats.ws";
import { WebSocket } from "ws";
import { startBrokerService, type BrokerService } from "../../server/broker-service";
import { mergeConfig } from "../../server/conf/merge";
import { createLogger } from "../../server/log";
import { goDuration, goJson, goTime, goUptime } from "../../server/monitor/go-format";
import { ConnectionTracker, startMonitor, type Monitor } from "../../server/monitor/mod";
import { startBroker, type TestBroker } from "../support/broker";
import { createMailbox } from "../support/mq9-helpers";
import { freePort } from "../support/ports";
import { haveNatsServer, startNatsServer, type RunningServer } from "../support/nats-server";

// nats.ws looks for a W3C WebSocket on globalThis (nats-wire-notes §2.3).
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function get(port: number, pathAndQuery: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`);
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    text: await res.text(),
  };
}

async function getJson(port: number, pathAndQuery: string): Promise<Json> {
  const a = await get(port, pathAndQuery);
  assert.equal(a.status, 200, `${pathAndQuery}: ${a.text}`);
  assert.equal(a.type, "application/json");
  return JSON.parse(a.text) as Json;
}

function conns(connz: Json): Json[] {
  return connz.connections as Json[];
}

/** An in-process broker with a monitor on a free port, wired as broker-service wires it. */
async function startMonitored(): Promise<{ nats: TestBroker; monitor: Monitor; http: number }> {
  const tracker = new ConnectionTracker();
  const nats = await startBroker({ hooks: tracker.observe({}) });
  const monitor = await startMonitor({ broker: nats.broker, tracker, host: "127.0.0.1", port: 0 });
  return { nats, monitor, http: monitor.address.port };
}

/** The scenario both servers run: three named clients, subscriptions, five messages. */
async function scenario(port: number): Promise<NatsConnection[]> {
  const a = await connect({ port, name: "alpha" });
  const b = await connect({ port, name: "beta" });
  const c = await connect({ port, name: "gamma" });
  b.subscribe("orders.*", { queue: "workers" });
  b.subscribe("orders.new", { max: 10 });
  c.subscribe("orders.>");
  c.subscribe("audit");
  c.subscribe("unused");
  await Promise.all([b.flush(), c.flush()]);
  for (let i = 0; i < 5; i++) a.publish("orders.new", `order ${i}`);
  await a.flush();
  // Deliveries reach b and c; their flush makes sure they have read them.
  await Promise.all([b.flush(), c.flush()]);
  return [a, b, c];
}

describe("Go encodings", () => {
  it("time.Duration.String, myUptime, time.Time and escaped JSON", () => {
    const cases: [number, string][] = [
      [0, "0s"],
      [999, "999ns"],
      [666_000, "666µs"],
      [1_500, "1.5µs"],
      [3_350_387, "3.350387ms"],
      [1_500_000_000, "1.5s"],
      [60e9, "1m0s"],
      [3600e9, "1h0m0s"],
      [3723.5e9, "1h2m3.5s"],
    ];
    for (const [ns, text] of cases) assert.equal(goDuration(ns), text, String(ns));
    assert.equal(goUptime(999), "0s");
    assert.equal(goUptime(61_000), "1m1s");
    assert.equal(goUptime(90_061_000), "1d1h1m1s");
    assert.equal(goUptime(400 * 86_400_000), "1y35d0h0m0s");
    assert.equal(goTime(Date.UTC(2026, 0, 2, 3, 4, 5, 120)), "2026-01-02T03:04:05.12Z");
    assert.equal(goTime(Date.UTC(2026, 0, 2, 3, 4, 5)), "2026-01-02T03:04:05Z");
    assert.equal(goJson({ a: "<b&c>" }, false), '{"a":"\\u003cb\\u0026c\\u003e"}');
    assert.equal(goJson({ a: [] }), '{\n  "a": []\n}');
  });
});

const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

describe("monitoring endpoints", () => {
  let s: Awaited<ReturnType<typeof startMonitored>>;
  let clients: NatsConnection[] = [];
  before(async () => {
    s = await startMonitored();
    clients = await scenario(s.nats.port);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await s.monitor.close();
    await s.nats.stop();
  });

  it("/varz: identity, limits in nats-server's encodings, counters", async () => {
    const res = await get(s.http, "/varz");
    assert.equal(res.status, 200);
    assert.equal(res.type, "application/json");
    assert.match(res.text, /^\{\n {2}"server_id": "N[A-Z2-7]{55}",\n {2}"server_name": /);
    const v = JSON.parse(res.text) as Json;
    assert.equal(v.server_id, s.nats.broker.serverId);
    assert.equal(v.proto, 1);
    assert.equal(v.port, s.nats.port);
    assert.equal(v.http_port, s.http);
    assert.equal(v.ping_interval, 120_000_000_000); // ns, as time.Duration marshals
    assert.equal(v.write_deadline, 10_000_000_000);
    assert.equal(v.max_payload, 1024 * 1024);
    assert.equal(v.auth_timeout, 2);
    assert.match(String(v.start), GO_TIME);
    assert.match(String(v.now), GO_TIME);
    assert.match(String(v.uptime), /^\d+s$/);
    assert.ok(typeof v.mem === "number" && v.mem > 0);
    assert.equal(v.connections, 3);
    assert.equal(v.total_connections, 3);
    assert.equal(v.subscriptions, 5);
    assert.equal(v.in_msgs, 5);
    // Each message reaches one queue member (b), b's plain sub and c's orders.>.
    assert.equal(v.out_msgs, 15);
    assert.equal(v.in_bytes, 5 * "order 0".length);
    assert.equal(v.out_bytes, 15 * "order 0".length);
    assert.deepEqual(v.cluster, {});
    const before = (v.http_req_stats as Json)["/varz"] as number;
    const again = await getJson(s.http, "/varz");
    assert.equal((again.http_req_stats as Json)["/varz"], before + 1);
  });

  it("/connz: connections with counters, names and subscriptions", async () => {
    const c = await getJson(s.http, "/connz");
    assert.equal(c.num_connections, 3);
    assert.equal(c.total, 3);
    assert.equal(c.offset, 0);
    assert.equal(c.limit, 1024);
    const list = conns(c);
    assert.deepEqual(
      list.map((x) => x.name),
      ["alpha", "beta", "gamma"],
    );
    const [a, b, g] = list as [Json, Json, Json];
    assert.equal(a.kind, "Client");
    assert.equal(a.type, "nats");
    assert.equal(a.ip, "127.0.0.1");
    assert.equal(a.lang, "nats.js");
    assert.equal(a.in_msgs, 5);
    assert.equal(b.out_msgs, 10);
    assert.equal(g.out_msgs, 5);
    assert.equal(g.subscriptions, 3);
    assert.equal(a.subscriptions_list, undefined);
    assert.match(String(a.start), GO_TIME);
    assert.match(String(a.rtt), /^(0s|[\d.]+(ns|µs|ms|s))$/);

    const withSubs = conns(await getJson(s.http, "/connz?subs=1"));
    assert.deepEqual((withSubs[2] as Json).subscriptions_list, ["orders.>", "audit", "unused"]);
    assert.equal((withSubs[0] as Json).subscriptions_list, undefined); // omitempty

    const detail = conns(await getJson(s.http, "/connz?subs=detail"));
    assert.deepEqual((detail[1] as Json).subscriptions_list_detail, [
      { subject: "orders.*", qgroup: "workers", sid: "1", msgs: 5, cid: b.cid },
      { subject: "orders.new", sid: "2", msgs: 5, max: 10, cid: b.cid },
    ]);
  });

  it("/connz: paging, sorting and cid", async () => {
    const page = await getJson(s.http, "/connz?offset=1&limit=1");
    assert.equal(page.num_connections, 1);
    assert.equal(page.total, 3);
    assert.equal(page.limit, 1);
    assert.equal((conns(page)[0] as Json).name, "beta");
    const past = await getJson(s.http, "/connz?offset=7");
    assert.deepEqual(past.connections, []);

    const bySubs = conns(await getJson(s.http, "/connz?sort=subs"));
    assert.deepEqual(
      bySubs.map((x) => x.subscriptions),
      [3, 2, 0],
    );
    const byOut = conns(await getJson(s.http, "/connz?sort=msgs_to"));
    assert.deepEqual(
      byOut.map((x) => x.name),
      ["beta", "gamma", "alpha"],
    );
    const byIn = conns(await getJson(s.http, "/connz?sort=bytes_from"));
    assert.equal((byIn[0] as Json).name, "alpha");

    const all = conns(await getJson(s.http, "/connz"));
    const cid = (all[2] as Json).cid as number;
    const one = await getJson(s.http, `/connz?cid=${cid}`);
    assert.equal(one.limit, 1);
    assert.deepEqual(
      conns(one).map((x) => x.name),
      ["gamma"],
    );
  });

  it("/connz: bad parameters get nats-server's 400 texts", async () => {
    const cases: [string, string][] = [
      ["/connz?sort=nope", "invalid sorting option: nope"],
      ["/connz?sort=stop", "sort by stop only valid on closed connections"],
      ["/connz?state=bogus", "Error decoding state for bogus"],
      [
        "/connz?offset=x",
        `Error decoding int for 'offset': strconv.Atoi: parsing "x": invalid syntax`,
      ],
      [
        "/connz?subs=maybe",
        `Error decoding boolean for 'subs': strconv.ParseBool: parsing "maybe": invalid syntax`,
      ],
    ];
    for (const [q, text] of cases) {
      const res = await get(s.http, q);
      assert.equal(res.status, 400, q);
      assert.equal(res.text, text);
    }
  });

  it("/connz?state=closed keeps closed connections with their subscriptions", async () => {
    const d = await connect({ port: s.nats.port, name: "delta" });
    d.subscribe("gone.a");
    d.subscribe("gone.b", { queue: "q" });
    await d.flush();
    const cid = (d.info?.client_id ?? 0) as number;
    await d.close();
    // The server sees the close a moment after the client.
    let closed: Json[] = [];
    for (let i = 0; i < 50 && closed.length === 0; i++) {
      closed = conns(await getJson(s.http, "/connz?state=closed&subs=1"));
      if (closed.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(closed.length, 1);
    const x = closed[0] as Json;
    assert.equal(x.cid, cid);
    assert.equal(x.name, "delta");
    assert.equal(x.reason, "Client Closed");
    assert.match(String(x.stop), GO_TIME);
    assert.equal(x.subscriptions, 2);
    assert.deepEqual(x.subscriptions_list, ["gone.a", "gone.b"]);
    const detail = conns(await getJson(s.http, "/connz?state=closed&subs=detail"));
    assert.deepEqual((detail[0] as Json).subscriptions_list_detail, [
      { account: "$G", subject: "gone.a", sid: "1", msgs: 0, cid },
      { account: "$G", subject: "gone.b", qgroup: "q", sid: "2", msgs: 0, cid },
    ]);
    const any = await getJson(s.http, "/connz?state=all");
    assert.equal(any.total, 4);
    assert.equal((conns(await getJson(s.http, "/connz")) as Json[]).length, 3);
    const byReason = await get(s.http, "/connz?state=closed&sort=reason");
    assert.equal(byReason.status, 200);
  });

  it("/subsz: statistics, and the subscriptions with subs=1", async () => {
    const stats = await getJson(s.http, "/subsz");
    // Without a list nats-server sends only the statistics.
    assert.deepEqual(Object.keys(stats), [
      "num_subscriptions",
      "num_cache",
      "num_inserts",
      "num_removes",
      "num_matches",
      "cache_hit_rate",
      "max_fanout",
      "avg_fanout",
    ]);
    assert.equal(stats.num_subscriptions, 5);
    assert.ok((stats.num_inserts as number) >= 5);
    // The match cache: orders.new was looked up and reaches two subscriptions and a queue
    // group (fanout 3, as nats-server counts it).
    assert.ok((stats.num_cache as number) >= 1, JSON.stringify(stats));
    assert.ok((stats.num_matches as number) >= 1, JSON.stringify(stats));
    assert.ok((stats.max_fanout as number) >= 3, JSON.stringify(stats));
    assert.ok((stats.avg_fanout as number) > 0, JSON.stringify(stats));
    const rate = stats.cache_hit_rate as number;
    assert.ok(rate >= 0 && rate <= 1, JSON.stringify(stats));

    const list = await getJson(s.http, "/subsz?subs=1");
    assert.equal(list.server_id, s.nats.broker.serverId);
    assert.equal(list.total, 5);
    const subs = list.subscriptions_list as Json[];
    assert.deepEqual(subs.map((x) => x.subject).sort(), [
      "audit",
      "orders.*",
      "orders.>",
      "orders.new",
      "unused",
    ]);
    assert.ok(subs.every((x) => x.account === "$G"));

    const matching = await getJson(s.http, "/subsz?subs=1&test=orders.new");
    assert.deepEqual((matching.subscriptions_list as Json[]).map((x) => x.subject).sort(), [
      "orders.*",
      "orders.>",
      "orders.new",
    ]);
    const paged = await getJson(s.http, "/subsz?subs=1&offset=1&limit=2");
    assert.equal((paged.subscriptions_list as Json[]).length, 2);
    assert.equal(paged.offset, 1);
    assert.equal(paged.limit, 2);

    const bad = await get(s.http, "/subsz?subs=1&test=orders.*");
    assert.equal(bad.status, 400);
    assert.equal(bad.text, "invalid test subject, must be valid publish subject: orders.*");
  });

  it("/healthz, /, and unknown paths", async () => {
    const h = await get(s.http, "/healthz");
    assert.equal(h.status, 200);
    assert.equal(h.type, "application/json");
    assert.equal(h.text, '{"status":"ok"}');
    const root = await get(s.http, "/");
    assert.equal(root.status, 200);
    assert.match(root.type, /^text\/html/);
    assert.match(root.text, /href="\.\/connz"/);
    for (const p of ["/nope", "/varz/"]) {
      const res = await get(s.http, p);
      assert.equal(res.status, 404);
      assert.equal(res.text, "404 page not found\n");
    }
    const routez = await getJson(s.http, "/routez");
    assert.equal(routez.num_routes, 0);
  });

  it("/metrics: Prometheus text that agrees with /varz", async () => {
    const res = await get(s.http, "/metrics");
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(res.text);
    const v = await getJson(s.http, "/varz");
    const label = `{server_id="${s.nats.broker.serverId}"}`;
    for (const f of ["connections", "subscriptions", "in_msgs", "out_msgs", "in_bytes"]) {
      assert.equal(samples.get(`nats_varz_${f}${label}`), v[f], f);
    }
    assert.equal(samples.get(`nats_subsz_num_subscriptions${label}`), 5);
    const subs = await getJson(s.http, "/subsz");
    for (const f of ["num_cache", "num_matches", "max_fanout", "avg_fanout"]) {
      assert.equal(samples.get(`nats_subsz_${f}${label}`), subs[f], f);
    }
    // No mq9 layer on this broker, so no mq9 gauges.
    assert.ok(![...samples.keys()].some((k) => k.startsWith("mq9_")));
  });
});

/** Every sample as `name{labels}` → value; fails on a line that is not exposition format. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const typed = new Set<string>();
  assert.ok(text.endsWith("\n"));
  for (const line of text.trimEnd().split("\n")) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (type) {
      typed.add(type[1]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_]+="(?:[^"\\]|\\.)*"\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    assert.ok(typed.has(m[1]!), `no TYPE before ${m[1]}`);
    const value = Number(m[3]);
    assert.ok(!Number.isNaN(value), line);
    out.set(m[1]! + (m[2] ?? ""), value);
  }
  return out;
}

describe("monitoring in the broker service (http_port)", () => {
  let service: BrokerService;
  let dir: string;
  const lines: string[] = [];
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-monitor-"));
    const merged = mergeConfig({
      flags: { port: 0, wsPort: 0, monitorPort: 0, dataDir: dir, portsFileDir: dir },
    });
    assert.ok(merged.ok);
    const log = createLogger({ write: (l) => void lines.push(l) });
    service = await startBrokerService(merged.config, log);
  });
  after(async () => {
    await service.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("opens the port, logs it first, lists it in the ports file", () => {
    const monitor = service.monitor;
    assert.ok(monitor);
    const at = lines.findIndex((l) => l.includes("[INF] Starting http monitor on 127.0.0.1:"));
    const clients = lines.findIndex((l) => l.includes("Listening for client connections"));
    assert.ok(at >= 0 && at < clients, lines.join(""));
    const file = fs.readdirSync(dir).find((f) => f.endsWith(".ports"));
    assert.ok(file);
    const ports = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Json;
    assert.deepEqual(ports.monitoring, [`http://127.0.0.1:${monitor.address.port}`]);
  });

  it("tracks closed connections and shows mq9's gauges in /metrics", async () => {
    const http = service.monitor!.address.port;
    const port = service.endpoints.find((e) => e.kind === "tcp")!.port;
    const nc = await connect({ port, name: "agent" });
    const box = await createMailbox(nc, { ttl: 60 });
    nc.publish(`${box.inbox}.normal`, "hello");
    await nc.flush();
    const samples = parseMetrics((await get(http, "/metrics")).text);
    assert.equal(samples.get("mq9_mailboxes"), 1);
    assert.equal(samples.get("mq9_stored_messages"), 1);
    assert.equal(samples.get("mq9_unread_messages"), 1);
    assert.equal(samples.get("mq9_dead_letters"), 0);
    await nc.close();
    let closed: Json[] = [];
    for (let i = 0; i < 50 && closed.length === 0; i++) {
      closed = conns(await getJson(http, "/connz?state=closed"));
      if (closed.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal((closed[0] as Json | undefined)?.name, "agent");
    const v = await getJson(http, "/varz");
    assert.equal(v.http_port, http);
    assert.equal(v.in_msgs, 2);
  });

  it("shows WebSocket clients as type websocket and the listener in /varz", async () => {
    const http = service.monitor!.address.port;
    const ws = service.endpoints.find((e) => e.kind === "websocket")!;
    const nc = await wsConnect({ servers: ws.url, name: "browser", reconnect: false });
    try {
      await nc.flush();
      const list = conns(await getJson(http, "/connz"));
      const entry = list.find((x) => x.name === "browser");
      assert.equal(entry?.type, "websocket");
      assert.equal(entry?.kind, "Client");
      assert.equal(entry?.ip, "127.0.0.1");
      const v = await getJson(http, "/varz");
      assert.deepEqual(v.websocket, { host: "127.0.0.1", port: ws.port, no_tls: true });
    } finally {
      await nc.close();
    }
  });
});

/** Fields nats-server 2.9.10 sends that have no meaning here (see docs/config.md). */
const VARZ_ONLY_THERE = new Set(["gomaxprocs", "system_account"]);

describe("monitoring against nats-server", { skip: !haveNatsServer() }, () => {
  let ours: Awaited<ReturnType<typeof startMonitored>>;
  let theirs: RunningServer;
  let theirHttp: number;
  before(async () => {
    ours = await startMonitored();
    theirHttp = await freePort();
    theirs = await startNatsServer(`http_port: ${theirHttp}`);
  });
  after(async () => {
    await ours.monitor.close();
    await ours.nats.stop();
    await theirs.stop();
  });

  it("the same scenario: same fields, same counters", async () => {
    const sides = [
      { name: "mq9", nats: ours.nats.port, http: ours.http },
      { name: "nats-server", nats: theirs.port, http: theirHttp },
    ];
    const results = [];
    for (const side of sides) {
      // nats-server has internal subscriptions of its own: compare what the clients add.
      const base = await getJson(side.http, "/varz");
      const clients = await scenario(side.nats);
      const varz = await getJson(side.http, "/varz");
      const connz = await getJson(side.http, "/connz?subs=detail");
      const subsz = await getJson(side.http, "/subsz?subs=1&test=orders.new");
      await Promise.all(clients.map((c) => c.close()));
      results.push({ side: side.name, base, varz, connz, subsz });
    }
    const [us, them] = results as [(typeof results)[0], (typeof results)[0]];

    const missing = (ourKeys: string[], theirKeys: string[], skip = new Set<string>()) =>
      theirKeys.filter((k) => !ourKeys.includes(k) && !skip.has(k));
    assert.deepEqual(missing(Object.keys(us.varz), Object.keys(them.varz), VARZ_ONLY_THERE), []);
    assert.deepEqual(missing(Object.keys(us.connz), Object.keys(them.connz)), []);
    const ourConns = conns(us.connz);
    const theirConns = conns(them.connz);
    for (let i = 0; i < 3; i++) {
      const o = ourConns[i]!;
      const t = theirConns[i]!;
      assert.equal(o.name, t.name);
      assert.deepEqual(missing(Object.keys(o), Object.keys(t)), [], String(t.name));
      for (const f of ["in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions"]) {
        assert.equal(o[f], t[f], `${String(t.name)} ${f}`);
      }
      const od = (o.subscriptions_list_detail ?? []) as Json[];
      const td = (t.subscriptions_list_detail ?? []) as Json[];
      // nats-server lists them in Go map order; cids differ between the servers.
      const strip = (d: Json[]) =>
        d.map(({ cid: _cid, ...rest }) => rest).sort((x, y) => Number(x.sid) - Number(y.sid));
      assert.deepEqual(strip(od), strip(td), String(t.name));
    }
    for (const f of ["connections", "total_connections", "subscriptions", "in_msgs", "out_msgs"]) {
      const delta = (r: typeof us) => (r.varz[f] as number) - (r.base[f] as number);
      assert.equal(delta(us), delta(them), f);
    }
    assert.deepEqual(Object.keys(us.subsz), Object.keys(them.subsz));
    // The clients' one published subject reaches 2 subscriptions and 1 queue group.
    assert.equal(us.subsz.max_fanout, 3);
    assert.equal(us.subsz.max_fanout, them.subsz.max_fanout);
    const subjects = (r: typeof us) =>
      (r.subsz.subscriptions_list as Json[]).map((x) => x.subject).sort();
    assert.deepEqual(subjects(us), subjects(them));
  });
});
