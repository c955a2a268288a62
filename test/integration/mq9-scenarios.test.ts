/**
 * The eight seed scenarios of the mq9 design (mq9.md), end to end against the in-process
 * broker with the mq9 layer. Every party is its own connection; "offline" means its
 * connection is closed or not yet opened. Most parties use the `nats` client; scenario 5 is
 * also played by nats.c (c/mq9_scenario.c) and scenarios 4 and 6 have a party on nats.ws.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { NatsConnection } from "nats";
import { connect as connectWs } from "nats.ws";
import { WebSocket } from "ws";
import { listenWebSocket, type Listener } from "../../server/nats/mod";
import { waitUntil } from "../support/clients";
import { startMq9, type TestMq9 } from "../support/mq9";
import {
  collect,
  createMailbox,
  json,
  open,
  queryMailbox,
  requestJson,
  settle,
  text,
  type Collector,
  type Conn,
  type CreateReply,
  type ReceivedMsg,
} from "../support/mq9-helpers";

// nats.ws looks for a W3C WebSocket on globalThis (nats-wire-notes §2.3).
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

const run = promisify(execFile);
const C_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "c/mq9_scenario.c");
const T = { timeout: 15_000 };

/** Why the C client cannot run here, or undefined when gcc and libnats are available. */
async function missingToolchain(): Promise<string | undefined> {
  try {
    await run("gcc", ["--version"]);
    await run("pkg-config", ["--exists", "libnats"]);
    return undefined;
  } catch {
    return "gcc or libnats (pkg-config libnats) not installed";
  }
}
const cSkip = await missingToolchain();

let t: TestMq9;
let wsListener: Listener;
/** Every connection a test opened, closed after it (if the test did not already). */
const opened: { close(): Promise<void>; isClosed(): boolean }[] = [];

async function tcp(name: string): Promise<NatsConnection> {
  const nc = await open(t.port, name);
  opened.push(nc);
  return nc;
}

async function ws(name: string) {
  const nc = await connectWs({
    servers: `ws://127.0.0.1:${wsListener.address.port}`,
    reconnect: false,
    timeout: 3000,
    name,
  });
  opened.push(nc);
  return nc;
}

function body(m: ReceivedMsg): Record<string, unknown> {
  return JSON.parse(text(m.data)) as Record<string, unknown>;
}

before(async () => {
  t = await startMq9();
  wsListener = await listenWebSocket(t.broker, { host: "127.0.0.1", port: 0 });
});
afterEach(async () => {
  for (const nc of opened.splice(0)) if (!nc.isClosed()) await nc.close();
});
after(async () => {
  await wsListener.close();
  await t.stop();
});

it("(1) a sub-agent's result reaches a parent that was offline when it was sent", T, async () => {
  const parent = await tcp("parent");
  const box = await createMailbox(parent, { ttl: 60 });
  await parent.close();

  const child = await tcp("child");
  const result = {
    from: "m-child",
    type: "result",
    correlation_id: "task-42",
    payload: { summary: "3 files changed" },
  };
  child.publish(`${box.inbox}.normal`, json(result));
  await child.flush();
  await child.close();

  const back = await tcp("parent again");
  const inbox = collect(back, `${box.inbox}.*`);
  await inbox.waitFor(1);
  await settle([back]);
  assert.equal(inbox.msgs.length, 1, "the result, exactly once");
  assert.deepEqual(body(inbox.msgs[0]!), result);
  assert.equal(inbox.msgs[0]!.subject, `${box.inbox}.normal`);
  assert.equal(inbox.msgs[0]!.headers?.get("Mq9-Priority"), "normal");

  // It was handed over: a second subscription (another connection) replays nothing.
  inbox.unsubscribe();
  const again = await tcp("parent, third time");
  const second = collect(again, `${box.inbox}.*`);
  await settle([again]);
  assert.equal(second.msgs.length, 0);
  const q = await queryMailbox(again, box, { peek: true });
  assert.equal(q.unread, 0);
  assert.equal(q.messages.length, 1, "still stored until the mailbox expires");
  assert.equal(q.messages[0]!.unread, false);
});

it(
  "(2) an orchestrator sees every worker's current state, live updates and expiry",
  T,
  async () => {
    const workers: { nc: NatsConnection; box: CreateReply }[] = [];
    for (let w = 0; w < 3; w++) {
      const nc = await tcp(`worker ${w}`);
      const box = await createMailbox(nc, { type: "latest", prefix: "m-status-", ttl: 60 });
      assert.ok(box.mail_id.startsWith("m-status-"), box.mail_id);
      for (let k = 1; k <= 4; k++) {
        nc.publish(
          `${box.inbox}.normal`,
          json({ from: box.mail_id, type: "status", payload: { state: `w${w}-step${k}` } }),
        );
      }
      await nc.flush();
      workers.push({ nc, box });
    }
    // A standard mailbox with the same prefix: nothing of it is replayed to the pattern (§6.3).
    const stdNc = await tcp("standard box");
    const std = await createMailbox(stdNc, { prefix: "m-status-", ttl: 60 });
    stdNc.publish(`${std.inbox}.normal`, json({ type: "status", payload: { state: "std" } }));
    await stdNc.flush();

    const orch = await tcp("orchestrator");
    const expired = collect(orch, "$mq9.AI.BROADCAST.system.expired");
    const states = collect(orch, "$mq9.AI.INBOX.m-status-*.normal");
    await states.waitFor(3);
    await settle([orch]);
    const current = new Map(states.msgs.map((m) => [m.subject, body(m)]));
    assert.equal(states.msgs.length, 3, `exactly one state per worker: ${states.texts().join()}`);
    for (const [w, { box }] of workers.entries()) {
      const state = current.get(`${box.inbox}.normal`);
      assert.deepEqual(state?.payload, { state: `w${w}-step4` }, `worker ${w}`);
    }

    // Live updates follow, from latest and standard mailboxes alike.
    const w1 = workers[1]!;
    w1.nc.publish(
      `${w1.box.inbox}.normal`,
      json({ type: "status", payload: { state: "w1-step5" } }),
    );
    await w1.nc.flush();
    await states.waitFor(4);
    assert.deepEqual(body(states.msgs[3]!).payload, { state: "w1-step5" });
    assert.equal(states.msgs[3]!.subject, `${w1.box.inbox}.normal`);
    stdNc.publish(`${std.inbox}.normal`, json({ type: "status", payload: { state: "std-2" } }));
    await stdNc.flush();
    await states.waitFor(5);
    assert.deepEqual(body(states.msgs[4]!).payload, { state: "std-2" });

    // A worker whose mailbox lives one second: its state arrives live, then its expiry.
    const shortNc = await tcp("short-lived worker");
    const created = Date.now();
    const short = await createMailbox(shortNc, { type: "latest", prefix: "m-status-", ttl: 1 });
    shortNc.publish(`${short.inbox}.normal`, json({ type: "status", payload: { state: "brief" } }));
    await shortNc.flush();
    await states.waitFor(6);
    assert.equal(states.msgs[5]!.subject, `${short.inbox}.normal`);
    await waitUntil(
      () => expired.msgs.some((m) => body(m).mail_id === short.mail_id),
      2500,
      "system.expired for the short-lived mailbox",
    );
    const event = expired.msgs.map(body).find((e) => e.mail_id === short.mail_id)!;
    assert.ok(Date.now() - created < 2600, "expiry is prompt");
    assert.equal(event.type, "latest");
    assert.equal(event.expired_at, short.expires_at);
    await settle([orch]);
    assert.equal(states.msgs.length, 6, "no other state messages arrived");
  },
);

describe("(3) a task broadcast to a queue group reaches exactly one of N workers", () => {
  async function distribute(subject: string, queue: string, tasks: number) {
    const workers: { nc: NatsConnection; got: Collector }[] = [];
    for (let w = 0; w < 4; w++) {
      const nc = await tcp(`worker ${w}`);
      workers.push({ nc, got: collect(nc, subject, queue) });
      await nc.flush();
    }
    const boss = await tcp("dispatcher");
    for (let i = 0; i < tasks; i++) {
      boss.publish("$mq9.AI.BROADCAST.task.available", json({ type: "task", id: i }));
    }
    await boss.flush();
    const total = () => workers.reduce((n, w) => n + w.got.msgs.length, 0);
    await waitUntil(() => total() >= tasks, 5000, `${tasks} tasks delivered (have ${total()})`);
    await settle(workers.map((w) => w.nc));
    const count = new Map<number, number>();
    for (const w of workers) {
      for (const m of w.got.msgs) {
        const id = body(m).id as number;
        count.set(id, (count.get(id) ?? 0) + 1);
      }
    }
    assert.equal(total(), tasks, "no task delivered twice");
    assert.equal(count.size, tasks, "every task delivered");
    assert.ok([...count.values()].every((c) => c === 1));
    const used = workers.filter((w) => w.got.msgs.length > 0).length;
    assert.ok(used > 1, `more than one worker took tasks (used ${used})`);
  }

  it("1 000 tasks on task.available, queue group of 4", T, async () => {
    await distribute("$mq9.AI.BROADCAST.task.available", "workers", 1000);
  });

  it("the same with the mq9 `#` wildcard (§6.4: queue groups as usual, §8)", T, async () => {
    await distribute("$mq9.AI.BROADCAST.task.#", "hash-workers", 200);
  });
});

it(
  "(4) an anomaly broadcast reaches every online wildcard subscriber and nobody else",
  T,
  async () => {
    // Was subscribed, went offline before the broadcast.
    const gone = await tcp("went offline");
    collect(gone, "$mq9.AI.BROADCAST.anomaly.*");
    await gone.flush();
    await gone.close();

    const subjects = [
      "$mq9.AI.BROADCAST.anomaly.*",
      "$mq9.AI.BROADCAST.>",
      "$mq9.AI.BROADCAST.#",
    ] as const;
    const online: { s: string; nc: Conn; got: Collector }[] = [];
    for (const s of subjects) {
      const nc = await tcp(`watcher ${s}`);
      online.push({ s, nc, got: collect(nc, s) });
    }
    const browser = await ws("watcher over WebSocket");
    online.push({ s: "ws anomaly.*", nc: browser, got: collect(browser, subjects[0]) });
    const elsewhere = await tcp("other domain");
    const other = collect(elsewhere, "$mq9.AI.BROADCAST.task.*");
    for (const o of online) await o.nc.flush();
    await elsewhere.flush();

    const reporter = await tcp("reporter");
    const anomaly = { from: "m-sensor", type: "anomaly", payload: { metric: "latency", p99: 912 } };
    reporter.publish("$mq9.AI.BROADCAST.anomaly.detected", json(anomaly));
    await reporter.flush();
    for (const o of online) await o.got.waitFor(1);
    await settle([...online.map((o) => o.nc), elsewhere]);
    for (const o of online) {
      assert.equal(o.got.msgs.length, 1, `${o.s}: exactly once`);
      assert.deepEqual(body(o.got.msgs[0]!), anomaly);
      assert.equal(o.got.msgs[0]!.subject, "$mq9.AI.BROADCAST.anomaly.detected");
    }
    assert.equal(other.msgs.length, 0);

    // Broadcasts are never stored: coming back online (or arriving late) brings nothing.
    const back = await tcp("back online");
    const late1 = collect(back, "$mq9.AI.BROADCAST.anomaly.*");
    const late2 = collect(back, "$mq9.AI.BROADCAST.>");
    const late3 = collect(back, "$mq9.AI.BROADCAST.#");
    await settle([back]);
    assert.equal(late1.msgs.length + late2.msgs.length + late3.msgs.length, 0);
  },
);

/** Sends interleaved priorities; returns the payloads in the order mq9 must replay them. */
function sendInterleaved(nc: NatsConnection, box: CreateReply): string[] {
  const plan = ["notify", "normal", "urgent", "notify", "urgent", "normal", "urgent", "notify"];
  const sent = plan.map((p, i) => {
    const payload = `${p}-${i}`;
    nc.publish(`${box.inbox}.${p}`, new TextEncoder().encode(payload));
    return payload;
  });
  const rank = (s: string) => ["urgent", "normal", "notify"].indexOf(s.split("-")[0]!);
  return sent
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map((x) => x.s);
}

describe("(5) an offline edge device gets urgent before normal before notify", () => {
  it("nats client: replay order equals QUERY (peek) order; unread 0 after", T, async () => {
    const device = await tcp("device");
    const box = await createMailbox(device, { ttl: 60 });
    await device.close();
    const cloud = await tcp("cloud");
    const expected = sendInterleaved(cloud, box);
    await cloud.flush();

    const back = await tcp("device back");
    const peek = await queryMailbox(back, box, { peek: true });
    assert.equal(peek.unread, expected.length);
    assert.deepEqual(
      peek.messages.map((m) => m.payload),
      expected,
    );
    const inbox = collect(back, `${box.inbox}.*`);
    await inbox.waitFor(expected.length);
    await settle([back]);
    assert.deepEqual(inbox.texts(), expected);
    assert.deepEqual(
      inbox.msgs.map((m) => [Number(m.headers?.get("Mq9-Msg-Id")), m.headers?.get("Mq9-Priority")]),
      peek.messages.map((m) => [m.msg_id, m.priority]),
    );
    const after = await queryMailbox(back, box, { peek: true });
    assert.equal(after.unread, 0);
    assert.ok(after.messages.every((m) => !m.unread));
    assert.deepEqual(
      after.messages.map((m) => m.payload),
      expected,
    );
  });

  it("nats.c device: the same, through the C client", { ...T, skip: cSkip }, async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-scenario-c-"));
    try {
      const { stdout: flags } = await run("pkg-config", ["--cflags", "--libs", "libnats"]);
      const prog = path.join(tmp, "mq9_scenario");
      await run("gcc", ["-O2", "-o", prog, C_SOURCE, ...flags.trim().split(/\s+/)]);

      const setup = await tcp("device setup");
      const box = await createMailbox(setup, { ttl: 60 });
      await setup.close();
      const cloud = await tcp("cloud");
      const expected = sendInterleaved(cloud, box);
      await cloud.flush();

      // Async: the broker runs in this process and must keep serving while the device runs.
      const args = [`nats://127.0.0.1:${t.port}`, box.mail_id, box.token, String(expected.length)];
      const { stdout } = await run(prog, args, { timeout: 10_000 });
      const lines = stdout.split("\n").filter(Boolean);
      const line = (label: string) => {
        const l = lines.find((x) => x.startsWith(`${label} `));
        assert.ok(l, `no ${label} line in:\n${stdout}`);
        return l.slice(label.length + 1);
      };
      const q1 = JSON.parse(line("query1")) as Awaited<ReturnType<typeof queryMailbox>>;
      const q2 = JSON.parse(line("query2")) as Awaited<ReturnType<typeof queryMailbox>>;
      const got = lines.filter((l) => l.startsWith("msg ")).map((l) => l.split(" "));
      assert.equal(lines.at(-1), "done");
      assert.deepEqual(
        lines.filter((l) => l.startsWith("extra ")),
        [],
      );
      assert.deepEqual(
        q1.messages.map((m) => m.payload),
        expected,
      );
      assert.equal(q1.unread, expected.length);
      assert.deepEqual(
        got.map((g) => g[3]),
        expected,
      );
      assert.deepEqual(
        got.map((g) => [Number(g[1]), g[2]]),
        q1.messages.map((m) => [m.msg_id, m.priority]),
      );
      assert.equal(q2.unread, 0);
      assert.deepEqual(
        q2.messages.map((m) => m.unread),
        expected.map(() => false),
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

it("(6) an agent on WebSocket asks a human for approval and gets the answer", T, async () => {
  const human = await tcp("human (console)");
  const humanBox = await createMailbox(human, { prefix: "m-human-", ttl: 60 });
  const desk = collect(human, `${humanBox.inbox}.*`);
  await human.flush();

  const agent = await ws("agent");
  const agentBox = await createMailbox(agent, { ttl: 60 });
  const answers = collect(agent, `${agentBox.inbox}.normal`);
  await agent.flush();
  const request = {
    from: agentBox.mail_id,
    type: "approval_request",
    correlation_id: "approval-001",
    reply_to: `${agentBox.inbox}.normal`,
    title: "Deploy to production?",
    description: "Release **v2.3.1**: 4 commits, migrations included.",
    args: { service: "api", version: "2.3.1" },
    allowed: ["approve", "reject"],
    options: [{ name: "approve", title: "Ship it" }],
    expires_at: Date.now() + 600_000,
  };
  agent.publish(`${humanBox.inbox}.urgent`, json(request));
  await agent.flush();

  await desk.waitFor(1);
  const asked = body(desk.msgs[0]!);
  assert.deepEqual(asked, request);
  assert.equal(desk.msgs[0]!.headers?.get("Mq9-Priority"), "urgent");
  const response = {
    from: humanBox.mail_id,
    type: "approval_response",
    correlation_id: asked.correlation_id,
    decision: "approve",
    approved: true,
    reason: null,
    args: null,
    text: null,
    responder: "alice",
    responded_at: Date.now(),
  };
  human.publish(asked.reply_to as string, json(response));
  await human.flush();

  await answers.waitFor(1);
  await settle([agent, human]);
  assert.equal(answers.msgs.length, 1);
  assert.deepEqual(body(answers.msgs[0]!), response);
  assert.ok(/^\d+$/.test(answers.msgs[0]!.headers?.get("Mq9-Msg-Id") ?? ""), "mq9 headers on ws");
  assert.equal(desk.msgs.length, 1);
});

it(
  "(7) agent A asks offline agent B; B answers later; A, offline too, collects it",
  T,
  async () => {
    const bSetup = await tcp("B setup");
    const bBox = await createMailbox(bSetup, { ttl: 60 });
    await bSetup.close();

    const a = await tcp("A");
    const aBox = await createMailbox(a, { ttl: 60 });
    const question = {
      from: aBox.mail_id,
      type: "question",
      correlation_id: "q-7",
      reply_to: `${aBox.inbox}.normal`,
      payload: "Which region has the cheapest GPUs today?",
    };
    a.publish(`${bBox.inbox}.normal`, json(question));
    await a.flush();
    await a.close();

    const b = await tcp("B online");
    const bInbox = collect(b, `${bBox.inbox}.*`);
    await bInbox.waitFor(1);
    const q = body(bInbox.msgs[0]!);
    assert.deepEqual(q, question);
    const answer = {
      from: bBox.mail_id,
      type: "result",
      correlation_id: q.correlation_id,
      payload: "eu-north",
    };
    b.publish(q.reply_to as string, json(answer));
    await b.flush();
    await settle([b]);
    assert.equal(bInbox.msgs.length, 1);
    await b.close();

    const aBack = await tcp("A back");
    const aInbox = collect(aBack, `${aBox.inbox}.*`);
    await aInbox.waitFor(1);
    await settle([aBack]);
    assert.equal(aInbox.msgs.length, 1);
    assert.deepEqual(body(aInbox.msgs[0]!), answer);
  },
);

it("(8) capability announcements reach an orchestrator that listens", T, async () => {
  const early = await tcp("early agent");
  early.publish("$mq9.AI.BROADCAST.system.capability", json({ from: "m-early", capabilities: [] }));
  await early.flush();

  const orch = await tcp("orchestrator");
  const caps = collect(orch, "$mq9.AI.BROADCAST.system.capability");
  const gone = collect(orch, "$mq9.AI.BROADCAST.system.expired");
  await orch.flush();

  const translator = await tcp("translator");
  const tBox = await createMailbox(translator, { ttl: 60 });
  const tAnn = {
    from: tBox.mail_id,
    name: "translator",
    description: "Translates documents between 40 languages",
    capabilities: ["translate", "detect-language"],
    reply_to: `${tBox.inbox}.normal`,
    ttl: 60,
  };
  const coder = await tcp("coder");
  const cBox = await createMailbox(coder, { ttl: 60 });
  const cAnn = {
    from: cBox.mail_id,
    skills: [
      { id: "review", name: "Code review", description: "Reviews a diff", tags: ["code", "git"] },
    ],
    reply_to: `${cBox.inbox}.normal`,
  };
  translator.publish("$mq9.AI.BROADCAST.system.capability", json(tAnn));
  coder.publish("$mq9.AI.BROADCAST.system.capability", json(cAnn));
  await translator.flush();
  await coder.flush();
  await caps.waitFor(2);
  await settle([orch]);
  const index = new Map(caps.msgs.map(body).map((a) => [a.from as string, a]));
  assert.equal(caps.msgs.length, 2, "the early announcement was not kept");
  assert.deepEqual(index.get(tBox.mail_id), tAnn);
  assert.deepEqual(index.get(cBox.mail_id), cAnn);

  // The index drops an agent when its mailbox goes (§8, §12.2).
  const del = await requestJson(coder, `$mq9.AI.MAILBOX.DELETE.${cBox.mail_id}`, {
    token: cBox.token,
  });
  assert.deepEqual(del, { mail_id: cBox.mail_id, deleted: true });
  await gone.waitFor(1);
  assert.equal(body(gone.msgs[0]!).mail_id, cBox.mail_id);
  index.delete(body(gone.msgs[0]!).mail_id as string);
  assert.deepEqual([...index.keys()], [tBox.mail_id]);
});
