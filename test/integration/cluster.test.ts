/**
 * Clustering (routes), against nats-server 2.9.10 as the reference: every check runs on a
 * cluster of ours, on a cluster of nats-servers started from the same config files, and
 * on mixed clusters where ours and nats-server route to each other. Three servers join
 * through one seed, so the mesh only forms if gossip works; clients are the official
 * `nats` client.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, headers, StringCodec, type NatsConnection } from "nats";
import { startLogged, type LoggedServer, type ServerKind } from "../support/logged-server";
import { haveNatsServer } from "../support/nats-server";
import { freePort } from "../support/ports";
import { killAll } from "../support/spawned";

after(killAll);

const sc = StringCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-cluster-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Member {
  kind: ServerKind;
  port: number;
  http: number;
  routePort: number;
  server: LoggedServer;
}

interface MemberOptions {
  name?: string;
  /** Route ports to dial, with `user:pass@` if given. */
  routes?: number[];
  credentials?: string;
  /** Inside the cluster block, e.g. an authorization block. */
  clusterExtra?: string;
  /** Top-level options. */
  extra?: string;
}

let confs = 0;

async function startMember(kind: ServerKind, o: MemberOptions = {}): Promise<Member> {
  const [port, http, routePort] = [await freePort(), await freePort(), await freePort()];
  const creds = o.credentials !== undefined ? `${o.credentials}@` : "";
  const routes = (o.routes ?? []).map((p) => `"nats-route://${creds}127.0.0.1:${p}"`);
  const conf = path.join(tmp, `m${++confs}.conf`);
  fs.writeFileSync(
    conf,
    `host: 127.0.0.1\nport: ${port}\nhttp: "127.0.0.1:${http}"\n${o.extra ?? ""}\n` +
      `cluster {\n  name: ${o.name ?? "C1"}\n  listen: "127.0.0.1:${routePort}"\n` +
      `  routes: [${routes.join(", ")}]\n${o.clusterExtra ?? ""}\n}\n`,
  );
  const server = startLogged(kind, conf, path.join(tmp, `data${confs}`));
  await server.waitFor(/Server is ready/, 20_000);
  // nats-server opens the route port just after it says it is ready.
  await server.waitFor(/Listening for route connections/, 5000);
  return { kind, port, http, routePort, server };
}

async function routeCount(m: Member): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${m.http}/routez`);
  return ((await res.json()) as { num_routes: number }).num_routes;
}

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForMesh(members: Member[]): Promise<void> {
  const n = members.length - 1;
  await waitUntil(`every server has ${n} routes`, async () => {
    const counts = await Promise.all(members.map(routeCount));
    return counts.every((c) => c === n);
  });
}

function client(m: Member, opts: Record<string, unknown> = {}): Promise<NatsConnection> {
  return connect({ servers: `127.0.0.1:${m.port}`, ...opts });
}

async function settle(ncs: NatsConnection[]): Promise<void> {
  await Promise.all(ncs.map((nc) => nc.flush()));
}

/**
 * Until requests from `from` to `subject` have been answered by each of `answerers`:
 * route interest travels asynchronously, so a subscription made elsewhere takes a moment
 * to be known on the publisher's server.
 */
async function waitForInterest(
  from: NatsConnection,
  subject: string,
  answerers: string[] = [],
): Promise<void> {
  const seen = new Set<string>();
  await waitUntil(`interest in ${subject} reached the publisher's server`, async () => {
    try {
      const r = await from.request(subject, sc.encode("probe"), { timeout: 200 });
      seen.add(sc.decode(r.data));
      return answerers.every((a) => seen.has(a));
    } catch {
      return false;
    }
  });
}

/** Until a request from `from` to `subject` is answered by every one of `answerers`. */
async function waitForAllInterest(
  from: NatsConnection,
  subject: string,
  answerers: string[],
): Promise<void> {
  await waitUntil(
    `every subscriber of ${subject} reached from the publisher's server`,
    async () => {
      const seen = new Set<string>();
      const replies = await from.requestMany(subject, sc.encode("probe"), { maxWait: 300 });
      for await (const r of replies) seen.add(sc.decode(r.data));
      return answerers.every((a) => seen.has(a));
    },
  );
}

/** Answers probe requests with `name`; true when `data` was a probe. */
function answerProbe(m: { reply?: string; respond(data?: Uint8Array): boolean }, name: string) {
  if (m.reply === undefined || m.reply === "") return false;
  m.respond(sc.encode(name));
  return true;
}

const TOPOLOGIES: ServerKind[][] = [
  ["mq9", "mq9", "mq9"],
  ["nats-server", "nats-server", "nats-server"],
  ["mq9", "nats-server", "mq9"],
  ["nats-server", "mq9", "mq9"],
];

for (const kinds of TOPOLOGIES) {
  describe(`cluster: ${kinds.join(" + ")}`, { skip: !haveNatsServer() }, () => {
    const members: Member[] = [];
    const ncs: NatsConnection[] = [];

    before(async () => {
      // The second and third servers know only the seed: the mesh needs gossip.
      members.push(await startMember(kinds[0]!));
      for (const kind of kinds.slice(1)) {
        members.push(await startMember(kind, { routes: [members[0]!.routePort] }));
      }
      await waitForMesh(members);
      for (const m of members) ncs.push(await client(m));
    });

    after(async () => {
      await Promise.allSettled(ncs.map((nc) => nc.close()));
      await Promise.allSettled(members.map((m) => m.server.stop()));
    });

    it("forms a full mesh through one seed, and clients learn every server's URL", async () => {
      const urls = members.map((m) => `127.0.0.1:${m.port}`).sort();
      for (const nc of ncs) {
        assert.deepEqual([...(nc.info?.connect_urls ?? [])].sort(), urls);
        assert.equal(nc.info?.cluster, "C1");
      }
    });

    it("gives every subscriber on every server each message once, headers intact", async () => {
      const got: string[][] = ncs.map(() => []);
      const subs = ncs.map((nc, i) =>
        nc.subscribe("fan.*", {
          callback: (_e, m) => {
            if (answerProbe(m, `s${i}`)) return;
            got[i]!.push(`${m.subject}=${sc.decode(m.data)}/${m.headers?.get("X-From") ?? ""}`);
          },
        }),
      );
      await settle(ncs);
      const names = ncs.map((_, i) => `s${i}`);
      for (const nc of ncs) await waitForAllInterest(nc, "fan.probe", names);
      ncs.forEach((nc, i) => {
        const h = headers();
        h.set("X-From", `s${i}`);
        for (let k = 0; k < 10; k++) nc.publish(`fan.${i}`, sc.encode(`${k}`), { headers: h });
      });
      await settle(ncs);
      const want: string[] = [];
      for (let i = 0; i < ncs.length; i++)
        for (let k = 0; k < 10; k++) want.push(`fan.${i}=${k}/s${i}`);
      await waitUntil("all 30 messages everywhere", async () =>
        got.every((g) => g.length >= want.length),
      );
      await new Promise((r) => setTimeout(r, 100));
      for (const g of got) assert.deepEqual([...g].sort(), [...want].sort());
      for (const s of subs) s.unsubscribe();
    });

    it("gives each message of a queue group to exactly one member across the cluster", async () => {
      // Members on the second and third servers; the first has none, so its publishes
      // can only reach the group over routes.
      const counts = ncs.map(() => 0);
      const seen = new Set<string>();
      let duplicates = 0;
      const subs = ncs.slice(1).map((nc, j) =>
        nc.subscribe("work", {
          queue: "workers",
          callback: (_e, m) => {
            if (answerProbe(m, `w${j + 1}`)) return;
            counts[j + 1]!++;
            const id = sc.decode(m.data);
            if (seen.has(id)) duplicates++;
            seen.add(id);
          },
        }),
      );
      await settle(ncs);
      await waitForInterest(ncs[0]!, "work", ["w1", "w2"]);
      const total = 1500;
      for (let k = 0; k < total; k++) ncs[k % 3 === 2 ? 1 : 0]!.publish("work", sc.encode(`m${k}`));
      await settle(ncs);
      await waitUntil("every task handed out", async () => seen.size >= total);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(duplicates, 0);
      assert.equal(
        counts.reduce((a, b) => a + b),
        total,
      );
      for (const c of counts.slice(1))
        assert.ok(c > 0, `a member got nothing: ${counts.join(", ")}`);
      for (const s of subs) s.unsubscribe();
    });

    it("answers requests from every server, and says no responders once nobody listens", async () => {
      const responder = ncs[2]!.subscribe("svc.echo", {
        callback: (_e, m) => m.respond(sc.encode(`echo:${sc.decode(m.data)}`)),
      });
      await settle(ncs);
      for (const nc of ncs) await waitForInterest(nc, "svc.echo");
      for (const [i, nc] of ncs.entries()) {
        const r = await nc.request("svc.echo", sc.encode(`from${i}`), { timeout: 2000 });
        assert.equal(sc.decode(r.data), `echo:from${i}`);
      }
      responder.unsubscribe();
      await settle(ncs);
      await waitUntil("the unsubscribe reached every server", async () => {
        try {
          await ncs[0]!.request("svc.echo", sc.encode("x"), { timeout: 300 });
          return false;
        } catch (e) {
          return (e as { code?: string }).code === "503";
        }
      });
    });

    it("fails a client over to a server it learned from INFO when its own stops", async () => {
      const last = members[2]!;
      // The client is given only its own server; the others come from connect_urls.
      const nc = await client(last, { reconnectTimeWait: 100, maxReconnectAttempts: 50 });
      const got: string[] = [];
      nc.subscribe("after.failover", {
        callback: (_e, m) => void (answerProbe(m, "moved") || got.push(sc.decode(m.data))),
      });
      await nc.flush();
      await last.server.stop();
      await waitUntil("reconnected elsewhere", async () => {
        const port = nc.info?.port;
        return port !== undefined && port !== last.port && !nc.isClosed();
      });
      await nc.flush();
      await waitForInterest(ncs[0]!, "after.failover");
      ncs[0]!.publish("after.failover", sc.encode("still here"));
      await waitUntil("message after failover", async () => got.includes("still here"));
      await nc.close();
      // The stopped server's URL is withdrawn from the others' INFO.
      await waitUntil("URL withdrawn", async () => {
        const res = await fetch(`http://127.0.0.1:${members[0]!.http}/varz`);
        const urls = ((await res.json()) as { connect_urls?: string[] }).connect_urls ?? [];
        return !urls.includes(`127.0.0.1:${last.port}`);
      });
    });
  });
}

describe("cluster: mq9 broadcasts with mq9's own patterns", () => {
  const members: Member[] = [];
  after(async () => {
    await Promise.allSettled(members.map((m) => m.server.stop()));
  });

  it("reach plain subscribers on the other servers, and a queue group once", async () => {
    members.push(await startMember("mq9"));
    members.push(await startMember("mq9", { routes: [members[0]!.routePort] }));
    await waitForMesh(members);
    const [a, b] = [await client(members[0]!), await client(members[1]!)];
    const got = { extended: 0, remote: 0, queue: 0 };
    // `#` is mq9's pattern (§6.4): the broker delivers it itself, not by NATS matching.
    a.subscribe("$mq9.AI.BROADCAST.alerts.#", { callback: () => got.extended++ });
    b.subscribe("$mq9.AI.BROADCAST.alerts.>", {
      callback: (_e, m) => void (answerProbe(m, "b") || got.remote++),
    });
    a.subscribe("$mq9.AI.BROADCAST.alerts.#", { queue: "w", callback: () => got.queue++ });
    b.subscribe("$mq9.AI.BROADCAST.alerts.>", { queue: "w", callback: () => got.queue++ });
    await settle([a, b]);
    await waitForInterest(a, "$mq9.AI.BROADCAST.alerts.probe", ["b"]);
    Object.assign(got, { extended: 0, remote: 0, queue: 0 });
    for (let i = 0; i < 200; i++) a.publish("$mq9.AI.BROADCAST.alerts.cpu", sc.encode(`${i}`));
    await settle([a, b]);
    await waitUntil("every broadcast", async () => got.extended >= 200 && got.remote >= 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(got, { extended: 200, remote: 200, queue: 200 });
    await Promise.all([a.close(), b.close()]);
  });
});

describe("cluster: a route that stops reading", () => {
  const members: Member[] = [];
  after(async () => {
    await Promise.allSettled(members.map((m) => m.server.stop()));
  });

  it("is cut off at max_pending, and the server keeps serving its clients", async () => {
    const m = await startMember("mq9", {
      extra: "max_payload: 16KB\nmax_pending: 256KB",
    });
    members.push(m);
    // A peer that does the route handshake, asks for `foo`, then never reads again.
    const peer = net.connect(m.routePort, "127.0.0.1");
    await new Promise((r) => peer.once("connect", r));
    peer.write(
      'CONNECT {"name":"NSTALLEDPEER","cluster":"C1","headers":true}\r\n' +
        'INFO {"server_id":"NSTALLEDPEER","cluster":"C1","headers":true,"port":1}\r\n' +
        "RS+ $G foo\r\n",
    );
    await waitUntil("the route registered", async () => (await routeCount(m)) === 1);
    peer.pause();
    const nc = await client(m);
    const payload = new Uint8Array(8 * 1024);
    for (let i = 0; i < 2000; i++) nc.publish("foo", payload);
    await nc.flush();
    await waitUntil("the route cut off", async () => (await routeCount(m)) === 0);
    await m.server.waitFor(/Slow Consumer Detected: route pending too large/);
    const r = await nc.request("nobody.here", sc.encode("?"), { timeout: 1000 }).catch((e) => e);
    assert.equal((r as { code?: string }).code, "503");
    await nc.close();
    peer.destroy();
  });
});

const PAIRS: [ServerKind, ServerKind][] = [
  ["mq9", "mq9"],
  ["nats-server", "nats-server"],
  ["mq9", "nats-server"],
  ["nats-server", "mq9"],
];

for (const [seedKind, joinerKind] of PAIRS) {
  describe(`cluster: ${joinerKind} joining ${seedKind}`, { skip: !haveNatsServer() }, () => {
    const started: Member[] = [];
    after(async () => {
      await Promise.allSettled(started.map((m) => m.server.stop()));
    });

    it("tells connected clients of a new server, then of lame duck mode", async () => {
      const seed = await startMember(seedKind);
      started.push(seed);
      const nc = await client(seed);
      const events: { type: string; added?: string[] }[] = [];
      void (async () => {
        for await (const s of nc.status()) {
          const data = s.data as { added?: string[] } | string;
          events.push({
            type: s.type,
            ...(typeof data === "object" && data.added && { added: data.added }),
          });
        }
      })();
      await nc.flush();
      const joiner = await startMember(joinerKind, { routes: [seed.routePort] });
      started.push(joiner);
      await waitUntil("update event", async () => events.some((e) => e.type === "update"));
      const update = events.find((e) => e.type === "update")!;
      assert.deepEqual(update.added, [`127.0.0.1:${joiner.port}`]);
      seed.server.signal("SIGUSR2");
      await waitUntil("ldm event", async () => events.some((e) => e.type === "ldm"));
      await nc.close().catch(() => {});
    });

    it("refuses a route with the wrong credentials or cluster name, takes the right one", async () => {
      const auth = "  authorization { user: ruser, password: rpass, timeout: 1 }";
      const seed = await startMember(seedKind, { clusterExtra: auth });
      started.push(seed);
      const wrong = await startMember(joinerKind, {
        routes: [seed.routePort],
        credentials: "ruser:nope",
      });
      started.push(wrong);
      const otherName = await startMember(joinerKind, {
        name: "C2",
        routes: [seed.routePort],
        credentials: "ruser:rpass",
      });
      started.push(otherName);
      const right = await startMember(joinerKind, {
        routes: [seed.routePort],
        credentials: "ruser:rpass",
      });
      started.push(right);
      await waitUntil("the right route", async () => (await routeCount(right)) === 1);
      // Both refused ones have had more than a redial interval (1 s) to get in.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await routeCount(seed), 1);
      assert.equal(await routeCount(wrong), 0);
      assert.equal(await routeCount(otherName), 0);
    });

    it("answers a client that dials the route port with nats-server's error", async () => {
      const seed = await startMember(seedKind);
      started.push(seed);
      const lines = await rawRoutePort(
        seed.routePort,
        'CONNECT {"lang":"node","verbose":false}\r\n',
      );
      assert.match(lines[0]!, /^INFO \{.*"cluster":"C1"/);
      assert.equal(lines[1], "-ERR 'attempted to connect to route port'");
    });

    it("tells routes the advertised address, a host alone taking the route port", async () => {
      const seed = await startMember(seedKind, { clusterExtra: "  advertise: routes.example.com" });
      started.push(seed);
      const [info] = await rawRoutePort(seed.routePort, "PING\r\n");
      const o = JSON.parse(info!.replace(/^INFO /, "")) as Record<string, unknown>;
      assert.equal(o.host, "routes.example.com");
      assert.equal(o.port, seed.routePort);
      assert.equal(o.ip, `nats-route://routes.example.com:${seed.routePort}/`);
    });

    it("answers garbage on the route port with nats-server's error, and keeps serving", async () => {
      const seed = await startMember(seedKind);
      started.push(seed);
      const lines = await rawRoutePort(seed.routePort, "HELLO there\r\n");
      assert.match(lines[0]!, /^INFO /);
      assert.equal(lines[1], "-ERR 'Unknown Protocol Operation'");
      const nc = await client(seed);
      await nc.flush();
      await nc.close();
    });
  });
}

/** Lines a raw connection to a route port receives after sending `hello`, until closed. */
function rawRoutePort(port: number, hello: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
    socket.once("connect", () => socket.write(hello));
    socket.on("error", reject);
    socket.on("close", () => resolve(text.split("\r\n").filter((l) => l !== "")));
    setTimeout(() => socket.destroy(), 3000).unref();
  });
}
