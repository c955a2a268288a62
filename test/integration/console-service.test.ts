/**
 * The console's server side against a real broker with mq9: the agents index fed by
 * capability broadcasts and expiry events, and answers to approval requests published
 * once through mq9 to the agent's reply_to — with agents on real `nats` TCP connections.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "nats";
import { ANSWERED_PREFIX, AnswerError } from "../../server/console/answers";
import { ConsoleService } from "../../server/console/console-service";
import { SILENT_LOGGER } from "../../server/nats/mod";
import { ConsoleStore } from "../../server/store/console-store";
import { Mq9Client, approvalRequest, capabilityAnnouncement } from "../../lib/mq9/mod";
import { startMq9, type TestMq9 } from "../support/mq9";
import { waitUntil } from "../support/clients";
import { collect, open, text } from "../support/mq9-helpers";

describe("console service", () => {
  let s: TestMq9;
  let svc: ConsoleService;
  let agentNc: NatsConnection;
  let agent: Mq9Client;

  before(async () => {
    s = await startMq9();
    svc = new ConsoleService({ broker: s.broker, mq9: s.mq9, store: s.store, log: SILENT_LOGGER });
    svc.start();
    agentNc = await open(s.port, "agent");
    agent = new Mq9Client(agentNc);
  });
  after(async () => {
    svc.stop();
    await agentNc.close();
    await s.stop();
  });

  it("indexes capability announcements, ignores garbage, and marks agents gone on expiry", async () => {
    const box = await agent.create({ ttl: 1 });
    agentNc.publish("$mq9.AI.BROADCAST.system.capability", new TextEncoder().encode("{not json"));
    agent.announce(
      capabilityAnnouncement({
        from: box.mailId,
        name: "summariser",
        skills: [{ id: "sum", name: "Summarise", tags: ["text"] }],
        ttl: 30,
      }),
    );
    await agentNc.flush();
    await waitUntil(() => svc.agents.list().length === 1, 3000, "agent indexed");
    const [first] = svc.agents.list();
    assert.equal(first!.mailId, box.mailId);
    assert.equal(first!.name, "summariser");
    assert.deepEqual(
      first!.skills.map((k) => k.id),
      ["sum"],
    );
    assert.equal(first!.state, "fresh");

    // The mailbox expires after 1 s: the §8 event makes the agent gone.
    await waitUntil(() => svc.agents.list()[0]?.state === "gone", 5000, "agent gone");
    // Kept in the store, so a restarted console knows it too.
    const saved = new ConsoleStore(s.store.db).loadAgents();
    assert.equal(saved.length, 1);
    assert.notEqual(saved[0]!.goneAt, null);
  });

  it("answers an approval request once, to its reply_to, stored before it returns", async () => {
    const human = await agent.create({ ttl: 600 });
    const asker = await agent.create({ ttl: 600 });
    const req = approvalRequest({
      from: asker.mailId,
      title: "Deploy?",
      args: { env: "prod" },
      allowed: ["approve", "reject"],
    });
    await agent.send(human.mailId, req, { priority: "urgent" });
    const { messages } = await agent.query(human.mailId, human.token, { peek: true });
    const msgId = messages[0]!.msgId;
    const notices = collect(agentNc, ANSWERED_PREFIX + human.mailId);
    await agentNc.flush();

    const wrongToken = svc.answers.answer({
      mailId: human.mailId,
      token: "tok-wrong",
      msgId,
      decision: "approve",
      responder: "alice",
    });
    await assert.rejects(wrongToken, (e: unknown) => (e as AnswerError).code === "unauthorized");
    await assert.rejects(
      svc.answers.answer({
        mailId: human.mailId,
        token: human.token,
        msgId,
        decision: "edit",
        responder: "a",
      }),
      (e: unknown) => (e as AnswerError).code === "not_allowed",
    );

    const answered = await svc.answers.answer({
      mailId: human.mailId,
      token: human.token,
      msgId,
      decision: "reject",
      reason: "not on a Friday",
      responder: "alice",
    });
    assert.equal(answered.correlationId, req.correlation_id);
    assert.equal(answered.replyTo, req.reply_to);

    // Stored in the asker's mailbox before answer() returned: a QUERY sees it at once.
    const got = await agent.query(asker.mailId, asker.token, { peek: true });
    assert.equal(got.messages.length, 1);
    const body = JSON.parse(text(got.messages[0]!.data)) as Record<string, unknown>;
    assert.equal(body.type, "approval_response");
    assert.equal(body.correlation_id, req.correlation_id);
    assert.equal(body.decision, "reject");
    assert.equal(body.approved, false);
    assert.equal(body.reason, "not on a Friday");
    assert.equal(body.responder, "alice");
    // Sent without a NATS reply subject: the asker must not take the answer for a request.
    assert.equal(got.messages[0]!.reply, null);

    await assert.rejects(
      svc.answers.answer({
        mailId: human.mailId,
        token: human.token,
        msgId,
        decision: "approve",
        responder: "bob",
      }),
      (e: unknown) => {
        const err = e as AnswerError;
        return err.code === "already_answered" && err.existing?.decision === "reject";
      },
    );
    const again = await agent.query(asker.mailId, asker.token, { peek: true });
    assert.equal(again.messages.length, 1, "the second answer was not sent");
    assert.deepEqual(
      svc.answers.list(human.mailId).map((a) => a.correlationId),
      [req.correlation_id],
    );
    await notices.waitFor(1);
    assert.equal(JSON.parse(notices.texts()[0]!).correlationId, req.correlation_id);
  });

  it("refuses an answer whose reply_to mailbox is gone, and leaves it answerable", async () => {
    const human = await agent.create({ ttl: 600 });
    const req = approvalRequest({ from: "m-nobody", title: "Anyone?", replyTo: "m-gone0000" });
    await agent.send(human.mailId, req);
    const { messages } = await agent.query(human.mailId, human.token, { peek: true });
    const input = {
      mailId: human.mailId,
      token: human.token,
      msgId: messages[0]!.msgId,
      decision: "approve" as const,
      responder: "alice",
    };
    await assert.rejects(
      svc.answers.answer(input),
      (e: unknown) => (e as AnswerError).code === "undeliverable",
    );
    assert.deepEqual(svc.answers.list(human.mailId), []);
  });

  it("answers quick replies by name, and a request outside the convention as text", async () => {
    const human = await agent.create({ ttl: 600 });
    const asker = await agent.create({ ttl: 600 });
    const quick = approvalRequest({
      from: asker.mailId,
      title: "Which region?",
      allowed: ["approve"],
      options: [{ name: "eu", title: "Europe" }],
    });
    await agent.send(human.mailId, quick);
    // Not an approval request by §12.1 (no title), but it has somewhere to send an answer.
    await agent.send(human.mailId, {
      type: "question",
      from: asker.mailId,
      reply_to: asker.mailId,
    });
    const { messages } = await agent.query(human.mailId, human.token, { peek: true });
    const [quickId, rawId] = messages.map((m) => m.msgId);
    const base = { mailId: human.mailId, token: human.token, responder: "alice" };

    await assert.rejects(
      svc.answers.answer({ ...base, msgId: quickId!, decision: "answer", text: "us" }),
      (e: unknown) => (e as AnswerError).code === "not_allowed",
    );
    const q = await svc.answers.answer({
      ...base,
      msgId: quickId!,
      decision: "answer",
      text: "eu",
    });
    assert.equal(q.response.text, "eu");
    const raw = await svc.answers.answer({
      ...base,
      msgId: rawId!,
      decision: "answer",
      text: "yes",
    });
    assert.equal(raw.correlationId, `msg-${rawId}`);
    await assert.rejects(
      svc.answers.answer({ ...base, msgId: rawId!, decision: "approve" }),
      (e: unknown) => (e as AnswerError).code === "not_allowed",
    );
    const got = await agent.query(asker.mailId, asker.token, { peek: true });
    assert.deepEqual(
      got.messages.map((m) => (JSON.parse(text(m.data)) as { text: string }).text),
      ["eu", "yes"],
    );
  });
});
