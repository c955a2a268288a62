/**
 * The `nats` npm client (2.x, TCP) against our broker and, as the reference that proves each
 * check is right, against Debian's nats-server. Delivery is checked after flushes rather than
 * sleeps: a PONG on a connection comes after every MSG the server queued to it before
 * handling that PING (nats-wire-notes §1.7, §1.10).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  connect,
  Empty,
  ErrorCode,
  headers,
  NatsError,
  StringCodec,
  type ConnectionOptions,
  type Msg,
  type NatsConnection,
  type SubscriptionOptions,
} from "nats";
import {
  NO_HEADERS_CONNECT,
  RawPeer,
  serverTargets,
  waitUntil,
  within,
  type SuiteServer,
} from "../support/clients";

const sc = StringCodec();
/** Below the 1 MiB default, so a client that ignored INFO's max_payload would be caught. */
const MAX_PAYLOAD = 200_000;
const T = { timeout: 5000 };

for (const target of serverTargets()) {
  describe(`nats client against ${target.label}`, () => {
    let server: SuiteServer;
    const open: NatsConnection[] = [];

    before(async () => {
      server = await target.start({ maxPayload: MAX_PAYLOAD });
    });
    after(async () => {
      await Promise.all(open.map((nc) => nc.close().catch(() => {})));
      await server.stop();
    });

    async function conn(opts: ConnectionOptions = {}): Promise<NatsConnection> {
      const nc = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false, ...opts });
      open.push(nc);
      return nc;
    }

    /** A callback subscription whose messages land in the returned array. */
    function collect(nc: NatsConnection, subject: string, opts: SubscriptionOptions = {}): Msg[] {
      const got: Msg[] = [];
      nc.subscribe(subject, {
        ...opts,
        callback: (err, m) => {
          if (!err) got.push(m);
        },
      });
      return got;
    }

    /** Flushes each connection in turn: publishers first, then subscribers. */
    async function settle(...conns: NatsConnection[]): Promise<void> {
      for (const nc of conns) await nc.flush();
    }

    it("pub/sub delivers every message in order with its subject and payload", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const got = collect(sub, "ps.a");
      await sub.flush();
      for (let i = 0; i < 20; i++) pub.publish("ps.a", sc.encode(`m${i}`));
      await settle(pub, sub);
      assert.deepEqual(
        got.map((m) => sc.decode(m.data)),
        Array.from({ length: 20 }, (_, i) => `m${i}`),
      );
      assert.ok(got.every((m) => m.subject === "ps.a" && m.reply === ""));
    });

    it("wildcards: * matches one token, > one or more trailing tokens", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const star = collect(sub, "wc.*");
      const tail = collect(sub, "wc.>");
      const mid = collect(sub, "wc.*.c");
      await sub.flush();
      for (const s of ["wc", "wc.a", "wc.a.b", "wc.a.c", "other.a", "wcx.a"]) pub.publish(s);
      await settle(pub, sub);
      const subjects = (ms: Msg[]) => ms.map((m) => m.subject);
      assert.deepEqual(subjects(star), ["wc.a"]);
      assert.deepEqual(subjects(tail), ["wc.a", "wc.a.b", "wc.a.c"]);
      assert.deepEqual(subjects(mid), ["wc.a.c"]);
    });

    it("queue group: each message to the plain sub and exactly one member", T, async () => {
      const pub = await conn();
      const members = [await conn(), await conn(), await conn()];
      const plainConn = await conn();
      const perMember = members.map((nc) => collect(nc, "qg.work", { queue: "workers" }));
      const plain = collect(plainConn, "qg.work");
      await settle(...members, plainConn);
      const N = 300;
      for (let i = 0; i < N; i++) pub.publish("qg.work", sc.encode(String(i)));
      await settle(pub, ...members, plainConn);

      assert.equal(plain.length, N);
      const seen = perMember.flatMap((ms) => ms.map((m) => Number(sc.decode(m.data))));
      assert.equal(seen.length, N, "each message reached exactly one member");
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        Array.from({ length: N }, (_, i) => i),
      );
      for (const [i, ms] of perMember.entries()) assert.ok(ms.length > 0, `member ${i} got none`);
    });

    it("a long pipelined stream arrives complete and in order", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const got = collect(sub, "st.x");
      await sub.flush();
      const N = 10_000;
      for (let i = 0; i < N; i++) pub.publish("st.x", sc.encode(String(i)));
      await settle(pub, sub);
      assert.equal(got.length, N);
      assert.ok(got.every((m, i) => sc.decode(m.data) === String(i)));
    });

    it("mixed sizes, with and without headers, survive arbitrary read splits", T, async () => {
      const pub = await conn();
      const subs = [await conn(), await conn()];
      const gots = subs.map((nc) => collect(nc, "mx.x"));
      await settle(...subs);
      // Sizes from empty to the limit, so frames straddle the servers' socket reads.
      const sizes = [0, 1, 2, 100, 4095, 4096, 4097, 65_536, MAX_PAYLOAD - 200, 12_345, 0, 3];
      const sent = sizes.flatMap((size, i) => [
        { data: randomBytes(size), header: i % 2 === 0 ? `v${i}` : undefined },
        { data: randomBytes(size), header: `w${i}` },
      ]);
      for (const { data, header } of sent) {
        const h = header === undefined ? undefined : headers();
        h?.set("Seq", header!);
        pub.publish("mx.x", data, h ? { headers: h } : {});
      }
      await settle(pub, ...subs);
      for (const got of gots) {
        assert.equal(got.length, sent.length);
        got.forEach((m, i) => {
          const want = sent[i]!;
          assert.ok(Buffer.from(m.data).equals(want.data), `message ${i} payload`);
          assert.equal(m.headers?.get("Seq"), want.header, `message ${i} header`);
        });
      }
    });

    it("headers with an empty payload", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const got = collect(sub, "he.x");
      await sub.flush();
      const h = headers();
      h.set("Only", "headers");
      pub.publish("he.x", Empty, { headers: h });
      await settle(pub, sub);
      assert.equal(got.length, 1);
      assert.equal(got[0]!.data.length, 0);
      assert.equal(got[0]!.headers?.get("Only"), "headers");
    });

    it("unsubscribe stops delivery; other subscriptions keep theirs", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const gone: Msg[] = [];
      const s = sub.subscribe("us.x", {
        callback: (_, m) => {
          gone.push(m);
        },
      });
      const kept = collect(sub, "us.x");
      await sub.flush();
      pub.publish("us.x");
      await settle(pub, sub);
      s.unsubscribe();
      await sub.flush();
      pub.publish("us.x");
      await settle(pub, sub);
      assert.equal(gone.length, 1);
      assert.equal(kept.length, 2);
    });

    it("request/reply, including concurrent requests on one connection", T, async () => {
      const [svc, cli] = [await conn(), await conn()];
      svc.subscribe("rr.echo", {
        callback: (_, m) => {
          m.respond(sc.encode(`re:${sc.decode(m.data)}`));
        },
      });
      await svc.flush();
      const one = await cli.request("rr.echo", sc.encode("hi"), { timeout: 2000 });
      assert.equal(sc.decode(one.data), "re:hi");
      const many = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          cli.request("rr.echo", sc.encode(`q${i}`), { timeout: 2000 }),
        ),
      );
      assert.deepEqual(
        many.map((m) => sc.decode(m.data)),
        Array.from({ length: 25 }, (_, i) => `re:q${i}`),
      );
    });

    it("request and reply both carrying headers, with and without the mux inbox", T, async () => {
      const [svc, cli] = [await conn(), await conn()];
      svc.subscribe("rh.svc", {
        callback: (_, m) => {
          const h = headers();
          h.set("Echo", m.headers?.get("Ask") ?? "missing");
          m.respond(m.data, { headers: h });
        },
      });
      await svc.flush();
      for (const noMux of [false, true]) {
        const h = headers();
        h.set("Ask", `mux-${!noMux}`);
        const r = await cli.request("rh.svc", sc.encode("p"), { timeout: 2000, headers: h, noMux });
        assert.equal(sc.decode(r.data), "p");
        assert.equal(r.headers?.get("Echo"), `mux-${!noMux}`);
      }
    });

    it("headers round trip: several keys and repeated values", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const got = collect(sub, "hd.x");
      await sub.flush();
      const h = headers();
      h.append("X-Multi", "one");
      h.append("X-Multi", "two");
      h.append("X-Mixed-Case", "a b:c");
      h.set("Empty-Value", "");
      pub.publish("hd.x", sc.encode("body"), { headers: h, reply: "hd.reply" });
      await settle(pub, sub);

      assert.equal(got.length, 1);
      const m = got[0]!;
      assert.equal(sc.decode(m.data), "body");
      assert.equal(m.reply, "hd.reply");
      assert.ok(m.headers, "headers arrived");
      assert.deepEqual(m.headers.values("X-Multi"), ["one", "two"]);
      assert.equal(m.headers.get("X-Mixed-Case"), "a b:c");
      assert.equal(m.headers.has("Empty-Value"), true);
      assert.deepEqual([...m.headers.keys()].sort(), ["Empty-Value", "X-Mixed-Case", "X-Multi"]);
      assert.equal(m.headers.hasError, false);
    });

    it("request with no responders fails fast with the 503 error", T, async () => {
      const cli = await conn();
      const started = Date.now();
      await assert.rejects(
        cli.request("nr.nobody", Empty, { timeout: 4000 }),
        (err: unknown) => err instanceof NatsError && err.code === ErrorCode.NoResponders,
      );
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    it("subscribe with max 3: exactly 3 messages, then the subscription closes", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const s = sub.subscribe("um.x", { max: 3 });
      await sub.flush();
      for (let i = 0; i < 6; i++) pub.publish("um.x", sc.encode(String(i)));
      await pub.flush();
      const got: string[] = [];
      await within(
        2000,
        "iterator ends after max",
        (async () => {
          for await (const m of s) got.push(sc.decode(m.data));
        })(),
      );
      assert.deepEqual(got, ["0", "1", "2"]);
      assert.equal(s.isClosed(), true);
      assert.equal(s.getReceived(), 3);
      // The client drops extras itself, so ask the server: it must have removed the
      // subscription after the 3rd delivery, leaving no responder (nats-wire-notes §1.4).
      await assert.rejects(
        pub.request("um.x", Empty, { timeout: 2000 }),
        (err: unknown) => err instanceof NatsError && err.code === ErrorCode.NoResponders,
      );
    });

    it("subscription drain delivers what was in flight, then closes", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      const got: Msg[] = [];
      const s = sub.subscribe("dr.x", {
        callback: (_, m) => {
          got.push(m);
        },
      });
      const kept = collect(sub, "dr.kept");
      await sub.flush();
      for (let i = 0; i < 200; i++) {
        pub.publish("dr.x");
        pub.publish("dr.kept");
      }
      // The server has queued all 400 to `sub`; the client may not have read them yet.
      await pub.flush();
      await within(3000, "subscription drain", s.drain());
      assert.equal(got.length, 200);
      assert.equal(s.isClosed(), true);
      // The server dropped the subscription too: nobody answers on its subject.
      await assert.rejects(
        pub.request("dr.x", Empty, { timeout: 2000 }),
        (err: unknown) => err instanceof NatsError && err.code === ErrorCode.NoResponders,
      );
      // Only that subscription is gone: the connection and its other subscription carry on.
      pub.publish("dr.x");
      pub.publish("dr.kept");
      await settle(pub, sub);
      assert.equal(got.length, 200);
      assert.equal(kept.length, 201);
    });

    it(
      "connection drain delivers in-flight messages and flushes its own publishes",
      T,
      async () => {
        const [pub, sub] = [await conn(), await conn()];
        const a = collect(sub, "cd.a");
        const b = collect(sub, "cd.b");
        await sub.flush();
        for (let i = 0; i < 150; i++) {
          pub.publish("cd.a");
          pub.publish("cd.b");
        }
        await pub.flush();
        await within(3000, "subscriber drain", sub.drain());
        assert.equal(a.length, 150);
        assert.equal(b.length, 150);
        assert.equal(sub.isClosed(), true);

        // A publisher that drains right after publishing still gets its messages out.
        const [late, watcher] = [await conn(), await conn()];
        const seen = collect(watcher, "cd.late");
        await watcher.flush();
        for (let i = 0; i < 100; i++) late.publish("cd.late", sc.encode(String(i)));
        await within(3000, "publisher drain", late.drain());
        await waitUntil(() => seen.length === 100, 2000, `100 after drain, have ${seen.length}`);
      },
    );

    it("noEcho: own subscription skipped, another connection's delivered", T, async () => {
      const quiet = await conn({ noEcho: true });
      const other = await conn();
      const own = collect(quiet, "ne.x");
      const theirs = collect(other, "ne.x");
      await settle(quiet, other);
      for (let i = 0; i < 5; i++) quiet.publish("ne.x");
      await settle(quiet, other);
      assert.equal(theirs.length, 5);
      assert.equal(own.length, 0);
      // The quiet connection's subscription works for other publishers.
      other.publish("ne.x");
      await settle(other, quiet);
      assert.equal(own.length, 1);
    });

    it("flush resolves after the server handled everything sent before it", T, async () => {
      const nc = await conn();
      const got = collect(nc, "fl.x");
      for (let i = 0; i < 100; i++) nc.publish("fl.x");
      await nc.flush();
      assert.equal(got.length, 100);
      const rtt = await nc.rtt();
      assert.ok(rtt >= 0 && rtt < 1000, `rtt ${rtt}`);
    });

    it("payload of exactly max_payload (read from INFO) is delivered intact", T, async () => {
      const [pub, sub] = [await conn(), await conn()];
      assert.equal(pub.info?.max_payload, MAX_PAYLOAD);
      const got = collect(sub, "big.x");
      await sub.flush();
      const payload = randomBytes(MAX_PAYLOAD);
      pub.publish("big.x", payload);
      const h = headers();
      h.set("K", "v");
      const withHeaders = randomBytes(MAX_PAYLOAD - 100);
      pub.publish("big.x", withHeaders, { headers: h });
      await settle(pub, sub);
      assert.equal(got.length, 2);
      assert.ok(Buffer.from(got[0]!.data).equals(payload));
      assert.ok(Buffer.from(got[1]!.data).equals(withHeaders));
      assert.equal(got[1]!.headers?.get("K"), "v");
    });

    it("publishing over max_payload fails in the client; connection stays up", T, async () => {
      const nc = await conn();
      assert.throws(
        () => nc.publish("big.over", new Uint8Array(MAX_PAYLOAD + 1)),
        (err: unknown) => err instanceof NatsError && err.code === ErrorCode.MaxPayloadExceeded,
      );
      await nc.flush();
      assert.equal(nc.isClosed(), false);
    });

    it("a queue member that drains loses nothing: the group gets every message", T, async () => {
      const pub = await conn();
      const members = [await conn(), await conn(), await conn()];
      const counts = [0, 0, 0];
      const subs = members.map((nc, i) =>
        nc.subscribe("qd.x", {
          queue: "g",
          callback: () => {
            counts[i]!++;
          },
        }),
      );
      await settle(...members);
      const N = 1500;
      let drained: Promise<void> | undefined;
      for (let i = 0; i < N; i++) {
        pub.publish("qd.x");
        if (i === 500) drained = subs[0]!.drain();
        // Let the drain's UNSUB reach the server while publishing goes on.
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      await within(3000, "member drain", drained!);
      await settle(pub, ...members);
      assert.equal(counts[0]! + counts[1]! + counts[2]!, N, `counts ${counts.join(",")}`);
      assert.equal(subs[0]!.isClosed(), true);
    });

    it("keepalive: server and client PINGs are answered while idle", T, async () => {
      const keepalive = await target.start({ pingIntervalMs: 150 });
      try {
        const nc = await connect({
          servers: `127.0.0.1:${keepalive.port}`,
          reconnect: false,
          pingInterval: 150,
          maxPingOut: 2,
        });
        let closedEarly = false;
        void nc.closed().then(() => (closedEarly = true));
        await new Promise((r) => setTimeout(r, 800));
        assert.equal(closedEarly, false, "connection was dropped while idle");
        await nc.flush();
        await nc.close();
      } finally {
        await keepalive.stop();
      }
    });

    it(
      "an HPUB reaches a subscriber without header support as MSG, headers stripped",
      T,
      async () => {
        const raw = await RawPeer.connect(server.port);
        try {
          raw.send(NO_HEADERS_CONNECT + "SUB hs.x 1\r\n");
          await raw.roundTrip();
          const pub = await conn();
          const h = headers();
          h.set("A", "B");
          pub.publish("hs.x", sc.encode("hello"), { headers: h });
          pub.publish("hs.x", sc.encode("world"), { headers: h, reply: "hs.r" });
          await pub.flush();
          await raw.roundTrip();
          const msgs = raw.text().slice(raw.text().indexOf("PONG\r\n") + 6);
          assert.equal(msgs, "MSG hs.x 1 5\r\nhello\r\nMSG hs.x 1 hs.r 5\r\nworld\r\nPONG\r\n");
        } finally {
          raw.close();
        }
      },
    );
  });
}
