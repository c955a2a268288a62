/**
 * Operator mode without sockets: JWT decoding and validation (nats-io/jwt v2 rules) and
 * OperatorTrust deciding CONNECTs. The same behaviour against nats-server, over sockets,
 * is in test/integration/operator.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeJwt, decodeJwtOf, NO_LIMIT, parseDecoratedJwt } from "../../server/nats/auth/jwt";
import { blockingIssues, parseCidr, parseClock } from "../../server/nats/auth/jwt-validation";
import {
  fromJwtPermissions,
  minLimit,
  OperatorTrust,
  type OperatorAuth,
} from "../../server/nats/auth/operator";
import { DEFAULT_CONNECT, type ConnectOptions } from "../../server/nats/protocol/connect";
import {
  accountJwt,
  createAccount,
  createOperator,
  createUser,
  credsFile,
  userJwt,
  type KeyPair,
} from "../support/jwt";

const now = () => Math.floor(Date.now() / 1000);

describe("decodeJwt", () => {
  it("decodes version 2 and version 1 claims and checks the issuer's signature", () => {
    const O = createOperator();
    const A = createAccount();
    const U = createUser();
    const v2 = decodeJwtOf(userJwt(U, A, { pub: { allow: ["a"] } }), "user");
    assert.ok(v2.ok);
    assert.equal(v2.claims.version, 2);
    assert.equal(v2.claims.subject, U.getPublicKey());
    assert.deepEqual(v2.claims.permissions.pub, { allow: ["a"], deny: null });
    assert.equal(v2.claims.subs, NO_LIMIT);
    const v1 = decodeJwtOf(accountJwt(A, O, {}, { v1: true }), "account");
    assert.ok(v1.ok);
    assert.equal(v1.claims.version, 1);
    assert.equal(v1.claims.limits.conn, NO_LIMIT);
    // Version 1 user limits are unlimited when absent; version 2's are Go zero values.
    const raw1 = decodeJwtOf(userJwt(U, A, {}, { v1: true, raw: true }), "user");
    const raw2 = decodeJwtOf(userJwt(U, A, {}, { raw: true }), "user");
    assert.ok(raw1.ok && raw2.ok);
    assert.deepEqual([raw1.claims.subs, raw1.claims.payload], [NO_LIMIT, NO_LIMIT]);
    assert.deepEqual([raw2.claims.subs, raw2.claims.payload], [0, 0]);
  });

  it("refuses bad signatures, wrong issuers, bad headers and wrong kinds", () => {
    const A = createAccount();
    const U = createUser();
    const jwt = userJwt(U, A);
    const [h, c, s] = jwt.split(".") as [string, string, string];
    const other = userJwt(U, createAccount()).split(".")[2]!;
    assert.match(decodeErr(`${h}.${c}.${other}`), /signature verification/);
    assert.match(decodeErr(`${h}.${c}`), /expected 3 chunks/);
    const badHeader = Buffer.from('{"typ":"JWT","alg":"HS256"}').toString("base64url");
    assert.match(decodeErr(`${badHeader}.${c}.${s}`), /unexpected "HS256" algorithm/);
    // A user JWT must be issued by an account, not by another user.
    assert.match(decodeErr(userJwt(U, createUser())), /expected prefixes/);
    assert.deepEqual(decodeJwtOf(jwt, "account"), { ok: false, error: "not account claim" });
    assert.equal(decodeJwt(jwt).ok, true);
  });

  it("finds the JWT in a decorated file, and leaves other text alone", () => {
    const U = createUser();
    const jwt = userJwt(U, createAccount());
    assert.equal(parseDecoratedJwt(credsFile(jwt, U)), jwt);
    assert.equal(parseDecoratedJwt(jwt), jwt);
  });
});

function decodeErr(token: string): string {
  const r = decodeJwt(token);
  assert.ok(!r.ok);
  return r.error;
}

describe("blockingIssues", () => {
  it("reports expiry, not-before and bad contents, as nats-io/jwt Validate does", () => {
    const A = createAccount();
    const user = (nats: Record<string, unknown>, opts = {}) => {
      const r = decodeJwtOf(userJwt(createUser(), A, nats, opts), "user");
      assert.ok(r.ok);
      return blockingIssues(r.claims, now());
    };
    assert.deepEqual(user({}), []);
    assert.deepEqual(user({}, { exp: now() - 1 }), ["claim is expired"]);
    assert.deepEqual(user({}, { nbf: now() + 60 }), ["claim is not yet valid"]);
    assert.deepEqual(user({ pub: { allow: ["a b"] } }), [
      'Permission Subject "a b" is not allowed to contain queue',
    ]);
    assert.deepEqual(user({ sub: { allow: ["a q"] } }), []);
    assert.deepEqual(user({ src: ["300.1.1.1/8"] }), [
      'invalid cidr "300.1.1.1/8" in user src limits',
    ]);
    assert.deepEqual(user({ times: [{ start: "25:00:00", end: "10:00:00" }] }), [
      'start in time range is invalid "25:00:00"',
    ]);
    assert.match(user({ times_location: "Mars/Olympus" })[0]!, /could not parse iana time zone/);
  });

  it("parses clock times and CIDRs as Go does", () => {
    assert.equal(parseClock("9:05:00"), 9 * 3600 + 300);
    assert.equal(parseClock("09:5:00"), null);
    assert.deepEqual(parseCidr("::1/128"), { family: "ipv6", address: "::1", prefix: 128 });
    assert.equal(parseCidr("10.0.0.0"), null);
  });
});

describe("JWT permissions and limits", () => {
  it("builds permissions as buildPermissionsFromJwt and setPermissions do", () => {
    const none = { allow: null, deny: null };
    assert.equal(fromJwtPermissions({ pub: none, sub: none, resp: null }), null);
    // A publish allow list that is there but empty allows nothing.
    assert.deepEqual(
      fromJwtPermissions({ pub: { allow: [], deny: ["x"] }, sub: none, resp: null })?.publish,
      { allow: [], deny: ["x"] },
    );
    // Responses turn off the blanket publish allow, and zero means the defaults.
    assert.deepEqual(fromJwtPermissions({ pub: none, sub: none, resp: { max: 0, ttlNs: 0 } }), {
      publish: { allow: [], deny: null },
      subscribe: null,
      response: { maxMsgs: 1, expiresMs: 120_000 },
    });
  });

  it("combines limits where -1 is none (client.go minLimit)", () => {
    assert.equal(minLimit(NO_LIMIT, 5), 5);
    assert.equal(minLimit(10, 5), 5);
    assert.equal(minLimit(3, NO_LIMIT), 3);
    assert.equal(minLimit(NO_LIMIT, NO_LIMIT), NO_LIMIT);
    assert.equal(minLimit(NO_LIMIT, 0), 0);
  });
});

describe("OperatorTrust", () => {
  const O = createOperator();
  const A = createAccount();
  const SCOPE = createAccount();
  const acc = accountJwt(A, O, {
    tags: ["team:blue"],
    signing_keys: [
      {
        kind: "user_scope",
        key: SCOPE.getPublicKey(),
        role: "r",
        template: {
          pub: { allow: ["in.{{name()}}", "in.{{tag(dept)}}.x", "in.{{account-tag(team)}}"] },
          sub: { allow: ["{{tag(missing)}}"], deny: ["never"] },
        },
      },
    ],
  });
  const config: OperatorAuth = {
    trustedKeys: [O.getPublicKey()],
    strictKeys: [],
    accounts: { [A.getPublicKey()]: acc },
    systemAccount: null,
    pinnedAccounts: null,
  };
  const nonce = "abcdefghijklmno";
  const connect = (jwt: string, key?: KeyPair): ConnectOptions => ({
    ...DEFAULT_CONNECT,
    jwt,
    sig: key ? Buffer.from(key.sign(Buffer.from(nonce))).toString("base64url") : "",
  });
  const conn = { nonce, type: "STANDARD" as const, ip: "127.0.0.1" };

  it("grants the account, permissions, limits and expiry of a valid CONNECT", () => {
    const trust = new OperatorTrust(config);
    const U = createUser();
    const jwt = userJwt(U, A, { sub: { deny: ["s"] }, payload: 100, subs: 2 }, { exp: now() + 60 });
    const grant = trust.authenticate(connect(jwt, U), conn);
    assert.ok(grant);
    assert.equal(grant.account.key, A.getPublicKey());
    assert.equal(grant.maxPayload, 100);
    assert.equal(grant.maxSubs, 2);
    assert.ok(
      grant.expiresInMs !== null && grant.expiresInMs > 58_000 && grant.expiresInMs <= 60_000,
    );
    assert.deepEqual(grant.permissions?.subscribe, { allow: null, deny: ["s"] });
    assert.equal(trust.authenticate(connect(jwt), conn), null, "no signature");
    trust.dispose();
  });

  it("fills a scoped key's template from the user's name and tags and the account's", () => {
    const trust = new OperatorTrust(config);
    const U = createUser();
    const jwt = userJwt(U, A, {}, { signer: SCOPE, raw: true });
    // The name claim is "U" (test/support/jwt.ts). The user has no `dept` tag, so that
    // entry comes out invalid and is dropped.
    const grant = trust.authenticate(connect(jwt, U), conn);
    assert.ok(grant);
    assert.deepEqual(grant.permissions?.publish?.allow, ["in.U", "in.blue"]);
    // A subscribe allow list that came out empty denies everything instead.
    assert.deepEqual(grant.permissions?.subscribe, { allow: null, deny: ["never", ">"] });
    trust.dispose();
  });

  it("refuses pinned-out accounts, src and connection types that do not match", () => {
    const U = createUser();
    const pinned = new OperatorTrust({
      ...config,
      pinnedAccounts: [createAccount().getPublicKey()],
    });
    assert.equal(pinned.authenticate(connect(userJwt(U, A), U), conn), null);
    const trust = new OperatorTrust(config);
    const src = userJwt(U, A, { src: ["::1/128", "127.0.0.0/8"] });
    assert.ok(trust.authenticate(connect(src, U), { ...conn, ip: "::ffff:127.0.0.1" }));
    assert.equal(trust.authenticate(connect(src, U), { ...conn, ip: "192.168.1.1" }), null);
    const ws = userJwt(U, A, { allowed_connection_types: ["websocket"] });
    assert.equal(trust.authenticate(connect(ws, U), conn), null);
    assert.ok(trust.authenticate(connect(ws, U), { ...conn, type: "WEBSOCKET" }));
    trust.dispose();
  });
});
