/**
 * The demo agent (server/cli/demo-agent.ts) as a separate process over TCP against the
 * in-process mq9 broker, with a `nats` client in the human's place: it announces its
 * skills (mq9.md §12.2), asks with urgent approval requests whose reply_to is its own
 * mailbox (§12.1), and acts on each kind of answer.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "nats";
import {
  Mq9Client,
  approvalResponse,
  inboxSubject,
  isApprovalRequest,
  isCapabilityAnnouncement,
  type ApprovalRequest,
  type ApprovalResponseInit,
  type CapabilityAnnouncement,
  type Mailbox,
  type Mq9Message,
  type Mq9Subscription,
} from "../../lib/mq9/mod";
import { startDemoAgent, type DemoAgent } from "../../e2e/support/demo-agent";
import { startMq9, type TestMq9 } from "../support/mq9";
import { withTimeout } from "../support/spawned";

const T = { timeout: 30_000 };

/** The next message of an owner subscription, or a failure after `ms`. */
async function nextMessage(sub: Mq9Subscription<Mq9Message>, ms = 10_000): Promise<Mq9Message> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
  });
  try {
    const r = await Promise.race([sub.next(), timeout]);
    assert.ok(!r.done, "the subscription ended");
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

describe("demo agent", () => {
  let b: TestMq9;
  let server: string;
  let nc: NatsConnection;
  let mq9: Mq9Client;
  const agents: DemoAgent[] = [];

  const start = (args: string[]) => {
    const agent = startDemoAgent(["--server", server, ...args]);
    agents.push(agent);
    return agent;
  };

  /** The human's side: a mailbox, its owner subscription, and answering. */
  async function human(): Promise<{
    box: Mailbox;
    inbox: Mq9Subscription<Mq9Message>;
    answer(req: ApprovalRequest, a: Omit<ApprovalResponseInit, "from" | "request">): Promise<void>;
  }> {
    const box = await mq9.create({ ttl: 120 });
    const inbox = mq9.subscribe(box.mailId);
    return {
      box,
      inbox,
      answer: (req, a) =>
        mq9.respond(
          req,
          approvalResponse({ from: box.mailId, request: req, responder: "alice", ...a }),
        ),
    };
  }

  async function approvalRequests(
    inbox: Mq9Subscription<Mq9Message>,
    n: number,
  ): Promise<{ msg: Mq9Message; req: ApprovalRequest }[]> {
    const got = [];
    for (let i = 0; i < n; i++) {
      const msg = await nextMessage(inbox);
      const req = msg.json();
      assert.ok(isApprovalRequest(req), `message ${msg.msgId} is an approval request`);
      got.push({ msg, req });
    }
    return got;
  }

  before(async () => {
    b = await startMq9();
    server = `nats://127.0.0.1:${b.port}`;
    nc = await connect({ servers: server, reconnect: false, timeout: 3000 });
    mq9 = new Mq9Client(nc);
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await nc.close();
    await b.stop();
  });

  it("announces itself, asks, and acts on a reject and an approve", T, async () => {
    const h = await human();
    const announcements: CapabilityAnnouncement[] = [];
    let own = "";
    let reannounced: () => void = () => {};
    const twice = new Promise<void>((resolve) => (reannounced = resolve));
    const caps = mq9.onBroadcast("system.capability", (m) => {
      const a = m.json();
      if (!isCapabilityAnnouncement(a)) return;
      announcements.push(a);
      if (announcements.filter((x) => x.from === own).length >= 2) reannounced();
    });
    await nc.flush();

    const agent = start([
      "--to",
      h.box.mailId,
      "--requests",
      "2",
      "--ttl",
      "60",
      "--capability-ttl",
      "2",
      "--name",
      "test-deployer",
    ]);
    own = (await agent.next("mailbox")).mail_id;
    const asked = await agent.several("asked", 2);
    assert.notEqual(asked[0]!.correlation_id, asked[1]!.correlation_id);

    const reqs = await approvalRequests(h.inbox, 2);
    for (const [i, { msg, req }] of reqs.entries()) {
      assert.equal(msg.priority, "urgent");
      assert.equal(req.correlation_id, asked[i]!.correlation_id);
      assert.equal(req.from, own);
      assert.equal(req.reply_to, inboxSubject(own, "normal"));
      assert.ok(req.title && req.title.length > 0);
      assert.ok(req.description && req.description.length > 0);
      assert.equal(typeof req.args, "object");
      assert.ok(req.allowed?.includes("approve") && req.allowed.includes("reject"));
      assert.ok(req.expires_at !== undefined && req.expires_at > Date.now());
    }

    // The announcement reached a plain subscriber, and again at half its ttl (1 s).
    await agent.next("announced");
    await withTimeout(twice, 5000, "a second announcement");
    caps.unsubscribe();
    const a = announcements.find((x) => x.from === own)!;
    assert.equal(a.name, "test-deployer");
    assert.equal(a.ttl, 2);
    assert.equal(a.reply_to, inboxSubject(own, "normal"));
    assert.deepEqual(
      a.skills?.map((s) => s.id),
      ["deploy", "refund", "cleanup"],
    );

    const [first, second] = [reqs[0]!.req, reqs[1]!.req];
    await h.answer(first, { decision: "reject", reason: "not during the sale" });
    await h.answer(second, { decision: "approve" });

    const rejected = await agent.next("answered", (e) => e.correlation_id === first.correlation_id);
    assert.equal(rejected.decision, "reject");
    assert.equal(rejected.approved, false);
    assert.equal(rejected.reason, "not during the sale");
    assert.equal(rejected.responder, "alice");
    const approved = await agent.next(
      "answered",
      (e) => e.correlation_id === second.correlation_id,
    );
    assert.equal(approved.decision, "approve");

    // Approve: visible work, then a result to the human; reject: nothing more.
    const result = await nextMessage(h.inbox);
    const body = result.json<Record<string, unknown>>();
    assert.equal(body.type, "result");
    assert.equal(body.correlation_id, second.correlation_id);
    assert.equal(body.from, own);
    // A result asks nothing: no NATS reply subject (the console would offer an answer).
    assert.equal(result.reply, null);
    assert.ok(
      agent.events.some((e) => e.event === "working" && e.correlation_id === second.correlation_id),
    );
    assert.ok(
      !agent.events.some((e) => e.event === "working" && e.correlation_id === first.correlation_id),
    );

    const done = await agent.next("done");
    assert.deepEqual([done.answered, done.unanswered], [2, 0]);
    assert.equal((await agent.exited).code, 0);
    h.inbox.unsubscribe();
  });

  it("uses edited args and a free-text answer", T, async () => {
    const h = await human();
    const agent = start(["--to", h.box.mailId, "--requests", "3", "--ttl", "60"]);
    const reqs = await approvalRequests(h.inbox, 3);
    // The first request (a deploy) allows edit, the third (a cleanup) allows answer.
    const [deploy, , cleanup] = reqs.map((r) => r.req);
    assert.ok(deploy!.allowed?.includes("edit"));
    assert.ok(cleanup!.allowed?.includes("answer"));

    const edited = { ...deploy!.args, replicas: 7, environment: "staging" };
    await h.answer(deploy!, { decision: "edit", args: edited });
    await h.answer(cleanup!, { decision: "answer", text: "only branches older than a year" });
    await h.answer(reqs[1]!.req, { decision: "reject", reason: "duplicate" });

    const results: Record<string, unknown>[] = [];
    for (let i = 0; i < 2; i++) results.push((await nextMessage(h.inbox)).json());
    const byId = new Map(results.map((r) => [r.correlation_id, r]));

    const editedResult = byId.get(deploy!.correlation_id) as { payload: { args: unknown } };
    assert.deepEqual(editedResult.payload.args, edited);
    const steps = agent.events.filter(
      (e) => e.event === "working" && e.correlation_id === deploy!.correlation_id,
    );
    assert.ok(steps.some((e) => e.event === "working" && e.step.includes("7 replicas to staging")));

    const answered = byId.get(cleanup!.correlation_id) as { payload: { note: unknown } };
    assert.equal(answered.payload.note, "only branches older than a year");

    const done = await agent.next("done");
    assert.deepEqual([done.answered, done.unanswered], [3, 0]);
    assert.equal((await agent.exited).code, 0);
    h.inbox.unsubscribe();
  });

  it("reports a request nobody answered and exits 1", T, async () => {
    const h = await human();
    const agent = start(["--to", h.box.mailId, "--expires-in", "1"]);
    const asked = await agent.next("asked");
    const lost = await agent.next("unanswered");
    assert.equal(lost.correlation_id, asked.correlation_id);
    assert.equal((await agent.exited).code, 1);
    h.inbox.unsubscribe();
  });

  it("fails with the broker's not_found when --to is no mailbox", T, async () => {
    const agent = start(["--to", "m-nobody-here"]);
    const err = await agent.next("error");
    assert.equal(err.code, "not_found");
    assert.equal((await agent.exited).code, 1);
  });

  it("refuses a bad command line with exit status 2", T, async () => {
    const agent = start(["--requests", "0", "--to", "m-x"]);
    assert.equal((await agent.exited).code, 2);
    assert.match(agent.stderr(), /--requests wants a whole number of at least 1/);
  });
});
