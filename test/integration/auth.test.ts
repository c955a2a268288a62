/**
 * Authentication and permissions with real clients, against our broker and Debian's
 * nats-server started from the same settings (nats-wire-notes §1.11, §1.7).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { connect, ErrorCode, nkeyAuthenticator, StringCodec, type NatsConnection } from "nats";
import { createUser } from "nkeys.js";
import type { AuthConfig } from "../../server/nats/auth/types";
import { startBroker } from "../support/broker";
import { haveNatsServer, startNatsServer } from "../support/nats-server";

const sc = StringCodec();
const kp = createUser();
const nkey = kp.getPublicKey();
const seed = new TextDecoder().decode(kp.getSeed());
const hash = bcrypt.hashSync("bcrypt-pw", 4);

const AUTH: AuthConfig = {
  user: null,
  password: null,
  token: null,
  timeoutMs: 2000,
  users: [
    { user: "admin", password: "plain-pw", permissions: null },
    { user: "hashed", password: hash, permissions: null },
    {
      user: "limited",
      password: "pw",
      permissions: {
        publish: { allow: ["orders.>", "_INBOX.>"], deny: ["orders.secret"] },
        subscribe: { allow: ["orders.*", "_INBOX.>"], deny: null },
        response: null,
      },
    },
    {
      user: "service",
      password: "pw",
      permissions: {
        publish: { allow: [], deny: null },
        subscribe: { allow: ["svc"], deny: null },
        response: { maxMsgs: 1, expiresMs: 0 },
      },
    },
  ],
  nkeys: [{ nkey, permissions: null }],
  noAuthUser: null,
};

const NATS_CONF = `authorization {
  users: [
    { user: admin, password: plain-pw }
    { user: hashed, password: "${hash}" }
    { user: limited, password: pw, permissions: {
        publish: { allow: ["orders.>", "_INBOX.>"], deny: ["orders.secret"] }
        subscribe: { allow: ["orders.*", "_INBOX.>"] } } }
    { user: service, password: pw, permissions: {
        publish: { allow: [] }, subscribe: { allow: ["svc"] }, allow_responses: true } }
    { nkey: ${nkey} }
  ]
}`;

interface Target {
  name: string;
  port: number;
  stop(): Promise<void>;
}

const targets: Target[] = [];
before(async () => {
  const ours = await startBroker({ auth: AUTH });
  targets.push({ name: "ours", port: ours.port, stop: ours.stop });
  if (haveNatsServer()) {
    const ref = await startNatsServer(NATS_CONF);
    targets.push({ name: "nats-server", port: ref.port, stop: ref.stop });
  }
});
after(async () => {
  for (const t of targets) await t.stop();
});

async function waitFor(cond: () => boolean, info: unknown = ""): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), `timed out ${JSON.stringify(info)}`);
}

async function expectRefused(port: number, opts: Record<string, unknown>): Promise<void> {
  await assert.rejects(
    connect({ port, reconnect: false, ...opts }),
    (e: { code?: string }) => e.code === ErrorCode.AuthorizationViolation,
  );
}

for (const name of ["ours", "nats-server"]) {
  describe(`auth with real clients: ${name}`, () => {
    const t = () => {
      const target = targets.find((x) => x.name === name);
      if (target === undefined) throw new Error("nats-server not installed");
      return target;
    };

    it("user and password, plain and bcrypt; wrong ones are refused", async () => {
      for (const [user, pass] of [
        ["admin", "plain-pw"],
        ["hashed", "bcrypt-pw"],
      ]) {
        const nc = await connect({ port: t().port, user, pass });
        await nc.flush();
        await nc.close();
      }
      await expectRefused(t().port, { user: "admin", pass: "wrong" });
      await expectRefused(t().port, { user: "hashed", pass: "plain-pw" });
      await expectRefused(t().port, {});
    });

    it("nkey: a signature over the nonce", async () => {
      const nc = await connect({
        port: t().port,
        authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
      });
      await nc.flush();
      await nc.close();
      const other = createUser();
      await expectRefused(t().port, { authenticator: nkeyAuthenticator(other.getSeed()) });
    });

    it("publish and subscribe violations: error to the client, connection stays open", async () => {
      const admin = await connect({ port: t().port, user: "admin", pass: "plain-pw" });
      const seen: string[] = [];
      admin.subscribe("orders.>", { callback: (_e, m) => seen.push(m.subject) });
      await admin.flush();
      const errors: string[] = [];
      const nc: NatsConnection = await connect({ port: t().port, user: "limited", pass: "pw" });
      void (async () => {
        for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.data));
      })();
      nc.publish("orders.new", sc.encode("ok"));
      nc.publish("orders.secret", sc.encode("no"));
      nc.publish("other", sc.encode("no"));
      const denied = nc.subscribe("elsewhere");
      const deniedDone = denied.closed.then(
        () => "closed",
        (e: Error) => e.message,
      );
      await nc.flush();
      await admin.flush();
      assert.deepEqual(seen, ["orders.new"]);
      // nats.js closes the subscription the server refused, and reports the violations.
      assert.equal(await deniedDone, "closed");
      // Two publishes and one subscription refused, each reported.
      await waitFor(() => errors.length === 3, errors);
      assert.deepEqual(errors, Array(3).fill(ErrorCode.PermissionsViolation));
      assert.ok(!nc.isClosed(), "the connection stays open");
      // Still usable after the violations.
      const r = nc.subscribe("orders.x", { max: 1 });
      nc.publish("orders.x", sc.encode("again"));
      for await (const m of r) assert.equal(sc.decode(m.data), "again");
      await nc.close();
      await admin.close();
    });

    it("allow_responses: a service with no publish rights may answer requests", async () => {
      const svc = await connect({ port: t().port, user: "service", pass: "pw" });
      svc.subscribe("svc", { callback: (_e, m) => m.respond(sc.encode("answer")) });
      await svc.flush();
      const client = await connect({ port: t().port, user: "admin", pass: "plain-pw" });
      const reply = await client.request("svc", sc.encode("q"), { timeout: 2000 });
      assert.equal(sc.decode(reply.data), "answer");
      await client.close();
      await svc.close();
    });
  });
}

describe("auth reload (ours)", () => {
  it("subscriptions the new permissions deny are taken back", async () => {
    const b = await startBroker({ auth: AUTH });
    const nc = await connect({ port: b.port, user: "admin", pass: "plain-pw", reconnect: false });
    const got: string[] = [];
    const errors: string[] = [];
    const sub = nc.subscribe("_INBOX.abc.*", {
      callback: (e, m) => {
        if (e !== null) errors.push(e.message);
        else got.push(m.subject);
      },
    });
    const pub = await connect({ port: b.port, user: "admin", pass: "plain-pw" });
    pub.publish("_INBOX.abc.1");
    await pub.flush();
    await nc.flush();
    const users = AUTH.users.map((u) =>
      u.user === "admin"
        ? {
            ...u,
            permissions: {
              publish: null,
              subscribe: { allow: null, deny: ["_INBOX.>"] },
              response: null,
            },
          }
        : u,
    );
    b.broker.setAuth({ ...AUTH, users });
    await sub.closed;
    pub.publish("_INBOX.abc.2");
    await pub.flush();
    await nc.flush();
    assert.deepEqual(got, ["_INBOX.abc.1"]);
    assert.match(errors.join(), /Permissions Violation for Subscription to "_INBOX.abc.\*"/);
    assert.ok(!nc.isClosed(), "the connection stays");
    await pub.close();
    await nc.close();
    await b.stop();
  });

  it("clients no longer allowed are disconnected; the others stay", async () => {
    const b = await startBroker({ auth: AUTH });
    const keep = await connect({ port: b.port, user: "admin", pass: "plain-pw", reconnect: false });
    const drop = await connect({
      port: b.port,
      user: "hashed",
      pass: "bcrypt-pw",
      reconnect: false,
    });
    b.broker.setAuth({ ...AUTH, users: AUTH.users.filter((u) => u.user !== "hashed") });
    await drop.closed();
    await keep.flush();
    assert.ok(!keep.isClosed());
    await keep.close();
    await b.stop();
  });
});
