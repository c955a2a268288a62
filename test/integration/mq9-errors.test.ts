/**
 * Every error code of mq9.md §9 and every limit of §11, with small limits so they are
 * reached in a few requests. Each error must be JSON `{error, code}`, store and deliver
 * nothing, and leave the connection open and the broker serving others.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { connect, createInbox, headers, StringCodec, type NatsConnection } from "nats";
import type { Mq9ErrorCode } from "../../server/mq9/errors";
import { startMq9, type TestMq9 } from "../support/mq9";

const sc = StringCodec();
const enc = new TextEncoder();

const LIMITS = {
  defaultTtl: 60,
  maxTtl: 100,
  allowNoExpiry: false,
  maxMessagesPerMailbox: 8,
  maxBytesPerMailbox: 1000,
  createsPerMinute: 20,
  maxPayload: 200,
};
/** The NATS max_payload of the broker under test: above mq9's own limit. */
const NATS_MAX_PAYLOAD = 4096;

interface Box {
  mail_id: string;
  token: string;
  inbox: string;
  type: string;
  ttl: number;
  expires_at: number | null;
}

type Body = string | Uint8Array | object;

function encode(body: Body): Uint8Array {
  if (typeof body === "string") return enc.encode(body);
  if (body instanceof Uint8Array) return body;
  return enc.encode(JSON.stringify(body));
}

/**
 * Publishes with a reply subject of our own and returns the one reply, or null when none
 * comes within `waitMs` (mq9 sends no success reply to an inbox send nobody answers).
 */
async function ask(
  nc: NatsConnection,
  subject: string,
  body: Body,
  waitMs = 2000,
): Promise<unknown> {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox, { max: 1, timeout: waitMs });
  nc.publish(subject, encode(body), { reply: inbox });
  try {
    for await (const m of sub) return JSON.parse(sc.decode(m.data)) as unknown;
  } catch (err) {
    if ((err as { code?: string }).code === "TIMEOUT") return null;
    throw err;
  }
  return null;
}

async function create(nc: NatsConnection, body: Body = { ttl: 60 }): Promise<Box> {
  const r = (await ask(nc, "$mq9.AI.MAILBOX.CREATE", body)) as Box & { error?: string };
  assert.equal(r.error, undefined, JSON.stringify(r));
  return r;
}

describe("mq9 errors and limits", () => {
  let t: TestMq9;
  let monitor: NatsConnection;
  /** Every inbox message any subscriber could see, via a wildcard monitor (§6.2). */
  const inboxTraffic: string[] = [];
  const conns: NatsConnection[] = [];

  const client = async (): Promise<NatsConnection> => {
    const nc = await connect({ port: t.port, reconnect: false });
    conns.push(nc);
    return nc;
  };

  const storedCount = (): number => t.store.countMessagesStored();

  /**
   * Sends `body` to `subject`, expects error `code`, and checks that the error changed
   * nothing: no message stored or delivered, the connection still open and usable, and
   * the broker still serving another connection.
   */
  async function expectError(
    nc: NatsConnection,
    subject: string,
    body: Body,
    code: Mq9ErrorCode,
  ): Promise<void> {
    const storedBefore = storedCount();
    const trafficBefore = inboxTraffic.length;
    const boxesBefore = t.mq9.mailboxes.size;
    const reply = await ask(nc, subject, body);
    assert.ok(reply !== null, `${subject}: no reply`);
    assert.equal(typeof reply, "object");
    const r = reply as Record<string, unknown>;
    assert.deepEqual(Object.keys(r).sort(), ["code", "error"], JSON.stringify(r));
    assert.equal(typeof r.error, "string");
    assert.ok((r.error as string).length > 0);
    assert.equal(r.code, code, `${subject} ${String(encode(body).length)}B: ${JSON.stringify(r)}`);
    await nc.flush();
    await monitor.flush();
    assert.equal(nc.isClosed(), false);
    assert.equal(storedCount(), storedBefore, "an error stored something");
    assert.equal(inboxTraffic.length, trafficBefore, "an error delivered something");
    // Other tests' short-lived mailboxes may expire meanwhile: no more than before.
    if (code !== "name_taken") {
      assert.ok(t.mq9.mailboxes.size <= boxesBefore, "an error created a mailbox");
    }
  }

  before(async () => {
    t = await startMq9({ mq9: LIMITS, broker: { maxPayload: NATS_MAX_PAYLOAD } });
    monitor = await client();
    const sub = monitor.subscribe("$mq9.AI.INBOX.>");
    void (async () => {
      for await (const m of sub) inboxTraffic.push(m.subject);
    })();
    await monitor.flush();
  });

  after(async () => {
    await Promise.all(conns.map((c) => c.close().catch(() => {})));
    await t.stop();
  });

  it("bad_request: bodies that are not JSON objects, fields of the wrong type", async () => {
    const nc = await client();
    const box = await create(nc);
    const notObjects = ["not json", "{", "[1,2]", "42", '"text"', "null", "true", "{'ttl':1}"];
    for (const body of notObjects) {
      await expectError(nc, "$mq9.AI.MAILBOX.CREATE", body, "bad_request");
      await expectError(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, body, "bad_request");
      await expectError(nc, `$mq9.AI.MAILBOX.DELETE.${box.mail_id}`, body, "bad_request");
    }
    const wrongTypes: Body[] = [
      { ttl: "60" },
      { ttl: 1.5 },
      { ttl: true },
      { ttl: [60] },
      '{"ttl":1e400}',
      '{"ttl":-0.5}',
      { type: 5 },
      { type: "fifo" },
      { name: 7 },
      { prefix: { a: 1 } },
      { name: "m-a", prefix: "m-b" },
    ];
    for (const body of wrongTypes)
      await expectError(nc, "$mq9.AI.MAILBOX.CREATE", body, "bad_request");
    const q = `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`;
    for (const extra of [
      { limit: "10" },
      { limit: 0 },
      { limit: -5 },
      { limit: 2.5 },
      { after: "12" },
      { peek: "yes" },
      { peek: 1 },
    ]) {
      await expectError(nc, q, { token: box.token, ...extra }, "bad_request");
    }
    // Still there and usable after all that.
    const ok = (await ask(nc, q, { token: box.token })) as { mail_id: string };
    assert.equal(ok.mail_id, box.mail_id);
  });

  it("bad_request: unknown $mq9.AI subjects", async () => {
    const nc = await client();
    for (const subject of [
      "$mq9.AI.FOO",
      "$mq9.AI.MAILBOX",
      "$mq9.AI.MAILBOX.LIST",
      "$mq9.AI.MAILBOX.QUERY",
      "$mq9.AI.MAILBOX.CREATE.extra",
      "$mq9.AI.mailbox.create",
    ]) {
      await expectError(nc, subject, "{}", "bad_request");
    }
  });

  it("garbage and oversized bodies: an error or a success, never a crash", async () => {
    const nc = await client();
    const box = await create(nc);
    const garbage: Body[] = [
      new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x80]),
      "\u0000\u0001\u0002",
      "{".repeat(2000),
      "[".repeat(4000),
      '{"ttl":' + "9".repeat(3000) + "}",
      "{}".padEnd(4000, " ") + "x",
      "\uFEFF{}",
    ];
    for (const body of garbage) {
      for (const subject of [
        "$mq9.AI.MAILBOX.CREATE",
        `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`,
        `$mq9.AI.MAILBOX.DELETE.${box.mail_id}`,
      ]) {
        const size = encode(body).length;
        assert.ok(size <= NATS_MAX_PAYLOAD, `garbage case of ${size} bytes`);
        const r = (await ask(nc, subject, body)) as Record<string, unknown> | null;
        assert.ok(r !== null, `${subject}: no reply to ${size} bytes of garbage`);
        // Either a well-formed error or (for bodies JSON.parse accepts) a success.
        if ("error" in r) assert.ok(typeof r.code === "string" && typeof r.error === "string");
        else assert.ok("mail_id" in r, JSON.stringify(r));
        assert.equal(nc.isClosed(), false);
      }
    }
    // A large but valid CREATE body (whitespace up to nearly max_payload) is fine.
    const big = `{"ttl":30${" ".repeat(NATS_MAX_PAYLOAD - 20)}}`;
    const made = (await ask(nc, "$mq9.AI.MAILBOX.CREATE", big)) as Box;
    assert.equal(made.ttl, 30);
    // The box survives: no garbage was taken for a DELETE.
    const q = (await ask(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, { token: box.token })) as {
      mail_id: string;
    };
    assert.equal(q.mail_id, box.mail_id);
  });

  it("a body over the NATS max_payload: -ERR and closed, as NATS does; nothing stored", async () => {
    const nc = await client();
    const box = await create(nc);
    const storedBefore = storedCount();
    const raw = net.connect(t.port, "127.0.0.1");
    let text = "";
    raw.on("data", (d: Buffer) => (text += d.toString()));
    const closed = new Promise<void>((r) => raw.once("close", () => r()));
    raw.write('CONNECT {"verbose":false}\r\n');
    const size = NATS_MAX_PAYLOAD + 1;
    raw.write(`PUB ${box.inbox}.normal ${size}\r\n${"x".repeat(size)}\r\n`);
    await closed;
    assert.match(text, /-ERR 'Maximum Payload Violation'/);
    assert.equal(storedCount(), storedBefore);
    // Others are still served.
    nc.publish(`${box.inbox}.normal`, sc.encode("after"));
    await nc.flush();
    assert.equal(storedCount(), storedBefore + 1);
  });

  it("invalid_name and name_taken", async () => {
    const nc = await client();
    for (const name of ["Upper", "a.b", "a*", "a>", "", "x".repeat(129), "sp ace", "ü"]) {
      await expectError(nc, "$mq9.AI.MAILBOX.CREATE", { name }, "invalid_name");
    }
    for (const prefix of ["BAD-", "a.b", "p*", "", "x".repeat(101)]) {
      await expectError(nc, "$mq9.AI.MAILBOX.CREATE", { prefix }, "invalid_name");
    }
    const exact = await create(nc, { name: "x".repeat(128), ttl: 60 });
    assert.equal(exact.mail_id, "x".repeat(128));
    const prefixed = await create(nc, { prefix: "m-status-", ttl: 60 });
    assert.match(prefixed.mail_id, /^m-status-[a-z0-9]{16,}$/);

    const named = await create(nc, { name: "agent-007", ttl: 60 });
    await expectError(nc, "$mq9.AI.MAILBOX.CREATE", { name: "agent-007" }, "name_taken");
    await expectError(nc, "$mq9.AI.MAILBOX.CREATE", { name: prefixed.mail_id }, "name_taken");
    // A different type does not make the name free either; the original keeps its token.
    const other = await client();
    await expectError(
      other,
      "$mq9.AI.MAILBOX.CREATE",
      { name: "agent-007", type: "latest" },
      "name_taken",
    );
    const q = (await ask(nc, `$mq9.AI.MAILBOX.QUERY.agent-007`, { token: named.token })) as Box;
    assert.equal(q.type, "standard");
  });

  it("not_found: unknown, deleted and expired mailboxes", async () => {
    const nc = await client();
    for (const id of ["m-nope", "agent-unknown"]) {
      await expectError(nc, `$mq9.AI.INBOX.${id}.normal`, "hi", "not_found");
      await expectError(nc, `$mq9.AI.MAILBOX.QUERY.${id}`, { token: "tok-x" }, "not_found");
      await expectError(nc, `$mq9.AI.MAILBOX.DELETE.${id}`, { token: "tok-x" }, "not_found");
    }
    const gone = await create(nc);
    const del = (await ask(nc, `$mq9.AI.MAILBOX.DELETE.${gone.mail_id}`, {
      token: gone.token,
    })) as Record<string, unknown>;
    assert.equal(del.deleted, true);
    await expectError(nc, `${gone.inbox}.urgent`, "late", "not_found");
    await expectError(
      nc,
      `$mq9.AI.MAILBOX.QUERY.${gone.mail_id}`,
      { token: gone.token },
      "not_found",
    );
    await expectError(
      nc,
      `$mq9.AI.MAILBOX.DELETE.${gone.mail_id}`,
      { token: gone.token },
      "not_found",
    );

    // Expired: not_found from the moment expires_at passes, before or after removal.
    const short = await create(nc, { ttl: 1 });
    await new Promise((r) => setTimeout(r, Math.max(0, short.expires_at! - Date.now()) + 20));
    await expectError(nc, `${short.inbox}.normal`, "late", "not_found");
    await expectError(
      nc,
      `$mq9.AI.MAILBOX.QUERY.${short.mail_id}`,
      { token: short.token },
      "not_found",
    );
    await expectError(
      nc,
      `$mq9.AI.MAILBOX.DELETE.${short.mail_id}`,
      { token: short.token },
      "not_found",
    );
  });

  it("unauthorized: QUERY and DELETE with a wrong or missing token", async () => {
    const nc = await client();
    const box = await create(nc);
    const other = await create(nc);
    nc.publish(`${box.inbox}.normal`, sc.encode("secret"));
    await nc.flush();
    const bad: object[] = [
      {},
      { token: "" },
      { token: null },
      { token: 12345 },
      { token: ["x"] },
      { token: other.token },
      { token: box.token.toUpperCase() },
      { token: box.token + " " },
      { token: box.token.slice(0, -1) },
    ];
    for (const body of bad) {
      await expectError(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, body, "unauthorized");
      await expectError(nc, `$mq9.AI.MAILBOX.DELETE.${box.mail_id}`, body, "unauthorized");
    }
    await expectError(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, "", "unauthorized");
    // Nothing was read or deleted by the failed attempts.
    const q = (await ask(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, {
      token: box.token,
      peek: true,
    })) as { unread: number; messages: { payload: string }[] };
    assert.equal(q.unread, 1);
    assert.deepEqual(
      q.messages.map((m) => m.payload),
      ["secret"],
    );
  });

  it("bad_priority", async () => {
    const nc = await client();
    const box = await create(nc);
    for (const p of ["low", "URGENT", "high", "urgent.x", "normal.normal"]) {
      await expectError(nc, `${box.inbox}.${p}`, "x", "bad_priority");
    }
    await expectError(nc, box.inbox, "x", "bad_priority");
  });

  it("payload_too_large: mq9's limit below the NATS max_payload; headers do not count", async () => {
    const nc = await client();
    assert.equal(t.mq9.options.maxPayload, LIMITS.maxPayload);
    const box = await create(nc);
    await expectError(nc, `${box.inbox}.normal`, "x".repeat(201), "payload_too_large");
    await expectError(nc, `${box.inbox}.urgent`, "x".repeat(4000), "payload_too_large");
    const storedBefore = storedCount();
    const h = headers();
    h.set("X-Big", "y".repeat(500));
    nc.publish(`${box.inbox}.normal`, sc.encode("x".repeat(200)), { headers: h });
    await nc.flush();
    assert.equal(storedCount(), storedBefore + 1, "200 bytes with headers fits");
  });

  it("mq9's max payload never exceeds the NATS max_payload", async () => {
    const s = await startMq9({
      mq9: { maxPayload: 10 * 1024 * 1024 },
      broker: { maxPayload: 2048 },
    });
    try {
      assert.equal(s.mq9.options.maxPayload, 2048);
    } finally {
      await s.stop();
    }
  });

  it("mailbox_full: messages per mailbox", async () => {
    const nc = await client();
    const box = await create(nc);
    for (let i = 0; i < LIMITS.maxMessagesPerMailbox; i++) {
      nc.publish(`${box.inbox}.${i % 2 ? "urgent" : "notify"}`, sc.encode(`m${i}`));
    }
    await nc.flush();
    for (const p of ["urgent", "normal", "notify"]) {
      await expectError(nc, `${box.inbox}.${p}`, "one more", "mailbox_full");
    }
    // Reading does not make room: stored messages count, not unread ones.
    await ask(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, { token: box.token });
    await expectError(nc, `${box.inbox}.normal`, "one more", "mailbox_full");
    // Another mailbox is not affected.
    const other = await create(nc);
    const before = storedCount();
    nc.publish(`${other.inbox}.normal`, sc.encode("fine"));
    await nc.flush();
    assert.equal(storedCount(), before + 1);
  });

  it("mailbox_full: bytes per mailbox, counted exactly", async () => {
    const nc = await client();
    const box = await create(nc);
    for (let i = 0; i < 5; i++) nc.publish(`${box.inbox}.normal`, sc.encode("b".repeat(190)));
    await nc.flush();
    // 950 stored: 51 more would pass 1000, 50 is exactly the limit.
    await expectError(nc, `${box.inbox}.normal`, "c".repeat(51), "mailbox_full");
    const before = storedCount();
    nc.publish(`${box.inbox}.normal`, sc.encode("c".repeat(50)));
    await nc.flush();
    assert.equal(storedCount(), before + 1);
    await expectError(nc, `${box.inbox}.normal`, "d", "mailbox_full");
  });

  it("mailbox_full holds for sends pipelined in one batch", async () => {
    const nc = await client();
    const box = await create(nc);
    const replies = createInbox();
    const got: Record<string, unknown>[] = [];
    const sub = nc.subscribe(replies);
    void (async () => {
      for await (const m of sub) got.push(JSON.parse(sc.decode(m.data)) as Record<string, unknown>);
    })();
    const before = storedCount();
    const extra = 4;
    for (let i = 0; i < LIMITS.maxMessagesPerMailbox + extra; i++) {
      nc.publish(`${box.inbox}.normal`, sc.encode(`p${i}`), { reply: replies });
    }
    await nc.flush();
    await nc.flush();
    assert.equal(storedCount(), before + LIMITS.maxMessagesPerMailbox);
    assert.deepEqual(
      got.map((r) => r.code),
      Array<string>(extra).fill("mailbox_full"),
    );
    const q = (await ask(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, {
      token: box.token,
      peek: true,
    })) as { messages: { payload: string }[] };
    assert.deepEqual(
      q.messages.map((m) => m.payload),
      Array.from({ length: LIMITS.maxMessagesPerMailbox }, (_, i) => `p${i}`),
      "the first ones in are the ones kept",
    );
  });

  it("mailbox_full never applies to a latest mailbox", async () => {
    const nc = await client();
    const box = await create(nc, { type: "latest", ttl: 60 });
    const errors: unknown[] = [];
    const replies = createInbox();
    const sub = nc.subscribe(replies);
    void (async () => {
      for await (const m of sub) errors.push(JSON.parse(sc.decode(m.data)));
    })();
    for (let i = 0; i < 3 * LIMITS.maxMessagesPerMailbox; i++) {
      nc.publish(`${box.inbox}.normal`, sc.encode("s".repeat(190) + i), { reply: replies });
      await nc.flush();
    }
    await nc.flush();
    assert.deepEqual(errors, []);
    const q = (await ask(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, { token: box.token })) as {
      messages: { payload: string }[];
    };
    assert.deepEqual(
      q.messages.map((m) => m.payload),
      ["s".repeat(190) + String(3 * LIMITS.maxMessagesPerMailbox - 1)],
    );
    // Its payload limit still holds.
    await expectError(nc, `${box.inbox}.normal`, "x".repeat(201), "payload_too_large");
  });

  it("a rejected send without a reply subject stores nothing and keeps the connection", async () => {
    const nc = await client();
    const box = await create(nc);
    for (let i = 0; i < LIMITS.maxMessagesPerMailbox; i++) {
      nc.publish(`${box.inbox}.normal`, sc.encode("x"));
    }
    await nc.flush();
    const before = storedCount();
    nc.publish(`${box.inbox}.normal`, sc.encode("no room"));
    nc.publish(`$mq9.AI.INBOX.m-unknown.normal`, sc.encode("nowhere"));
    nc.publish(`${box.inbox}.bogus`, sc.encode("bad priority"));
    await nc.flush();
    assert.equal(storedCount(), before);
    assert.equal(nc.isClosed(), false);
  });

  it("ttl_out_of_range: negative, above the maximum, 0 unless allowed", async () => {
    const nc = await client();
    for (const ttl of [-1, -3600, LIMITS.maxTtl + 1, 10 ** 12, 0]) {
      await expectError(nc, "$mq9.AI.MAILBOX.CREATE", { ttl }, "ttl_out_of_range");
    }
    const max = await create(nc, { ttl: LIMITS.maxTtl });
    assert.equal(max.ttl, LIMITS.maxTtl);
    assert.equal((await create(nc, { ttl: 1 })).ttl, 1);

    const s = await startMq9({ mq9: { allowNoExpiry: true } });
    try {
      const nc2 = await connect({ port: s.port, reconnect: false });
      const forever = await create(nc2, { ttl: 0 });
      assert.equal(forever.ttl, 0);
      assert.equal(forever.expires_at, null);
      const r2 = (await ask(nc2, "$mq9.AI.MAILBOX.CREATE", { ttl: -1 })) as Record<string, unknown>;
      assert.equal(r2.code, "ttl_out_of_range");
      await nc2.close();
    } finally {
      await s.stop();
    }
  });

  it("rate_limited: CREATEs per connection per minute; other connections unaffected", async () => {
    const nc = await client();
    for (let i = 0; i < LIMITS.createsPerMinute; i++) await create(nc, { ttl: 60 });
    await expectError(nc, "$mq9.AI.MAILBOX.CREATE", { ttl: 60 }, "rate_limited");
    await expectError(nc, "$mq9.AI.MAILBOX.CREATE", { ttl: 60 }, "rate_limited");
    const other = await client();
    await create(other, { ttl: 60 });
    // The limited connection can still send, query and delete.
    const box = await create(other, { ttl: 60 });
    nc.publish(`${box.inbox}.normal`, sc.encode("still sending"));
    await nc.flush();
    const q = (await ask(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, { token: box.token })) as {
      messages: unknown[];
    };
    assert.equal(q.messages.length, 1);
  });

  it("CREATE without a reply subject does nothing", async () => {
    const nc = await client();
    const before = t.mq9.mailboxes.size;
    nc.publish("$mq9.AI.MAILBOX.CREATE", sc.encode(JSON.stringify({ name: "ghost", ttl: 60 })));
    nc.publish("$mq9.AI.MAILBOX.CREATE", sc.encode("not json"));
    await nc.flush();
    assert.equal(t.mq9.mailboxes.size, before);
    const ghost = await create(nc, { name: "ghost", ttl: 60 });
    assert.equal(ghost.mail_id, "ghost");
  });

  it("success replies carry no error key", async () => {
    const nc = await client();
    const box = await create(nc, { ttl: 60 });
    assert.deepEqual(Object.keys(box).sort(), [
      "expires_at",
      "inbox",
      "mail_id",
      "token",
      "ttl",
      "type",
    ]);
    const q = (await ask(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, {
      token: box.token,
    })) as Record<string, unknown>;
    assert.ok(!("error" in q));
    const d = (await ask(nc, `$mq9.AI.MAILBOX.DELETE.${box.mail_id}`, {
      token: box.token,
    })) as Record<string, unknown>;
    assert.ok(!("error" in d));
  });
});
