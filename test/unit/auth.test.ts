/** Authentication and permissions, without sockets (nats-wire-notes §1.11). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { createUser } from "nkeys.js";
import { Authenticator } from "../../server/nats/auth/authenticator";
import { decodeUserNkey, newNonce, verifyNonceSignature } from "../../server/nats/auth/nkeys";
import { Permissions } from "../../server/nats/auth/permissions";
import type { AuthConfig } from "../../server/nats/auth/types";
import { DEFAULT_CONNECT, type ConnectOptions } from "../../server/nats/protocol/connect";

const base: AuthConfig = {
  user: null,
  password: null,
  token: null,
  timeoutMs: 2000,
  users: [],
  nkeys: [],
  noAuthUser: null,
};
const opts = (o: Partial<ConnectOptions>): ConnectOptions => ({ ...DEFAULT_CONNECT, ...o });

describe("nkeys", () => {
  it("verifies a signature over the nonce made with nkeys.js", () => {
    const kp = createUser();
    const pub = kp.getPublicKey();
    const nonce = newNonce();
    assert.equal(nonce.length, 15);
    const sig = Buffer.from(kp.sign(new TextEncoder().encode(nonce))).toString("base64url");
    assert.ok(verifyNonceSignature(pub, nonce, sig));
    // nats-server also accepts standard base64.
    assert.ok(verifyNonceSignature(pub, nonce, Buffer.from(sig, "base64url").toString("base64")));
    assert.ok(!verifyNonceSignature(pub, nonce + "x", sig));
    assert.ok(!verifyNonceSignature(createUser().getPublicKey(), nonce, sig));
  });

  it("rejects keys with a bad checksum or prefix", () => {
    const pub = createUser().getPublicKey();
    assert.equal(decodeUserNkey(pub)?.length, 32);
    const flipped = pub.slice(0, 10) + (pub[10] === "A" ? "B" : "A") + pub.slice(11);
    assert.equal(decodeUserNkey(flipped), null);
    assert.equal(decodeUserNkey("not a key"), null);
  });
});

describe("Authenticator", () => {
  it("accepts the right token only", () => {
    const a = new Authenticator({ ...base, token: "s3cret" });
    assert.ok(a.required);
    assert.ok(a.check(opts({ authToken: "s3cret" }), undefined));
    assert.equal(a.check(opts({ authToken: "wrong" }), undefined), null);
    assert.equal(a.check(opts({}), undefined), null);
  });

  it("checks plain and bcrypt passwords per user", () => {
    const hash = bcrypt.hashSync("pw2", 4);
    const a = new Authenticator({
      ...base,
      users: [
        { user: "alice", password: "pw1", permissions: null },
        { user: "bob", password: hash, permissions: null },
      ],
    });
    assert.equal(a.check(opts({ user: "alice", pass: "pw1" }), undefined)?.name, "alice");
    assert.equal(a.check(opts({ user: "bob", pass: "pw2" }), undefined)?.name, "bob");
    assert.equal(a.check(opts({ user: "bob", pass: "pw1" }), undefined), null);
    assert.equal(a.check(opts({ user: "carol", pass: "pw1" }), undefined), null);
  });

  it("uses no_auth_user for clients without credentials", () => {
    const a = new Authenticator({
      ...base,
      users: [{ user: "guest", password: "x", permissions: null }],
      noAuthUser: "guest",
    });
    assert.equal(a.check(opts({}), undefined)?.name, "guest");
    assert.equal(a.check(opts({ user: "guest", pass: "nope" }), undefined), null);
  });

  it("authenticates nkey users by signature", () => {
    const kp = createUser();
    const a = new Authenticator({
      ...base,
      nkeys: [{ nkey: kp.getPublicKey(), permissions: null }],
    });
    assert.ok(a.needsNonce);
    const nonce = newNonce();
    const sig = Buffer.from(kp.sign(new TextEncoder().encode(nonce))).toString("base64url");
    assert.ok(a.check(opts({ nkey: kp.getPublicKey(), sig }), nonce));
    assert.equal(a.check(opts({ nkey: kp.getPublicKey(), sig }), newNonce()), null);
  });
});

describe("Permissions", () => {
  it("allows and denies publishes with wildcards", () => {
    const p = new Permissions({
      publish: { allow: ["orders.>", "status"], deny: ["orders.secret.*"] },
      subscribe: null,
      response: null,
    });
    assert.ok(p.canPublish("orders.new"));
    assert.ok(p.canPublish("status"));
    assert.ok(!p.canPublish("orders.secret.x"));
    assert.ok(!p.canPublish("other"));
    // An empty allow list allows nothing.
    const none = new Permissions({
      publish: { allow: [], deny: null },
      subscribe: null,
      response: null,
    });
    assert.ok(!none.canPublish("anything"));
  });

  it("matches subscription subjects token for token, queue entries deciding for queues", () => {
    const p = new Permissions({
      publish: null,
      subscribe: { allow: ["foo.*", "bar", "bar v1"], deny: ["foo.private"] },
      response: null,
    });
    assert.ok(p.canSubscribe("foo.x", null));
    assert.ok(p.canSubscribe("foo.*", null));
    assert.ok(!p.canSubscribe("foo.x.y", null), "not covered by foo.*");
    assert.ok(!p.canSubscribe(">", null));
    assert.ok(!p.canSubscribe("foo.private", null));
    assert.ok(p.canSubscribe("bar", null));
    assert.ok(p.canSubscribe("bar", "v1"));
    assert.ok(!p.canSubscribe("bar", "v2"), "queue entries decide for queue subscriptions");
    assert.ok(p.needsDeliveryFilter("foo.*"));
    assert.ok(!p.canReceive("foo.private"));
    assert.ok(p.canReceive("foo.public"));
  });
});
