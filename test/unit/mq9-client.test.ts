/**
 * The client module's pure parts: subjects, headers, bodies, reply checks, message
 * parsing and the §12 conventions (mq9.md). The wire itself is in
 * test/integration/mq9-client.test.ts.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { headers as natsHeaders, type NatsConnection as NatsTcp } from "nats";
import type { NatsConnection as NatsWs } from "nats.ws";
import type { NatsConnection as NatsCore } from "@nats-io/nats-core";
import type { CreateReply } from "../../server/mq9/handlers/create";
import type { QueryReply } from "../../server/mq9/handlers/query";
import {
  HeaderBlock,
  Mq9RequestError,
  approvalRequest,
  approvalResponse,
  broadcastPattern,
  broadcastSubject,
  capabilityAnnouncement,
  inboxPattern,
  inboxSubject,
  isApprovalRequest,
  isApprovalResponse,
  isCapabilityAnnouncement,
  isExpiredEvent,
  mailIdOf,
  newCorrelationId,
  type CreateReplyWire,
  type NatsConnectionLike,
  type QueryReplyWire,
} from "../../lib/mq9/mod";
import { replyError } from "../../lib/mq9/errors";
import { headerBlock, headerRecord } from "../../lib/mq9/headers";
import { broadcastMessage, inboxMessage, storedMessage } from "../../lib/mq9/messages";
import { decodeQueriedPayload, encodeBody, jsonObject } from "../../lib/mq9/payload";
import { isCreateReply, isQueryReply } from "../../lib/mq9/wire";

// Compile-time: every NATS JS client fits the structural connection, and the broker's
// reply types fit the client's wire types (tsc fails here if either drifts).
export type Fits = [
  NatsTcp extends NatsConnectionLike ? true : never,
  NatsWs extends NatsConnectionLike ? true : never,
  NatsCore extends NatsConnectionLike ? true : never,
  CreateReply extends CreateReplyWire ? true : never,
  QueryReply extends QueryReplyWire ? true : never,
];

const enc = (s: string) => new TextEncoder().encode(s);

describe("mq9 client: browser safety", () => {
  it("imports no Node module and uses no Buffer or process, nor do the server files it shares", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const dir = path.join(root, "lib/mq9");
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join(dir, f));
    assert.ok(files.length >= 8);
    const shared = new Set<string>();
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(/from "([^"]+)"/g)) {
        const spec = m[1]!;
        assert.ok(spec.startsWith("."), `${path.basename(file)} imports package ${spec}`);
        if (spec.startsWith("../../")) shared.add(path.resolve(dir, spec) + ".ts");
      }
    }
    assert.deepEqual([...shared].map((f) => path.relative(root, f)).sort(), [
      "server/mq9/errors.ts",
      "server/mq9/subjects.ts",
    ]);
    for (const file of [...files, ...shared]) {
      const code = fs
        .readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      assert.doesNotMatch(code, /\bBuffer\b|\bprocess\.|from "node:|require\(/, file);
      if (shared.has(file)) assert.doesNotMatch(code, /^import /m, `${file} imports something`);
    }
  });
});

describe("mq9 client: subjects", () => {
  it("builds inbox, pattern and broadcast subjects and refuses bad ones", () => {
    assert.equal(inboxSubject("m-abc", "urgent"), "$mq9.AI.INBOX.m-abc.urgent");
    assert.equal(inboxSubject("m-abc"), "$mq9.AI.INBOX.m-abc.normal");
    assert.equal(inboxSubject("m-abc", "*"), "$mq9.AI.INBOX.m-abc.*");
    assert.throws(() => inboxSubject("M-ABC"), TypeError);
    assert.throws(() => inboxSubject("a.b"), TypeError);
    assert.throws(() => inboxSubject("m-a", "high" as "urgent"), TypeError);
    assert.equal(inboxPattern("m-status-*", "normal"), "$mq9.AI.INBOX.m-status-*.normal");
    assert.equal(inboxPattern("*"), "$mq9.AI.INBOX.*.*");
    assert.throws(() => inboxPattern("m-*-x"), TypeError);
    assert.throws(() => inboxPattern(">"), TypeError);
    assert.equal(broadcastSubject("task", "available"), "$mq9.AI.BROADCAST.task.available");
    assert.throws(() => broadcastSubject("task.x", "available"), TypeError);
    assert.throws(() => broadcastSubject("task", "*"), TypeError);
    assert.throws(() => broadcastSubject("", "e"), TypeError);
    assert.equal(broadcastPattern("*.anomaly"), "$mq9.AI.BROADCAST.*.anomaly");
    assert.equal(broadcastPattern("system.>"), "$mq9.AI.BROADCAST.system.>");
    assert.equal(broadcastPattern("#"), "$mq9.AI.BROADCAST.#");
    assert.equal(broadcastPattern("task.avail*"), "$mq9.AI.BROADCAST.task.avail*");
    for (const bad of ["", "a..b", ">.a", "a b", "a*b.c"]) {
      assert.throws(() => broadcastPattern(bad), TypeError, bad);
    }
    assert.equal(mailIdOf("$mq9.AI.INBOX.m-x.notify"), "m-x");
    assert.equal(mailIdOf("$mq9.AI.BROADCAST.a.b"), null);
  });
});

describe("mq9 client: headers", () => {
  it("encodes exactly as the nats client's own headers do", () => {
    const ours = new HeaderBlock();
    const theirs = natsHeaders();
    for (const [k, v] of [
      ["Trace-Id", "abc"],
      ["X", "1"],
      ["X", " 2 "],
    ] as const) {
      ours.append(k, v);
      theirs.append(k, v);
    }
    assert.equal(new TextDecoder().decode(ours.encode()), ours.toString());
    assert.equal(ours.toString(), "NATS/1.0\r\nTrace-Id: abc\r\nX: 1\r\nX: 2\r\n\r\n");
    assert.deepEqual(ours.encode(), (theirs as unknown as { encode(): Uint8Array }).encode());
    assert.deepEqual(ours.values("X"), ["1", "2"]);
    ours.set("X", "3");
    assert.deepEqual(ours.values("X"), ["3"]);
    assert.equal(ours.get("Missing"), "");
  });

  it("refuses header names and values that would break the header block", () => {
    const h = new HeaderBlock();
    assert.throws(() => h.append("a b", "x"), TypeError);
    assert.throws(() => h.append("a:b", "x"), TypeError);
    assert.throws(() => h.append("", "x"), TypeError);
    assert.throws(() => h.append("k", "x\r\nEvil: 1"), TypeError);
  });

  it("builds blocks from records and pairs, and reads received headers", () => {
    assert.equal(headerBlock(undefined), undefined);
    assert.equal(headerBlock({}), undefined);
    const fromRecord = headerBlock({ a: "1", b: ["2", "3"] })!;
    assert.deepEqual(fromRecord.keys(), ["a", "b"]);
    assert.deepEqual(fromRecord.values("b"), ["2", "3"]);
    const fromPairs = headerBlock([
      ["k", "v"],
      ["k", "w"],
    ])!;
    assert.deepEqual(fromPairs.values("k"), ["v", "w"]);
    const received = natsHeaders();
    received.append("Mq9-Msg-Id", "7");
    assert.deepEqual(headerRecord(received), { "Mq9-Msg-Id": ["7"] });
    assert.deepEqual(headerRecord(undefined), {});
  });
});

describe("mq9 client: bodies", () => {
  it("sends text as UTF-8, bytes as they are, anything else as JSON", () => {
    assert.deepEqual(encodeBody("héllo"), enc("héllo"));
    const bytes = new Uint8Array([0, 255, 1]);
    assert.equal(encodeBody(bytes), bytes);
    assert.deepEqual(encodeBody({ a: [1] }), enc('{"a":[1]}'));
    assert.deepEqual(jsonObject(enc('{"x":1}')), { x: 1 });
    assert.equal(jsonObject(enc("[1]")), null);
    assert.equal(jsonObject(enc("nope")), null);
  });

  it("decodes QUERY payloads in both encodings", () => {
    assert.deepEqual(decodeQueriedPayload("héllo", "utf8"), enc("héllo"));
    assert.deepEqual(decodeQueriedPayload("AP8B", "base64"), new Uint8Array([0, 255, 1]));
  });
});

describe("mq9 client: replies", () => {
  it("turns error replies into Mq9RequestError with the code, and passes success replies", () => {
    const e = replyError(
      { error: "no mailbox m-x", code: "not_found" },
      "$mq9.AI.MAILBOX.QUERY.m-x",
    );
    assert.ok(e instanceof Mq9RequestError);
    assert.equal(e.code, "not_found");
    assert.equal(e.message, "no mailbox m-x");
    assert.equal(e.subject, "$mq9.AI.MAILBOX.QUERY.m-x");
    const odd = replyError({ error: "later", code: "brand_new" }, "s");
    assert.equal(odd?.code, "internal");
    assert.match(odd?.message ?? "", /brand_new: later/);
    assert.equal(replyError({ mail_id: "m-x", deleted: true }, "s"), null);
    assert.equal(replyError(null, "s"), null);
  });

  it("checks reply shapes", () => {
    const create = {
      mail_id: "m-1",
      token: "tok-1",
      type: "standard",
      ttl: 60,
      expires_at: null,
      inbox: "$mq9.AI.INBOX.m-1",
    };
    assert.ok(isCreateReply(create));
    assert.ok(!isCreateReply({ ...create, type: "other" }));
    assert.ok(!isCreateReply({ ...create, ttl: "60" }));
    const msg = {
      msg_id: 1,
      priority: "urgent",
      subject: "$mq9.AI.INBOX.m-1.urgent",
      reply: null,
      headers: null,
      payload: "hi",
      encoding: "utf8",
      time: 5,
      expires_at: 9,
      unread: true,
    };
    const query = { mail_id: "m-1", type: "latest", expires_at: 9, unread: 1, messages: [msg] };
    assert.ok(isQueryReply(query));
    assert.ok(!isQueryReply({ ...query, messages: [{ ...msg, priority: "high" }] }));
    assert.ok(
      isExpiredEvent({ mail_id: "m-1", type: "standard", expired_at: 1, reason: "deleted" }),
    );
    assert.ok(isExpiredEvent({ mail_id: "m-1", type: "latest", expired_at: 1 }));
    assert.ok(!isExpiredEvent({ mail_id: "m-1", type: "latest", expired_at: 1, reason: "x" }));
  });
});

describe("mq9 client: messages", () => {
  it("reads the mq9 headers of an inbox message", () => {
    const h = natsHeaders();
    h.append("Trace", "t1");
    h.append("Mq9-Msg-Id", "42");
    h.append("Mq9-Priority", "urgent");
    h.append("Mq9-Time", "1700000000000");
    const m = inboxMessage({
      subject: "$mq9.AI.INBOX.m-a.urgent",
      reply: "",
      data: enc('{"n":1}'),
      headers: h,
    });
    assert.equal(m.mailId, "m-a");
    assert.equal(m.msgId, 42);
    assert.equal(m.priority, "urgent");
    assert.equal(m.time, 1700000000000);
    assert.equal(m.reply, null);
    assert.deepEqual(m.headers.Trace, ["t1"]);
    assert.deepEqual(m.json(), { n: 1 });
    assert.equal(m.string(), '{"n":1}');
  });

  it("trusts the broker's Mq9-* headers, which come last, over a sender's own", () => {
    const h = natsHeaders();
    h.append("Mq9-Msg-Id", "999");
    h.append("Mq9-Priority", "urgent");
    h.append("Mq9-Time", "1");
    h.append("mq9-msg-id", "5");
    h.append("Mq9-Priority", "notify");
    h.append("Mq9-Time", "1700000000000");
    const m = inboxMessage({ subject: "$mq9.AI.INBOX.m-a.notify", data: enc(""), headers: h });
    assert.equal(m.msgId, 5);
    assert.equal(m.priority, "notify");
    assert.equal(m.time, 1700000000000);
  });

  it("says plainly when the mq9 headers are missing (not an mq9 broker)", () => {
    assert.throws(
      () => inboxMessage({ subject: "$mq9.AI.INBOX.m-a.normal", data: enc("x") }),
      /without the mq9 headers/,
    );
  });

  it("turns QUERY messages and broadcasts into the same readable shape", () => {
    const s = storedMessage({
      msg_id: 3,
      priority: "notify",
      subject: "$mq9.AI.INBOX.m-b.notify",
      reply: "_INBOX.r",
      headers: { k: ["v"] },
      payload: "AP8=",
      encoding: "base64",
      time: 10,
      expires_at: 20,
      unread: false,
    });
    assert.equal(s.mailId, "m-b");
    assert.deepEqual(s.data, new Uint8Array([0, 255]));
    assert.equal(s.reply, "_INBOX.r");
    assert.deepEqual(s.headers, { k: ["v"] });
    assert.equal(s.expiresAt, 20);
    const b = broadcastMessage(
      { subject: "$mq9.AI.BROADCAST.task.available.eu", data: enc("t") },
      "$mq9.AI.BROADCAST.".length,
    );
    assert.equal(b.domain, "task");
    assert.equal(b.event, "available.eu");
    assert.equal(b.string(), "t");
  });
});

describe("mq9 client: §12 conventions", () => {
  it("builds approval requests with the console's field names and defaults", () => {
    const r = approvalRequest({ from: "m-agent", title: "Deploy?", args: { env: "prod" } });
    assert.equal(r.type, "approval_request");
    assert.equal(r.reply_to, "$mq9.AI.INBOX.m-agent.normal");
    assert.match(r.correlation_id, /^approval-[0-9a-f]{24}$/);
    assert.deepEqual(r.allowed, ["approve", "reject"]);
    assert.equal("expires_at" in r, false);
    assert.ok(isApprovalRequest(r));
    const custom = approvalRequest({
      from: "m-agent",
      title: "t",
      correlationId: "approval-001",
      replyTo: "$mq9.AI.INBOX.m-other.urgent",
      options: [{ name: "later", title: "Later" }],
      expiresAt: 5,
    });
    assert.equal(custom.reply_to, "$mq9.AI.INBOX.m-other.urgent");
    assert.equal(custom.correlation_id, "approval-001");
    assert.ok(isApprovalRequest(custom));
    // The oldest docs' shape: content instead of title.
    const old = { from: "m", type: "approval_request", correlation_id: "c", reply_to: "r" };
    assert.ok(isApprovalRequest({ ...old, content: "ok?" }));
    assert.ok(!isApprovalRequest(old));
    assert.ok(!isApprovalRequest({ ...r, allowed: ["maybe"] }));
  });

  it("builds approval responses that carry the request's correlation id", () => {
    const req = approvalRequest({ from: "m-agent", title: "t", correlationId: "approval-001" });
    const yes = approvalResponse({
      from: "m-human",
      request: req,
      decision: "approve",
      responder: "alice",
      respondedAt: 7,
    });
    assert.deepEqual(yes, {
      from: "m-human",
      type: "approval_response",
      correlation_id: "approval-001",
      decision: "approve",
      approved: true,
      reason: null,
      args: null,
      text: null,
      responder: "alice",
      responded_at: 7,
    });
    assert.ok(isApprovalResponse(yes));
    const no = approvalResponse({ from: "m-h", request: "c-2", decision: "reject", reason: "no" });
    assert.equal(no.approved, false);
    assert.equal(no.correlation_id, "c-2");
    assert.equal(approvalResponse({ from: "m-h", request: "c", decision: "edit" }).approved, true);
    assert.equal(
      approvalResponse({ from: "m-h", request: "c", decision: "answer" }).approved,
      null,
    );
    assert.ok(!isApprovalResponse({ ...yes, decision: "maybe" }));
    assert.ok(!isApprovalResponse({ ...yes, reason: 3 }));
  });

  it("builds capability announcements and checks them", () => {
    assert.throws(() => capabilityAnnouncement({ from: "m-a" }), TypeError);
    const a = capabilityAnnouncement({
      from: "m-a",
      name: "summariser",
      skills: [{ id: "sum", name: "Summarise", tags: ["text"] }],
    });
    assert.equal(a.reply_to, "$mq9.AI.INBOX.m-a.normal");
    assert.equal(a.ttl, 60);
    assert.ok(isCapabilityAnnouncement(a));
    assert.ok(isCapabilityAnnouncement({ from: "m", reply_to: "r", capabilities: ["x"] }));
    assert.ok(!isCapabilityAnnouncement({ from: "m", reply_to: "r" }));
    assert.ok(!isCapabilityAnnouncement({ ...a, skills: [{ id: 1 }] }));
  });

  it("makes correlation ids that do not repeat", () => {
    const ids = new Set(Array.from({ length: 100 }, () => newCorrelationId()));
    assert.equal(ids.size, 100);
  });
});
