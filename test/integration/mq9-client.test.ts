/**
 * The mq9 client module (lib/mq9) against the in-process broker with the mq9 layer, once
 * over TCP with `nats` and once over WebSocket with `nats.ws` (mq9.md end to end).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect as connectTcp } from "nats";
import { connect as connectWs } from "nats.ws";
import { WebSocket } from "ws";
import {
  Mq9Client,
  Mq9RequestError,
  Mq9TimeoutError,
  approvalRequest,
  approvalResponse,
  isApprovalRequest,
  isApprovalResponse,
  isCapabilityAnnouncement,
  isExpiredEvent,
  type Mq9Broadcast,
  type Mq9Message,
  type Mq9Subscription,
  type NatsConnectionLike,
} from "../../lib/mq9/mod";
import { listenWebSocket, type Listener } from "../../server/nats/mod";
import { waitUntil } from "../support/clients";
import { startMq9, type TestMq9 } from "../support/mq9";

// nats.ws looks for a W3C WebSocket on globalThis (nats-wire-notes §2.3).
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

const T = { timeout: 15_000 };
const CONNECT = { timeout: 3000, reconnect: false } as const;

interface Conn extends NatsConnectionLike {
  close(): Promise<void>;
}

/** The next `n` items, or a failure naming how many came within `ms`. */
async function take<T>(sub: Mq9Subscription<T>, n: number, ms = 3000): Promise<T[]> {
  const got: T[] = [];
  const deadline = Date.now() + ms;
  while (got.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now()));
    });
    const r = await Promise.race([sub.next(), timeout]);
    clearTimeout(timer);
    if (r === "timeout") assert.fail(`got ${got.length} of ${n} messages within ${ms} ms`);
    if (r.done) break;
    got.push(r.value);
  }
  return got;
}

const texts = (ms: { string(): string }[]) => ms.map((m) => m.string());

for (const transport of ["tcp", "ws"] as const) {
  describe(`mq9 client over ${transport === "tcp" ? "TCP (nats)" : "WebSocket (nats.ws)"}`, () => {
    let b: TestMq9;
    let ws: Listener | null = null;
    const open: Conn[] = [];

    async function connect(): Promise<{ nc: Conn; mq9: Mq9Client }> {
      const nc: Conn =
        transport === "tcp"
          ? await connectTcp({ servers: `127.0.0.1:${b.port}`, ...CONNECT })
          : await connectWs({ servers: `ws://127.0.0.1:${ws!.address.port}`, ...CONNECT });
      open.push(nc);
      return { nc, mq9: new Mq9Client(nc) };
    }

    before(async () => {
      b = await startMq9({ mq9: { notifyTtl: 300 } });
      if (transport === "ws") ws = await listenWebSocket(b.broker, { host: "127.0.0.1", port: 0 });
    });

    after(async () => {
      for (const nc of open) await nc.close();
      await ws?.close();
      await b.stop();
    });

    it(
      "create → send (confirmed) → owner replay in mq9 order → live → query → delete",
      T,
      async () => {
        const { mq9 } = await connect();
        const box = await mq9.create({ ttl: 60 });
        assert.match(box.mailId, /^m-[a-z0-9]+$/);
        assert.equal(box.type, "standard");
        assert.equal(box.ttl, 60);
        assert.equal(box.inbox, `$mq9.AI.INBOX.${box.mailId}`);
        assert.ok(box.expiresAt !== null && Math.abs(box.expiresAt - (Date.now() + 60_000)) < 5000);

        // Offline: nobody subscribed. Arrival order notify, normal, urgent, normal.
        await mq9.send(box.mailId, "n1", { priority: "notify" });
        await mq9.send(box.mailId, { step: 1 });
        await mq9.send(box.mailId, new Uint8Array([0xff, 0x00]), { priority: "urgent" });
        await mq9.send(box.mailId, "second normal", { headers: { Trace: "t-9" } });
        // flush() answered: all four stored (mq9.md §4.5), visible to a peek QUERY.
        const peek = await mq9.query(box.mailId, box.token, { peek: true });
        assert.equal(peek.unread, 4);
        assert.deepEqual(
          peek.messages.map((m) => m.priority),
          ["urgent", "normal", "normal", "notify"],
        );
        assert.deepEqual(peek.messages[0]!.data, new Uint8Array([0xff, 0x00]));
        assert.deepEqual(peek.messages[1]!.json(), { step: 1 });
        assert.deepEqual(peek.messages[2]!.headers, { Trace: ["t-9"] });
        assert.ok(peek.messages.every((m) => m.unread && m.mailId === box.mailId));

        const sub = mq9.subscribe(box.mailId);
        const replayed = await take(sub, 4);
        assert.deepEqual(
          replayed.map((m) => m.priority),
          ["urgent", "normal", "normal", "notify"],
        );
        assert.deepEqual(
          replayed.map((m) => m.msgId),
          peek.messages.map((m) => m.msgId),
        );
        assert.deepEqual(replayed[2]!.headers.Trace, ["t-9"]);
        assert.deepEqual(replayed[2]!.headers["Mq9-Priority"], ["normal"]);
        assert.ok(replayed.every((m) => m.time > 0 && m.time <= Date.now()));

        await mq9.send(box.mailId, "live", { priority: "urgent" });
        const [live] = await take(sub, 1);
        assert.equal(live!.string(), "live");
        assert.ok(live!.msgId > replayed[3]!.msgId);
        sub.unsubscribe();

        // Everything was handed to the owner: nothing unread; `after` pages in mq9 order.
        const all = await mq9.query(box.mailId, box.token);
        assert.equal(all.unread, 0);
        assert.equal(all.messages.length, 5);
        const page = await mq9.query(box.mailId, box.token, {
          after: all.messages[1]!.msgId,
          limit: 2,
        });
        assert.deepEqual(
          page.messages.map((m) => m.msgId),
          all.messages.slice(2, 4).map((m) => m.msgId),
        );

        assert.deepEqual(await mq9.delete(box.mailId, box.token), {
          mailId: box.mailId,
          deleted: true,
        });
        await assert.rejects(mq9.query(box.mailId, box.token), (e: unknown) => {
          assert.ok(e instanceof Mq9RequestError);
          assert.equal(e.code, "not_found");
          return true;
        });
      },
    );

    it("reports the broker's error codes as Mq9RequestError", T, async () => {
      const { mq9 } = await connect();
      const box = await mq9.create({ name: `named-${transport}-${Date.now()}` });
      const code = async (p: Promise<unknown>) => {
        try {
          await p;
        } catch (e) {
          if (e instanceof Mq9RequestError) return e.code;
          throw e;
        }
        return "ok";
      };
      assert.equal(await code(mq9.create({ name: box.mailId })), "name_taken");
      assert.equal(await code(mq9.create({ ttl: 10 ** 9 })), "ttl_out_of_range");
      assert.equal(await code(mq9.create({ name: "x", prefix: "y" })), "bad_request");
      assert.equal(await code(mq9.create({ prefix: "UPPER" })), "invalid_name");
      assert.equal(await code(mq9.query(box.mailId, "tok-wrong")), "unauthorized");
      assert.equal(await code(mq9.delete(box.mailId, "tok-wrong")), "unauthorized");
      assert.equal(await code(mq9.send("m-nobody", "x", { check: true })), "not_found");
      // The same send unchecked cannot hear the error: it only confirms the broker saw it.
      assert.equal(await code(mq9.send("m-nobody", "x")), "ok");
      assert.equal(await code(mq9.send(box.mailId, "fine", { check: true })), "ok");
      assert.equal((await mq9.query(box.mailId, box.token)).messages.length, 1);
      await mq9.delete(box.mailId, box.token);
    });

    it(
      "latest mailboxes: a prefix watch sees every current state, then updates, and consumes nothing",
      T,
      async () => {
        const { mq9 } = await connect();
        const prefix = `m-status-${transport}-`;
        const w1 = await mq9.create({ type: "latest", prefix, ttl: 60 });
        const w2 = await mq9.create({ type: "latest", prefix, ttl: 60 });
        await mq9.send(w1.mailId, { state: "starting" });
        await mq9.send(w1.mailId, { state: "working" });
        await mq9.send(w2.mailId, { state: "idle" });

        const { mq9: orchestrator } = await connect();
        const watch = orchestrator.watch(`${prefix}*`, { priority: "normal" });
        const current = await take(watch, 2);
        assert.deepEqual(
          current.map((m) => [m.mailId, m.json<{ state: string }>().state]).sort(),
          [
            [w1.mailId, "working"],
            [w2.mailId, "idle"],
          ].sort(),
        );
        await mq9.send(w2.mailId, { state: "busy" });
        const [update] = await take(watch, 1);
        assert.equal(update!.mailId, w2.mailId);
        assert.deepEqual(update!.json(), { state: "busy" });
        watch.unsubscribe();

        // The monitor stole nothing: the owner still gets its one current message.
        const q = await mq9.query(w2.mailId, w2.token, { peek: true });
        assert.equal(q.unread, 1);
        assert.deepEqual(texts(q.messages), ['{"state":"busy"}']);
      },
    );

    it(
      "broadcasts: a queue group gets each task once; wildcards and # reach everyone online",
      T,
      async () => {
        const { nc: pubNc, mq9 } = await connect();
        const workers = await Promise.all([connect(), connect(), connect()]);
        const got: string[][] = workers.map(() => []);
        const subs = workers.map((w, i) =>
          w.mq9.onBroadcast("task.available", (m) => void got[i]!.push(m.string()), {
            queue: "workers",
          }),
        );
        const monitors = await Promise.all([connect(), connect()]);
        const anomalyIters = [
          monitors[0]!.mq9.onBroadcast("*.anomaly"),
          monitors[1]!.mq9.onBroadcast("#"),
        ];
        // SUBs are processed before the PUBs that follow on other connections once flushed.
        await Promise.all([...workers, ...monitors].map((w) => w.nc.flush()));

        for (let i = 0; i < 30; i++) mq9.broadcast("task", "available", { task: i });
        mq9.broadcast("sensor", "anomaly", { level: "high" });
        await pubNc.flush();
        await Promise.all(workers.map((w) => w.nc.flush()));
        const all = got.flat().map((t) => (JSON.parse(t) as { task: number }).task);
        assert.equal(all.length, 30);
        assert.deepEqual(
          [...new Set(all)].sort((a, z) => a - z),
          Array.from({ length: 30 }, (_, i) => i),
        );
        assert.ok(got.filter((g) => g.length > 0).length >= 2, "spread over the group");

        const [anomaly] = await take(anomalyIters[0]!, 1);
        assert.equal(anomaly!.domain, "sensor");
        assert.equal(anomaly!.event, "anomaly");
        // `#` saw the tasks first, then the anomaly (live order).
        const everything: Mq9Broadcast[] = await take(anomalyIters[1]!, 31);
        assert.equal(everything[30]!.subject, "$mq9.AI.BROADCAST.sensor.anomaly");
        for (const s of [...subs, ...anomalyIters]) s.unsubscribe();
      },
    );

    it(
      "request/respond: the answer comes back to the asker's mailbox with its correlation id",
      T,
      async () => {
        const { mq9: a } = await connect();
        const { mq9: bClient } = await connect();
        const boxA = await a.create({ ttl: 60 });
        const boxB = await bClient.create({ ttl: 60 });

        const bSub = bClient.subscribe(boxB.mailId);
        const answering = (async () => {
          const [q] = await take(bSub, 1);
          const body = q!.json<{ from: string; correlation_id: string; question: string }>();
          assert.equal(body.from, boxA.mailId);
          await bClient.respond(q!, { answer: body.question.length }, { from: boxB.mailId });
        })();
        const reply = await a.request(
          boxB.mailId,
          { question: "how long is this" },
          { replyToMailbox: boxA.mailId, correlationId: "c-42", timeout: 5000 },
        );
        await answering;
        bSub.unsubscribe();
        assert.equal(reply.mailId, boxA.mailId);
        assert.deepEqual(reply.json(), {
          type: "result",
          answer: 16,
          from: boxB.mailId,
          correlation_id: "c-42",
        });

        await assert.rejects(
          a.request("m-nobody", "?", { replyToMailbox: boxA.mailId, timeout: 5000 }),
          (e: unknown) => e instanceof Mq9RequestError && e.code === "not_found",
        );
        await assert.rejects(
          a.request(boxB.mailId, "?", { replyToMailbox: boxA.mailId, timeout: 200 }),
          (e: unknown) => e instanceof Mq9TimeoutError,
        );
      },
    );

    it("A asks an offline B; B answers later; A collects from its mailbox", T, async () => {
      const { mq9: a } = await connect();
      const boxA = await a.create({ ttl: 60 });
      const boxB = await a.create({ ttl: 60 });
      const ask = approvalRequest({ from: boxA.mailId, title: "Ship it?", args: { v: 3 } });
      await a.send(boxB.mailId, ask, { priority: "urgent" });

      // B (a human in the console, say) connects later and answers the stored request.
      const { mq9: human } = await connect();
      const sub = human.subscribe(boxB.mailId);
      const [pending] = await take(sub, 1);
      sub.unsubscribe();
      assert.equal(pending!.priority, "urgent");
      const req = pending!.json();
      assert.ok(isApprovalRequest(req));
      await human.respond(
        pending!,
        approvalResponse({
          from: boxB.mailId,
          request: req,
          decision: "approve",
          responder: "alice",
        }),
      );

      // A was offline for all of it; it collects the answer.
      const inbox = a.subscribe(boxA.mailId);
      const [answer] = await take(inbox, 1);
      inbox.unsubscribe();
      const res = answer!.json();
      assert.ok(isApprovalResponse(res));
      assert.equal(res.correlation_id, ask.correlation_id);
      assert.equal(res.approved, true);
    });

    it("capability announcements and system.expired reach broadcast listeners", T, async () => {
      const { mq9 } = await connect();
      const { nc: indexNc, mq9: index } = await connect();
      const caps = index.onBroadcast("system.capability");
      const expired = index.onBroadcast("system.expired");
      await indexNc.flush();
      const box = await mq9.create({ ttl: 60 });
      mq9.announce({ from: box.mailId, name: "summariser", capabilities: ["summarise"] });
      const [cap] = await take(caps, 1);
      const body = cap!.json();
      assert.ok(isCapabilityAnnouncement(body));
      assert.equal(body.from, box.mailId);
      await mq9.delete(box.mailId, box.token);
      const [gone] = await take(expired, 1);
      const event = gone!.json();
      assert.ok(isExpiredEvent(event));
      assert.equal(event.mail_id, box.mailId);
      assert.equal(event.reason, "deleted");
      caps.unsubscribe();
      expired.unsubscribe();
    });

    it("leaving a for-await loop early unsubscribes", T, async () => {
      const { mq9 } = await connect();
      const box = await mq9.create({ ttl: 60 });
      for (const t of ["a", "b"]) await mq9.send(box.mailId, t);
      const seen: Mq9Message[] = [];
      for await (const m of mq9.subscribe(box.mailId, { priority: "normal" })) {
        seen.push(m);
        break;
      }
      assert.deepEqual(texts(seen), ["a"]);
      // With the owner gone, a new message is not handed to anyone: it stays unread.
      await mq9.send(box.mailId, "c");
      const q = await mq9.query(box.mailId, box.token, { peek: true });
      assert.deepEqual(texts(q.messages), ["a", "b", "c"]);
      assert.equal(q.messages[0]!.unread, false);
      assert.equal(q.messages[2]!.unread, true);
    });

    it("workers in a queue group share a mailbox: every task reaches one", T, async () => {
      const { mq9 } = await connect();
      const box = await mq9.create({ ttl: 60 });
      for (let i = 0; i < 10; i++) await mq9.send(box.mailId, `stored ${i}`);
      const shares: string[][] = [];
      const subs = [];
      const conns = [];
      for (let w = 0; w < 2; w++) {
        const { nc, mq9: worker } = await connect();
        conns.push(nc);
        const sub = worker.subscribe(box.mailId, { queue: "workers" });
        const mine: string[] = [];
        shares.push(mine);
        subs.push(sub);
        void (async () => {
          for await (const m of sub) mine.push(m.string());
        })();
      }
      for (let i = 0; i < 10; i++) await mq9.send(box.mailId, `live ${i}`);
      await waitUntil(() => shares.flat().length >= 20, 3000, "20 tasks");
      // The workers' answers to the receipt PINGs are what makes their tasks read.
      for (const c of conns) await c.flush();
      await new Promise((r) => setTimeout(r, 100));
      const q = await mq9.query(box.mailId, box.token, { peek: true });
      assert.equal(q.messages.filter((m) => m.unread).length, 0);
      const all = shares.flat().sort();
      assert.equal(all.length, 20, "each task once");
      assert.equal(new Set(all).size, 20);
      for (const s of subs) s.unsubscribe();
    });

    it("a sender's forged Mq9-* headers do not fool the client", T, async () => {
      const { mq9 } = await connect();
      const box = await mq9.create({ ttl: 60 });
      await mq9.send(box.mailId, "x", {
        priority: "notify",
        headers: { "Mq9-Msg-Id": "999999", "Mq9-Priority": "urgent", "Mq9-Time": "1" },
      });
      const sub = mq9.subscribe(box.mailId);
      const [m] = await take(sub, 1);
      sub.unsubscribe();
      assert.equal(m!.priority, "notify");
      assert.notEqual(m!.msgId, 999999);
      assert.ok(m!.time > 1);
    });
  });
}
