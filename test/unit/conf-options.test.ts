import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createUser } from "nkeys.js";
import {
  accountJwt,
  createAccount,
  createOperator,
  operatorJwt,
  type KeyPair,
} from "../support/jwt";
import { parseConf } from "../../server/conf/parse";
import { loadConfigFile } from "../../server/conf/load";
import {
  formatDiagnostic,
  mapConfig,
  type FileConfig,
  type MappedConfig,
} from "../../server/conf/options";
import { haveNatsServer, NATS_SERVER_BIN } from "../support/nats-server";

// nats-server's own test configs, compared with its Go parser's reading. They are not
// vendored here: point MQ9_NATS_CONF_CORPUS at a copy (see docs/config.md) to run them.
const FIXTURES =
  process.env.MQ9_NATS_CONF_CORPUS ??
  path.join(import.meta.dirname, "../../.tmp/nats-server-2.9.10");
const HAVE_CORPUS = fs.existsSync(FIXTURES);

function map(text: string, env: Record<string, string> = {}): MappedConfig {
  return mapConfig(parseConf(text, { file: "t.conf", env }));
}

/** The config, asserting there were no errors. */
function ok(text: string): FileConfig {
  const r = map(text);
  assert.deepEqual(r.errors.map(formatDiagnostic), [], text);
  return r.config;
}

function errors(text: string): string[] {
  return map(text).errors.map(formatDiagnostic);
}

function warnings(text: string): string[] {
  return map(text).warnings.map(formatDiagnostic);
}

/** Exactly one error, at this line, matching. */
function oneError(text: string, line: number, pattern: RegExp): void {
  const errs = errors(text);
  assert.equal(errs.length, 1, `${text}\n${errs.join("\n")}`);
  assert.match(errs[0] as string, new RegExp(`^t\\.conf:${line}:\\d+: `), errs[0]);
  assert.match(errs[0] as string, pattern);
}

describe("server options", () => {
  it("maps listen, host/net, port; -1 is any free port (our 0)", () => {
    assert.deepEqual(ok("listen: 127.0.0.1:4242"), {
      limits: {},
      mq9: {},
      host: "127.0.0.1",
      port: 4242,
    });
    assert.deepEqual(ok("listen: 5222").port, 5222);
    assert.equal(ok("listen: '[::1]:4222'").host, "::1");
    assert.equal(ok("listen: localhost:-1").port, 0);
    assert.deepEqual(
      [ok("net: 0.0.0.0\nport: 4333").host, ok("net: 0.0.0.0\nport: 4333").port],
      ["0.0.0.0", 4333],
    );
    assert.equal(ok("host: example.com").host, "example.com");
    assert.equal(ok("port: -1").port, 0);
    // nats-server reads port 0 as its default port, not a random one.
    assert.equal(ok("port: 0").port, undefined);
    assert.equal(ok("listen: 127.0.0.1:0").port, undefined);
    assert.equal(ok("server_name: testing_server").serverName, "testing_server");
  });

  it("maps the monitoring port from http, http_port and monitor_port; 0 leaves it off", () => {
    assert.deepEqual(ok("http: 8222").monitor, { port: 8222 });
    assert.deepEqual(ok("http: 127.0.0.1:8233").monitor, { host: "127.0.0.1", port: 8233 });
    assert.deepEqual(ok("http_port: 8222").monitor, { port: 8222 });
    assert.deepEqual(ok("monitor_port: -1").monitor, { port: 0 });
    assert.equal(ok("http_port: 0").monitor, undefined);
  });

  it("maps the limits, with sizes and nats-server's 'zero means default'", () => {
    const c = ok(`max_payload: 64KB
max_control_line: 2048
max_pending: 10MB
max_connections: 100
max_subscriptions: 1000
ping_interval: "2m"
ping_max: 3
write_deadline: "1m30s"`);
    assert.deepEqual(c.limits, {
      maxPayload: 65536,
      maxControlLine: 2048,
      maxPending: 10 * 1024 * 1024,
      maxConnections: 100,
      maxSubscriptions: 1000,
      pingInterval: 120_000,
      maxPingsOut: 3,
      writeDeadline: 90_000,
    });
    assert.deepEqual(ok("max_subs: 7\nmax_conn: 9").limits, {
      maxSubscriptions: 7,
      maxConnections: 9,
    });
    assert.deepEqual(ok("max_payload: 0\nmax_connections: 0\nping_max: 0").limits, {});
    // Negative max_connections is unlimited in nats-server (server.go: MaxConn > 0).
    assert.deepEqual(ok("max_connections: -1").limits, { maxConnections: 0 });
    assert.deepEqual(ok('ping_interval: "500ms"').limits, { pingInterval: 500 });
  });

  it("reads a plain number as seconds for ping_interval and write_deadline, with nats-server's warning", () => {
    const r = map("write_deadline = 5\nping_interval: 30");
    assert.deepEqual(r.config.limits, { writeDeadline: 5000, pingInterval: 30_000 });
    assert.deepEqual(r.warnings.map(formatDiagnostic), [
      't.conf:1:1: write_deadline: a plain number is read as seconds; write it as a duration, e.g. "5s"',
      't.conf:2:1: ping_interval: a plain number is read as seconds; write it as a duration, e.g. "30s"',
    ]);
  });

  it("reads durations with Go's syntax (time.ParseDuration)", () => {
    const table: [string, number][] = [
      ["0", 0],
      ["2s", 2000],
      ["1m30s", 90_000],
      ["1.5h", 5_400_000],
      [".5s", 500],
      ["300ms", 300],
      ["1h2m3s4ms", 3_723_004],
      ["2000us", 2],
      ["2000µs", 2],
      ["+10s", 10_000],
    ];
    for (const [text, ms] of table) {
      assert.equal(ok(`ping_interval: "${text}"`).limits.pingInterval ?? 0, ms, text);
    }
    for (const text of ["5", "s", "1x", "1.5.5s", "", "1 s", "-"]) {
      oneError(`ping_interval: "${text}"`, 1, /invalid duration/);
    }
  });

  it("maps logging, ports file, pid file, no_auth_user", () => {
    const c = ok(`debug: true
trace: on
logtime: false
log_file: "/tmp/x.log"
pid_file: "/tmp/x.pid"
ports_file_dir: "/tmp"
authorization { users: [{user: a, password: b}] }
no_auth_user: a`);
    assert.equal(c.debug, true);
    assert.equal(c.trace, true);
    assert.equal(c.logtime, false);
    assert.equal(c.logFile, "/tmp/x.log");
    assert.equal(c.pidFile, "/tmp/x.pid");
    assert.equal(c.portsFileDir, "/tmp");
    assert.equal(c.noAuthUser, "a");
  });

  it("maps lame_duck_duration and lame_duck_grace_period (duration strings only)", () => {
    const c = ok('lame_duck_duration: "1m30s"\nlame_duck_grace_period: "0s"');
    assert.equal(c.lameDuckDurationMs, 90_000);
    assert.equal(c.lameDuckGracePeriodMs, 0);
    assert.equal(ok('lame_duck_grace_period: "250ms"').lameDuckGracePeriodMs, 250);
  });

  it("matches option names case-insensitively, as nats-server does", () => {
    assert.equal(ok("PORT: 4000").port, 4000);
    assert.equal(ok("Max_Payload: 1KB").limits.maxPayload, 1024);
  });
});

describe("authorization", () => {
  it("single user, token, timeout", () => {
    assert.deepEqual(
      ok("authorization { user: derek, password: porkchop, timeout: 1 }").authorization,
      {
        user: "derek",
        password: "porkchop",
        token: null,
        timeoutMs: 1000,
        users: [],
        nkeys: [],
        defaultPermissions: null,
      },
    );
    const t = ok('authorization { token: "s3cr3t", timeout: 0.5 }').authorization;
    assert.deepEqual([t?.token, t?.timeoutMs], ["s3cr3t", 500]);
    assert.equal(
      ok('authorization { username: u, pass: p, timeout: "3s" }').authorization?.timeoutMs,
      3000,
    );
  });

  it("users with bcrypt passwords, permissions (lists, allow/deny, responses), defaults and connection types", () => {
    const c = ok(`authorization {
  admin = { publish = ">", subscribe = ">" }
  default_permissions = { subscribe = "PUBLIC.>" }
  users = [
    {user: alice, password: "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly", permissions: $admin}
    {user: bob, password: bar, permissions: {
      publish: { allow: ["req.foo", "req.bar"], deny: "req.secret" }
      subscribe: { deny: ["$SYS.>"] }
    }}
    {user: svc, password: pc, permissions: { subscribe: "svc.req", allow_responses: true }}
    {user: svc2, password: pc, permissions: { subscribe: ["svc.req", "svc.q queue1"], allow_responses: { max: 10, expires: "1m" } }}
    {user: joe, password: j, allowed_connection_types: ["standard", "WEBSOCKET"]}
  ]
}`);
    const a = c.authorization;
    assert.ok(a);
    const byName = Object.fromEntries(a.users.map((u) => [u.user, u]));
    assert.equal(
      byName.alice?.password,
      "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly",
    );
    assert.deepEqual(byName.alice?.permissions, {
      publish: { allow: [">"], deny: null },
      subscribe: { allow: [">"], deny: null },
      response: null,
    });
    assert.deepEqual(byName.bob?.permissions, {
      publish: { allow: ["req.foo", "req.bar"], deny: ["req.secret"] },
      subscribe: { allow: null, deny: ["$SYS.>"] },
      response: null,
    });
    // allow_responses turns off the blanket publish allow (opts.go parseUserPermissions).
    assert.deepEqual(byName.svc?.permissions, {
      publish: { allow: [], deny: null },
      subscribe: { allow: ["svc.req"], deny: null },
      response: { maxMsgs: 1, expiresMs: 120_000 },
    });
    assert.deepEqual(byName.svc2?.permissions?.response, { maxMsgs: 10, expiresMs: 60_000 });
    assert.deepEqual(byName.svc2?.permissions?.subscribe?.allow, ["svc.req", "svc.q queue1"]);
    // Users without permissions get the default ones.
    assert.deepEqual(byName.joe?.permissions, a.defaultPermissions);
    assert.deepEqual(a.defaultPermissions?.subscribe, { allow: ["PUBLIC.>"], deny: null });
    assert.deepEqual(byName.joe?.allowedConnectionTypes, ["STANDARD", "WEBSOCKET"]);
  });

  it("nkey users, checked to be public user keys", () => {
    const key = createUser().getPublicKey();
    const c = ok(
      `authorization { users: [ {nkey: ${key}, permissions: {publish: "x"}}, {user: a, password: b} ] }`,
    );
    assert.deepEqual(c.authorization?.nkeys, [
      {
        nkey: key,
        permissions: { publish: { allow: ["x"], deny: null }, subscribe: null, response: null },
        allowedConnectionTypes: null,
      },
    ]);
    assert.deepEqual(
      c.authorization?.users.map((u) => u.user),
      ["a"],
    );
    const broken = key.slice(0, 10) + (key[10] === "A" ? "B" : "A") + key.slice(11);
    oneError(`authorization { users: [ {nkey: ${broken}} ] }`, 1, /not a valid public user nkey/);
    oneError(
      `authorization { users: [ {nkey: ${createAccount().getPublicKey()}} ] }`,
      1,
      /not a valid public user nkey/,
    );
    oneError(
      `authorization { users: [ {nkey: ${key}, password: x} ] }`,
      1,
      /takes no user name or password/,
    );
  });

  it("refuses conflicting and duplicate credentials, like nats-server", () => {
    oneError(
      "authorization = {\n  user = foo\n  pass = bar\n  token = baz\n}",
      1,
      /user\/password and a token/,
    );
    oneError(
      "authorization = {\n  token = s3cr3t\n  users = [ {user: foo, pass: bar} ]\n}",
      1,
      /token and a users list/,
    );
    oneError(
      "authorization = {\n  user = u1\n  users = [ {user: u2, pass: p} ]\n}",
      1,
      /single user\/password and a users list/,
    );
    oneError(
      "authorization = {\n users = [\n {user: u1, pass: p}\n {user: u1, pass: p}\n ]\n}",
      4,
      /duplicate user "u1"/,
    );
    oneError("authorization { users = [ {pass: x} ] }", 1, /needs a user or an nkey/);
    oneError("authorization { password: x }", 1, /a password needs a user/);
  });

  it("reports unknown fields at their line, except keys used as variables", () => {
    oneError(
      "authorization = {\n  user = hello\n  foo = bar\n  password = world\n}",
      3,
      /unknown option "foo" in authorization/,
    );
    oneError(
      "authorization = {\n  users = [\n    {\n      user = foo\n      pass = bar\n      token = quux\n    }\n  ]\n}",
      6,
      /unknown option "token"/,
    );
    oneError(
      "authorization {\n  permissions {\n    subscribe = {}\n    inboxes = {}\n  }\n}",
      4,
      /unknown option "inboxes"/,
    );
    oneError(
      'authorization {\n  permissions {\n    publish = {\n      allow = ["x"]\n      denied = ["y"]\n    }\n  }\n}',
      5,
      /"denied".*only allow and deny/,
    );
    // config_check_test.go: the role maps are variables; `unused` is not.
    const text = `
listen: 127.0.0.1:4222
authorization {
  super_user = { publish = ">", subscribe = ">" }
  default_user = { subscribe = "PUBLIC.>" }
  unused = "hello"
  default_permissions: $default_user
  users = [ {user: alice, password: foo, permissions: $super_user}, {user: susan, password: baz} ]
}`;
    oneError(text, 6, /unknown option "unused"/);
    assert.deepEqual(
      errors("monitoring_port = 8222\nhttp_port = $monitoring_port\nport = 4222"),
      [],
    );
  });

  it("checks value types and subjects", () => {
    oneError(
      "authorization = {\n  users = false\n}",
      2,
      /users: expected an array of users, got the boolean false/,
    );
    oneError("authorization = {\n  users = [false]\n}", 2, /users\[0\]: expected a map/);
    oneError("authorization = {\n  permissions = false\n}", 2, /expected a map/);
    oneError(
      'authorization {\n  permissions {\n    publish = {\n      allow = [false, "hello"]\n    }\n  }\n}',
      4,
      /allow\[0\]: expected a string, got the boolean false/,
    );
    oneError(
      'authorization {\n  permissions {\n    publish = {\n      allow = ["foo..bar"]\n    }\n  }\n}',
      4,
      /subject "foo..bar" is not a valid subject/,
    );
    oneError(
      'authorization { users: [{user: a, allowed_connection_types: ["UNKNOWN"]}] }',
      1,
      /unknown connection type "UNKNOWN"/,
    );
    oneError(
      "authorization { users: [{user: a, allowed_connection_types: 123}] }",
      1,
      /a string or an array of strings/,
    );
    oneError(
      'authorization { permissions: { publish: "x", allow_responses: { expires: 5 } } }',
      1,
      /duration string/,
    );
  });

  it("requires no_auth_user to name a configured user (auth.go validateNoAuthUser)", () => {
    oneError("no_auth_user: bob", 1, /no users are defined/);
    oneError(
      "authorization { users: [{user: a, password: b}] }\nno_auth_user: bob",
      2,
      /not a user/,
    );
  });
});

describe("tls, websocket and mq9 blocks", () => {
  it("maps tls and requires both the certificate and the key", () => {
    assert.deepEqual(
      ok(
        'tls {\n  cert_file: "./server.pem"\n  key_file: "./key.pem"\n  ca_file: ca.pem\n  verify: true\n  timeout: "2s"\n}',
      ).tls,
      {
        certFile: "./server.pem",
        keyFile: "./key.pem",
        caFile: "ca.pem",
        verify: true,
        timeoutMs: 2000,
      },
    );
    assert.equal(ok("tls { cert_file: a, key_file: b, timeout: 0.5 }").tls?.timeoutMs, 500);
    oneError('tls {\n  cert_file: "a.pem"\n}', 1, /needs both cert_file and key_file/);
    oneError("tls { cert_file: a, key_file: b, hello: 1 }", 1, /unknown option "hello" in tls/);
    oneError(
      "tls { cert_file: a, key_file: b, verify_and_map: true }",
      1,
      /verify_and_map is not supported/,
    );
    assert.deepEqual(
      warnings('tls { cert_file: a, key_file: b, cipher_suites: ["TLS_AES_128_GCM_SHA256"] }'),
      ["t.conf:1:34: tls.cipher_suites is ignored (Node's TLS defaults apply)"],
    );
    oneError("tls { cert_file: a, key_file: b, curve_preferences: [] }", 1, /cannot be empty/);
    // allow_non_tls is a top-level option in nats-server 2.9.10 (opts.go), not a tls one.
    assert.equal(ok("allow_non_tls: true").allowNonTls, true);
    assert.equal(ok("allow_non_tls: false").allowNonTls, false);
  });

  it("maps websocket, which needs TLS or no_tls as in nats-server", () => {
    const ws = ok(`websocket {
  port: 8080
  host: 127.0.0.1
  no_tls: true
  compression: true
  same_origin: true
  allowed_origins: ["http://example.com", "https://x.io:8443"]
  handshake_timeout: "5s"
}`).websocket;
    assert.deepEqual(ws, {
      port: 8080,
      host: "127.0.0.1",
      noTls: true,
      tls: null,
      compression: true,
      sameOrigin: true,
      allowedOrigins: ["http://example.com", "https://x.io:8443"],
      handshakeTimeoutMs: 5000,
    });
    assert.deepEqual(
      ok("ws { listen: '127.0.0.1:-1', no_tls: true, handshake_timeout: 3 }").websocket?.port,
      0,
    );
    assert.equal(ok("websocket { port: 0 }").websocket?.port, null);
    const tls = ok("websocket { port: 443, tls { cert_file: c, key_file: k } }").websocket?.tls;
    assert.equal(tls?.certFile, "c");
    oneError("websocket {\n  port: 8080\n}", 1, /needs a tls \{ \} block, or no_tls: true/);
    oneError(
      "websocket { port: 8080, no_tls: true, authorization { user: a } }",
      1,
      /websocket.authorization is not supported/,
    );
    oneError("websocket { port: 1, no_tls: true, allowed_origins: ['not a url'] }", 1, /not a URL/);
    assert.deepEqual(warnings("websocket { port: 1, no_tls: true, advertise: 'x:1' }").length, 1);
  });

  it("reads websocket_test.go's TestWSParseOptions examples the same way", () => {
    // Their listeners have no TLS; nats-server refuses those at start, so no_tls is added.
    const ws = (body: string) => ok(`websocket { no_tls: true\n${body}\n}`).websocket;
    assert.equal(ws("listen: 1234")?.port, 1234);
    assert.deepEqual(
      [ws('listen: "localhost:1234"')?.host, ws('listen: "localhost:1234"')?.port],
      ["localhost", 1234],
    );
    assert.equal(ws('host: "localhost"')?.host, "localhost");
    assert.equal(ws("port: 1234")?.port, 1234);
    assert.equal(ws("same_origin: true")?.sameOrigin, true);
    assert.deepEqual(ws('allowed_origins: "https://host.com/"')?.allowedOrigins, [
      "https://host.com/",
    ]);
    assert.deepEqual(
      ws('allowed_origins: [\n "https://host1.com/"\n "https://host2.com/"\n]')?.allowedOrigins,
      ["https://host1.com/", "https://host2.com/"],
    );
    assert.equal(ws("handshake_timeout: 3")?.handshakeTimeoutMs, 3000);
    assert.equal(ws('handshake_timeout: "4s"')?.handshakeTimeoutMs, 4000);
    assert.equal(ws("compression: true")?.compression, true);
    assert.equal(
      ws('tls {\n cert_file: "./configs/certs/server.pem"\n key_file: "./configs/certs/key.pem"\n}')
        ?.tls?.keyFile,
      "./configs/certs/key.pem",
    );
    const negative: [string, RegExp][] = [
      ["websocket: []", /expected a map/],
      ["websocket: { listen: [] }", /a port or "host:port"/],
      ['websocket: { port: "abc" }', /expected a port number/],
      ["websocket: { host: 123 }", /expected a string/],
      ["websocket: { tls: 123 }", /expected a map/],
      ['websocket: { same_origin: "abc" }', /expected true or false/],
      ["websocket: { allowed_origins: {} }", /a string or an array of strings/],
      ["websocket: { allowed_origins: [ {} ] }", /expected a string/],
      ["websocket: { handshake_timeout: [] }", /a duration/],
      ['websocket: { handshake_timeout: "abc" }', /invalid duration/],
      [
        "websocket: { this_does_not_exist: 123 }",
        /unknown option "this_does_not_exist" in websocket/,
      ],
    ];
    for (const [text, pattern] of negative) oneError(text, 1, pattern);
  });

  it("maps mq9, durations in seconds or as strings, sizes with suffixes", () => {
    const c = ok(`mq9 {
  default_ttl: "1h"
  max_ttl: 86400
  allow_no_expiry: true
  notify_ttl: "5m"
  max_messages_per_mailbox: 500
  max_bytes_per_mailbox: 16MB
  creates_per_minute: 60
  dead_letter_retention: 0
  max_payload: 64KB
  data_dir: "/var/lib/mq9"
}`);
    assert.deepEqual(c.mq9, {
      defaultTtl: 3600,
      maxTtl: 86400,
      allowNoExpiry: true,
      notifyTtl: 300,
      maxMessagesPerMailbox: 500,
      maxBytesPerMailbox: 16 * 1024 * 1024,
      createsPerMinute: 60,
      deadLetterRetention: 0,
      maxPayload: 65536,
    });
    assert.equal(c.dataDir, "/var/lib/mq9");
  });

  it("refuses bad mq9 values", () => {
    oneError("mq9 {\n  default_ttl: -5\n}", 2, /out of range/);
    oneError('mq9 {\n  max_ttl: "1500ms"\n}', 2, /whole number of seconds/);
    oneError("mq9 {\n  max_ttl: 0\n}", 2, /greater than 0/);
    oneError(
      "mq9 { default_ttl: 100, max_ttl: 10 }",
      1,
      /default_ttl \(100\) is above max_ttl \(10\)/,
    );
    oneError("mq9 { default_ttl: 0 }", 1, /needs allow_no_expiry/);
    oneError("mq9 { max_payload: 2MB }", 1, /cannot be higher than max_payload/);
    oneError("mq9 { colour: blue }", 1, /unknown option "colour" in mq9/);
    oneError('mq9 { data_dir: "" }', 1, /must not be empty/);
  });
});

describe("operator (JWT) mode", () => {
  const O = createOperator();
  const A = createAccount();
  const B = createAccount();
  const S = createAccount();
  const op = operatorJwt(O);
  const preload = (...accs: KeyPair[]) =>
    `resolver_preload: {\n${accs.map((a) => `  ${a.getPublicKey()}: ${accountJwt(a, O)}`).join("\n")}\n}`;

  it("maps operator, resolver: MEMORY, resolver_preload and system_account", () => {
    const c = ok(
      `operator: ${op}\nresolver: MEMORY\nsystem_account: ${S.getPublicKey()}\n${preload(A, S)}`,
    );
    assert.deepEqual(c.operator?.trustedKeys, [O.getPublicKey()]);
    assert.equal(c.operator?.systemAccount, S.getPublicKey());
    assert.deepEqual(Object.keys(c.operator?.accounts ?? {}), [A.getPublicKey(), S.getPublicKey()]);
    // nats-server's warning when there is no system account.
    assert.match(
      warnings(`operator: ${op}\nresolver: MEM\n${preload(A)}`)[0]!,
      /should utilize a System Account/,
    );
  });

  it("refuses what nats-server refuses, with its wording", () => {
    oneError(`operator: ${op}`, 1, /operators require an account resolver to be configured/);
    oneError(`operator: ${op}\nresolver: URL("http://x/jwt")`, 2, /only MEMORY is supported/);
    oneError(
      `operator: ${op}\nresolver: MEMORY\nauthorization { users: [{user: a, password: b}] }`,
      3,
      /operators do not allow users to be configured directly/,
    );
    oneError(
      `operator: ${op}\nresolver: MEMORY\nresolver_preload: { ${A.getPublicKey()}: "x.y.z" }`,
      3,
      /invalid account JWT/,
    );
    oneError(
      `operator: ${op}\nresolver: MEMORY\nsystem_account: ${S.getPublicKey()}\n${preload(A)}`,
      3,
      /error resolving system account: account missing/,
    );
    oneError(
      `operator: ${operatorJwt(O, { system_account: A.getPublicKey() })}\nresolver: MEMORY\nsystem_account: ${S.getPublicKey()}\n${preload(A, S)}`,
      3,
      /system_account in config and operator JWT must be identical/,
    );
    oneError(
      `operator: ${operatorJwt(O, { assert_server_version: "3.0.0" })}\nresolver: MEMORY`,
      1,
      /expected major version 3 > server major version 2/,
    );
  });

  it("refuses a cluster block: routes would carry no account JWTs", () => {
    oneError(
      `operator: ${op}\nresolver: MEMORY\ncluster {\n  port: 6222\n}`,
      3,
      /cluster is not supported in operator mode/,
    );
  });

  it("refuses a second account: one subject namespace, one account", () => {
    oneError(
      `operator: ${op}\nresolver: MEMORY\n${preload(A, B)}`,
      3,
      /holds 2 accounts besides the system account/,
    );
  });
});

describe("cluster", () => {
  it("maps name, listen, routes, authorization, advertise, no_advertise, connect_retries", () => {
    const c = ok(`cluster {
  name: "abc"
  listen: 127.0.0.1:4244
  authorization {
    user: route_user
    password: top_secret
    timeout: 0.5
  }
  routes = [
    nats-route://foo:bar@127.0.0.1:4245
    "nats://[::1]:4246"
  ]
  advertise: "cluster.example.com:7244"
  no_advertise: true
  connect_retries: 2
}`).cluster;
    assert.deepEqual(c, {
      pos: { file: "t.conf", line: 1, column: 1 },
      name: "abc",
      host: "127.0.0.1",
      port: 4244,
      routes: [
        {
          host: "127.0.0.1",
          port: 4245,
          user: "foo",
          pass: "bar",
          display: "nats-route://foo@127.0.0.1:4245",
        },
        { host: "::1", port: 4246, user: null, pass: null, display: "nats://[::1]:4246" },
      ],
      user: "route_user",
      password: "top_secret",
      authTimeoutMs: 500,
      advertise: "cluster.example.com:7244",
      noAdvertise: true,
      connectRetries: 2,
    });
  });

  it("reads ports, hosts and aliases as nats-server does: -1 any port, 0 none", () => {
    const cl = (body: string) => ok(`cluster {\n${body}\n}`).cluster;
    assert.deepEqual([cl("port: 6222")?.port, cl("port: 6222")?.host], [6222, null]);
    assert.equal(cl("port: -1")?.port, 0);
    assert.equal(cl("port: 0")?.port, null);
    assert.equal(cl("listen: '127.0.0.1:0'")?.port, null);
    assert.deepEqual([cl("listen: 7000")?.port, cl("listen: 7000")?.host], [7000, null]);
    assert.deepEqual(
      [cl("listen: 'localhost:-1'")?.host, cl("listen: 'localhost:-1'")?.port],
      ["localhost", 0],
    );
    assert.equal(cl("net: 10.0.0.1\nport: 1")?.host, "10.0.0.1");
    assert.equal(cl("host: 10.0.0.2\nport: 1")?.host, "10.0.0.2");
    assert.equal(cl("cluster_advertise: 'h'")?.advertise, "h");
    assert.equal(cl("advertise: '[::1]:7000'")?.advertise, "[::1]:7000");
    assert.equal(cl("advertise: ''")?.advertise, null);
    assert.equal(cl("name: ''")?.name, null);
    // One URL is taken as a list of one (nats-server wants an array).
    assert.equal(cl("routes: 'nats://h:1'")?.routes[0]?.display, "nats://h:1");
    assert.deepEqual(cl("routes: []")?.routes, []);
    // Percent-encoded user info, as Go's url.Parse decodes it.
    const r = cl("routes: ['nats-route://a%40b:p%3Aq@h:1']")?.routes[0];
    assert.deepEqual([r?.user, r?.pass, r?.display], ["a@b", "p:q", "nats-route://a%40b@h:1"]);
    // A cluster block with no port is kept: --cluster can give it its listener.
    assert.equal(cl("name: x")?.port, null);
    assert.equal(ok("CLUSTER { PORT: 5 }").cluster?.port, 5);
  });

  it("reads cluster authorization: one user, a timeout in seconds or as a duration", () => {
    const a = (body: string) => ok(`cluster { port: 1, authorization { ${body} } }`).cluster;
    assert.deepEqual(
      [a("username: u, pass: p")?.user, a("username: u, pass: p")?.password],
      ["u", "p"],
    );
    assert.equal(a('user: u, password: p, timeout: "3s"')?.authTimeoutMs, 3000);
    assert.equal(a("user: u, password: p, timeout: 2")?.authTimeoutMs, 2000);
    // 0 is nats-server's default, not "no time at all".
    assert.equal(a("user: u, password: p, timeout: 0")?.authTimeoutMs, null);
    // A user alone must present an empty password (auth.go isRouterAuthorized).
    assert.deepEqual([a("user: u")?.user, a("user: u")?.password], ["u", ""]);
    assert.deepEqual([a("timeout: 1")?.user, a("timeout: 1")?.password], [null, null]);
  });

  it("drops a repeated route with nats-server's warning, never showing the password", () => {
    const r = map(
      "cluster {\n port: 1\n routes: [\n nats-route://u:secret@h:1\n nats-route://u:secret@h:1\n ]\n}",
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.config.cluster?.routes.length, 1);
    assert.deepEqual(r.warnings.map(formatDiagnostic), [
      't.conf:5:2: cluster.routes[1]: duplicate route "nats-route://u:xxxxx@h:1" ignored',
    ]);
  });

  it("refuses bad values with their line", () => {
    oneError("cluster {\n  port: 70000\n}", 2, /cluster.port: 70000 is out of range/);
    oneError("cluster {\n  listen: 'x'\n}", 2, /cluster.listen: could not parse address "x"/);
    oneError("cluster {\n  name: 5\n}", 2, /cluster.name: expected a string/);
    oneError("cluster: 6222", 1, /cluster: expected a map/);
    oneError("cluster {\n  no_advertise: 'yes'\n}", 2, /expected true or false/);
    oneError("cluster {\n  connect_retries: -1\n}", 2, /connect_retries: -1 is out of range/);
    oneError(
      "cluster {\n  advertise: 'a:b:c'\n}",
      2,
      /cluster.advertise: could not parse "a:b:c" as host or host:port/,
    );
    oneError("cluster {\n  routes: 5\n}", 2, /a route URL or an array of them/);
    oneError(
      "cluster {\n  authorization {\n    timeout: 'x'\n  }\n}",
      3,
      /cluster.authorization.timeout: invalid duration/,
    );
    oneError("cluster {\n  colour: blue\n}", 2, /unknown option "colour" in cluster/);
    oneError(
      "cluster {\n  authorization {\n    user: u\n    hello: 1\n  }\n}",
      4,
      /unknown option "hello" in cluster.authorization/,
    );
  });

  it("refuses route URLs without a port or with another scheme, hiding passwords", () => {
    const table: [string, RegExp][] = [
      ["nats://h", /no port \(a route needs host:port\), got "nats:\/\/h"/],
      ["h:6222", /missing the nats-route:\/\/ or nats:\/\/ scheme/],
      ["tls://h:1", /unsupported scheme "tls:\/\/"/],
      ["nats://:1", /no host/],
      ["nats://h:0", /port 0 is out of range \(1 to 65535\)/],
      ["nats-route://u:secret@h", /got "nats-route:\/\/u:xxxxx@h"/],
      ["nats://u:%zz@h:1", /bad percent-encoding/],
    ];
    for (const [url, pattern] of table) {
      const errs = errors(`cluster {\n port: 1\n routes: [\n  nats://ok:1\n  "${url}"\n ]\n}`);
      assert.equal(errs.length, 1, errs.join("\n"));
      assert.match(errs[0] as string, /^t\.conf:5:3: cluster\.routes\[1\]: /);
      assert.match(errs[0] as string, pattern);
      assert.ok(!(errs[0] as string).includes("secret"));
    }
  });

  it("refuses what would change where messages go or weaken the routes", () => {
    oneError(
      "cluster {\n  port: 1\n  tls { cert_file: a, key_file: b }\n}",
      3,
      /cluster.tls is not supported: this broker has no cluster TLS/,
    );
    oneError(
      "cluster {\n  permissions { import: foo, export: bar }\n}",
      2,
      /cluster.permissions is not supported: this broker has no route permissions/,
    );
    oneError(
      "cluster {\n  authorization {\n    user: u\n    permissions { publish: x }\n  }\n}",
      4,
      /cluster.authorization.permissions is not supported/,
    );
    for (const key of ["pool_size: 3", "compression: s2_auto", "accounts: [A]"]) {
      oneError(`cluster {\n  ${key}\n}`, 2, /is not supported \(routes as in nats-server 2.9\)/);
    }
    // At the authorization block, as nats-server reports them.
    oneError(
      "cluster {\n  authorization {\n    users: [{user: a, password: b}]\n  }\n}",
      2,
      /cluster.authorization: cluster authorization does not allow multiple users/,
    );
    oneError(
      "cluster {\n  authorization {\n    token: t\n  }\n}",
      2,
      /cluster authorization does not support tokens/,
    );
    // nats-server would take any route then (an empty user name means no check).
    oneError(
      "cluster {\n  authorization {\n    password: p\n  }\n}",
      2,
      /cluster.authorization: a password needs a user/,
    );
  });
});

describe("options we do not support", () => {
  it("warns for options that are safe to ignore", () => {
    const w = warnings(`server_tags: ["a"]
leafnodes { port: 7422 }
gateway { name: A }
jetstream { store_dir: /tmp }
mqtt { port: 1883 }
accounts { A: {} }`);
    assert.equal(w.length, 6);
    assert.match(w[0] as string, /^t\.conf:1:1: "server_tags" is ignored/);
    assert.match(
      w[1] as string,
      /^t\.conf:2:1: "leafnodes" is ignored: this broker does not support leaf nodes/,
    );
  });

  it("refuses options whose absence would open the server or re-route messages", () => {
    oneError(
      "accounts {\n  A { users: [{user: a, password: b}] }\n}",
      1,
      /account "A" defines users/,
    );
    oneError("operator: /x.jwt", 1, /error parsing operator JWT: open \/x\.jwt/);
    oneError('mappings { "a": "b" }', 1, /subject mappings/);
  });

  it("calls anything else an unknown option", () => {
    oneError('\n                monitor = "127.0.0.1:4442"\n', 2, /unknown option "monitor"/);
    oneError(
      '"default_permissions" {\n  publish = ["_SANDBOX.>"]\n}',
      1,
      /unknown option "default_permissions"/,
    );
  });

  it("reports every bad value with file:line:col, not just the first", () => {
    const errs = errors(
      'port: "abc"\nmax_payload: -1\nping_interval: "2x"\ndebug: "yes"\nmax_connections: 1.5',
    );
    assert.deepEqual(errs, [
      't.conf:1:7: port: expected a port number, got the string "abc"',
      "t.conf:2:14: max_payload: -1 is out of range (from 0 to 2147483647)",
      't.conf:3:16: ping_interval: invalid duration "2x" (e.g. "2s", "1m30s", "500ms")',
      't.conf:4:8: debug: expected true or false, got the string "yes"',
      "t.conf:5:18: max_connections: expected an integer, got the number 1.5",
    ]);
  });
});

// --- nats-server's own test configs ---

/** Fragments and files with deliberate errors; everything else must map cleanly or only warn. */
const CORPUS_FAILURES: Readonly<Record<string, RegExp>> = {
  // Fragments meant to be included: nats-server also calls these keys unknown.
  "conf/includes/passwords.conf": /unknown option "ALICE_PASS"/,
  "conf/includes/users.conf": /unknown option "users"/,
  "server/configs/gws.conf": /unknown option "gateways"/,
  "server/configs/include_conf_check_b.conf": /unknown option "monitoring_port"/,
  "test/configs/auths.conf": /unknown option "ADMIN"/,
  // Deliberately bad (nats-server rejects them too).
  "server/configs/include_bad_conf_check_a.conf":
    /include_bad_conf_check_b\.conf:10:19: unknown option "monitoring_port"/,
  "server/configs/include_bad_conf_check_b.conf": /:10:19: unknown option "monitoring_port"/,
  "server/configs/malformed_cluster_address.conf": /:3:21: expected ','/,
  "server/configs/malformed_listen_address.conf": /:2:19: expected a new line/,
  "server/configs/multiple_errors.conf":
    /:2:1: authorization: cannot have a user\/password and a token/,
  "server/configs/reload/invalid.conf": /:2:7: expected a value, found a new line/,
  "server/configs/reload/reload.conf": /cannot read include file "platform.conf"/,
  "server/configs/tls_empty_cipher.conf": /cipher_suites: cannot be empty/,
  "server/configs/tls_empty_curve_prefs.conf": /curve_preferences: cannot be empty/,
  // Features we refuse rather than ignore (nats-server accepts them).
  "server/configs/accounts.conf": /account "synadia" defines users/,
  "test/configs/multi_accounts.conf": /account "engineering" defines users/,
  "server/configs/js-op.conf": /resolver: only MEMORY is supported/,
  // Their operator JWT files (test/configs/nkeys/) are not in the corpus.
  "test/configs/operator.conf": /error parsing operator JWT: ENOENT/,
  "test/configs/resolver_preload.conf": /error parsing operator JWT: ENOENT/,
  "test/configs/tls_cert_cn.conf": /verify_and_map is not supported/,
  "test/configs/tls_cert_id.conf": /verify_and_map is not supported/,
  "test/configs/tls_cert_san_auth.conf": /verify_and_map is not supported/,
  "test/configs/tls_cert_san_emails.conf": /verify_and_map is not supported/,
  // Cluster TLS and route permissions: routes would be plain text, or carry what the
  // permissions keep back.
  "server/configs/seed_tls.conf": /:11:3: cluster.tls is not supported/,
  "test/configs/srv_a_tls.conf": /:9:3: cluster.tls is not supported/,
  "test/configs/srv_b_tls.conf": /:9:3: cluster.tls is not supported/,
  "test/configs/srv_a_perms.conf": /:16:3: cluster.permissions is not supported/,
  "test/configs/tls_cert_cn_routes.conf": /:11:3: cluster.permissions is not supported/,
  "test/configs/tls_cert_cn_routes_invalid_auth.conf": /:3:3: cluster.tls is not supported/,
};

function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(FIXTURES, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(".conf")) out.push(rel);
    }
  };
  walk(".");
  return out.map((f) => path.normalize(f)).sort();
}

function loadFixture(rel: string) {
  return loadConfigFile(path.join(FIXTURES, rel), {});
}

describe(
  "nats-server 2.9.10's own config files, mapped",
  { skip: !HAVE_CORPUS && "no corpus (MQ9_NATS_CONF_CORPUS)" },
  () => {
    it("map without errors, or fail for the known reason", () => {
      const files = corpusFiles();
      assert.equal(files.length, 97);
      let clean = 0;
      for (const file of files) {
        const r = loadFixture(file);
        const expected = CORPUS_FAILURES[file];
        if (expected) {
          assert.equal(r.ok, false, `${file} should fail`);
          assert.ok(
            !r.ok && r.errors.some((e) => expected.test(e)),
            `${file}: ${r.ok ? "" : r.errors.join("\n")}`,
          );
        } else {
          assert.deepEqual(r.ok ? [] : r.errors, [], file);
          clean++;
        }
      }
      assert.equal(clean, 97 - Object.keys(CORPUS_FAILURES).length);
    });

    it("server/configs/test.conf: every supported value", () => {
      const r = loadFixture("server/configs/test.conf");
      assert.ok(r.ok);
      assert.deepEqual(r.config, {
        serverName: "testing_server",
        host: "127.0.0.1",
        port: 4242,
        monitor: { port: 8222 },
        authorization: {
          user: "derek",
          password: "porkchop",
          token: null,
          timeoutMs: 1000,
          users: [],
          nkeys: [],
          defaultPermissions: null,
        },
        debug: false,
        trace: true,
        logtime: false,
        pidFile: "/tmp/nats-server/nats-server.pid",
        limits: {
          maxConnections: 100,
          maxSubscriptions: 1000,
          maxPending: 10_000_000,
          maxControlLine: 2048,
          maxPayload: 65536,
          pingInterval: 60_000,
          maxPingsOut: 3,
          writeDeadline: 3000,
        },
        lameDuckDurationMs: 4 * 60_000,
        mq9: {},
      });
      assert.deepEqual(
        r.warnings.map((w) => /"(\w+)" is ignored/.exec(w)?.[1]),
        [
          "http_base_path",
          "syslog",
          "remote_syslog",
          "prof_port",
          "connect_error_reports",
          "reconnect_error_reports",
        ],
      );
    });

    it("cluster.conf, listen.conf, srv_a_bcrypt.conf, multiple_errors.conf: cluster blocks", () => {
      const r = loadFixture("server/configs/cluster.conf");
      assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
      const { pos, ...cluster } = r.config.cluster ?? { pos: null };
      assert.equal(pos?.line, 14);
      assert.deepEqual(cluster, {
        name: "abc",
        host: "127.0.0.1",
        port: 4244,
        routes: [
          {
            host: "127.0.0.1",
            port: 4245,
            user: "foo",
            pass: "bar",
            display: "nats-route://foo@127.0.0.1:4245",
          },
          {
            host: "127.0.0.1",
            port: 4246,
            user: "foo",
            pass: "bar",
            display: "nats-route://foo@127.0.0.1:4246",
          },
        ],
        user: "route_user",
        password: "top_secret",
        authTimeoutMs: 1000,
        advertise: null,
        noAdvertise: true,
        connectRetries: 2,
      });
      const listen = loadFixture("server/configs/listen.conf");
      assert.ok(listen.ok);
      assert.deepEqual(
        [listen.config.cluster?.host, listen.config.cluster?.port, listen.config.cluster?.name],
        ["127.0.0.1", 4244, "abc"],
      );
      const bcrypt = loadFixture("server/configs/srv_a_bcrypt.conf");
      assert.ok(bcrypt.ok);
      assert.match(bcrypt.config.cluster?.password ?? "", /^\$2a\$10\$/);
      // config_check_test.go expects this line and reason.
      const multi = loadFixture("server/configs/multiple_errors.conf");
      assert.ok(!multi.ok);
      assert.ok(
        multi.errors.some((e) =>
          /multiple_errors\.conf:67:3: cluster\.authorization: cluster authorization does not allow multiple users/.test(
            e,
          ),
        ),
        multi.errors.join("\n"),
      );
    });

    it("authorization.conf: role maps as variables, default permissions, allow_responses", () => {
      const r = loadFixture("server/configs/authorization.conf");
      assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
      const users = Object.fromEntries(
        (r.config.authorization?.users ?? []).map((u) => [u.user, u]),
      );
      assert.deepEqual(Object.keys(users), ["alice", "bob", "susan", "svca", "svcb"]);
      assert.deepEqual(users.alice?.permissions?.publish, { allow: ["*"], deny: null });
      assert.deepEqual(users.bob?.permissions?.publish, {
        allow: ["req.foo", "req.bar"],
        deny: null,
      });
      assert.deepEqual(users.susan?.permissions?.subscribe, { allow: ["PUBLIC.>"], deny: null });
      assert.deepEqual(users.svca?.permissions?.response, { maxMsgs: 1, expiresMs: 120_000 });
      assert.deepEqual(users.svcb?.permissions?.response, { maxMsgs: 10, expiresMs: 60_000 });
    });

    it("includes: simple.conf pulls users and bcrypt passwords from two levels of includes", () => {
      const r = loadFixture("conf/simple.conf");
      assert.ok(r.ok);
      assert.equal(r.config.authorization?.timeoutMs, 500);
      assert.deepEqual(
        r.config.authorization?.users.map((u) => [u.user, u.password]),
        [
          ["alice", "$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q"],
          ["bob", "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly"],
        ],
      );
      const a = loadFixture("server/configs/include_conf_check_a.conf");
      assert.ok(a.ok);
      assert.deepEqual(
        [a.config.port, a.config.monitor?.port, a.config.authorization?.user],
        [4222, 8222, "foo"],
      );
    });

    it("tls.conf, tlsverify.conf, multi_user.conf, override.conf, new_style_authorization.conf", () => {
      const tls = loadFixture("server/configs/tls.conf");
      assert.ok(tls.ok);
      assert.deepEqual(tls.config.tls, {
        certFile: "./configs/certs/server.pem",
        keyFile: "./configs/certs/key.pem",
        caFile: null,
        verify: false,
        timeoutMs: 2000,
      });
      const verify = loadFixture("test/configs/tlsverify.conf");
      assert.ok(verify.ok);
      assert.equal(verify.config.tls?.verify, true);
      assert.ok(verify.config.tls?.caFile);
      const multi = loadFixture("test/configs/multi_user.conf");
      assert.ok(multi.ok);
      assert.deepEqual(multi.config.monitor, { host: "127.0.0.1", port: 8233 });
      assert.deepEqual(
        multi.config.authorization?.users.map((u) => u.user),
        ["alice", "bob"],
      );
      const override = loadFixture("test/configs/override.conf");
      assert.ok(override.ok);
      assert.equal(override.config.limits.maxPayload, 2222);
      const ns = loadFixture("server/configs/new_style_authorization.conf");
      assert.ok(ns.ok);
      const bob = ns.config.authorization?.users.find((u) => u.user === "bob");
      assert.deepEqual(bob?.permissions?.subscribe, { allow: null, deny: ["foo", "bar", "baz"] });
    });
  },
);

describe("loadConfigFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-conf-load-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads includes from disk and variables from the environment", () => {
    fs.writeFileSync(path.join(dir, "limits.conf"), "max_payload: 512KB\n");
    const main = path.join(dir, "main.conf");
    fs.writeFileSync(main, "port: $MQ9_TEST_PORT\ninclude limits.conf\n");
    const r = loadConfigFile(main, { MQ9_TEST_PORT: "4333" });
    assert.ok(r.ok);
    assert.deepEqual([r.config.port, r.config.limits.maxPayload], [4333, 512 * 1024]);
  });

  it("returns errors, not exceptions, for a missing file, bad syntax and bad values", () => {
    const missing = loadConfigFile(path.join(dir, "nope.conf"), {});
    assert.ok(!missing.ok && /cannot read config file/.test(missing.errors[0] as string));
    const bad = path.join(dir, "bad.conf");
    fs.writeFileSync(bad, "port: 1\nlisten = [1,,2]\n");
    const syntax = loadConfigFile(bad, {});
    assert.ok(!syntax.ok);
    assert.deepEqual(syntax.errors, [`${bad}:2:13: unexpected ',' where an array value should be`]);
    fs.writeFileSync(bad, "port: 99999\nleafnodes {}\n");
    const value = loadConfigFile(bad, {});
    assert.ok(!value.ok);
    assert.deepEqual(value.errors, [`${bad}:1:7: port: 99999 is out of range (from -1 to 65535)`]);
    assert.deepEqual(value.warnings, [
      `${bad}:2:1: "leafnodes" is ignored: this broker does not support leaf nodes`,
    ]);
  });
});

// --- the same bad files given to Debian's nats-server ---

type NatsVerdict =
  /** `nats-server -t` reports an error. */
  | "rejects"
  /** `-t` passes, but the server refuses to start. */
  | "refuses to start"
  /** nats-server accepts it: we are stricter, on purpose. */
  | "accepts";

const BAD_FILES: [string, RegExp, NatsVerdict][] = [
  ['port: "abc"', /port: expected a port number/, "rejects"],
  ["max_payload: 3GB", /max_payload: .* out of range/, "rejects"],
  ["max_control_line: 3GB", /out of range/, "rejects"],
  ['ping_interval: "2x"', /invalid duration "2x"/, "rejects"],
  ['debug: "yes"', /expected true or false/, "rejects"],
  ["max_connections: 1.5", /expected an integer/, "rejects"],
  ['http: "localhost"', /could not parse address "localhost"/, "rejects"],
  ["foo_bar: 1", /unknown option "foo_bar"/, "rejects"],
  ["authorization { user: a, password: b, token: c }", /user\/password and a token/, "rejects"],
  [
    "authorization {\n users: [{user: a, password: x}]\n user: b\n}",
    /single user\/password and a users list/,
    "rejects",
  ],
  ["authorization { users: [{user: a}, {user: a}] }", /duplicate user "a"/, "rejects"],
  ['authorization { users: [{nkey: "UBAD"}] }', /not a valid public user nkey/, "rejects"],
  [
    'authorization {\n users: [\n {user: a, permissions: { publish: "foo..bar" } }\n ]\n}',
    /not a valid subject/,
    "rejects",
  ],
  [
    'authorization { permissions: { publish: { allowed: ["x"] } } }',
    /only allow and deny/,
    "rejects",
  ],
  ["authorization { users: false }", /expected an array of users/, "rejects"],
  ["authorization { users: [false] }", /expected a map/, "rejects"],
  [
    'authorization { users: [{user: a, allowed_connection_types: ["BOGUS"]}] }',
    /unknown connection type/,
    "rejects",
  ],
  ['tls { cert_file: "a.pem" }', /needs both cert_file and key_file/, "rejects"],
  ['allow_non_tls: "yes"', /expected true or false/, "rejects"],
  [
    "tls { cert_file: a, key_file: b, allow_non_tls: true }",
    /unknown option "allow_non_tls" in tls/,
    "rejects",
  ],
  [
    "websocket { port: 8080, no_tls: true, allow_non_tls: true }",
    /unknown option "allow_non_tls" in websocket/,
    "rejects",
  ],
  ['websocket { port: 8080, no_tls: true, handshake_timeout: "x" }', /invalid duration/, "rejects"],
  [
    "websocket {\n port: 8080, no_tls: true\n allowed_origins: [1 ]\n}",
    /expected a string/,
    "rejects",
  ],
  ['lame_duck_duration: "10s"', /10s is too short, the minimum is 30 seconds/, "rejects"],
  ["lame_duck_duration: 60", /expected a duration string/, "rejects"],
  ['lame_duck_grace_period: "-1s"', /cannot be negative/, "rejects"],
  [
    'lame_duck_grace_period: "3m"',
    /lame_duck_grace_period \(3m0s\) must be shorter than lame_duck_duration \(2m0s\)/,
    "refuses to start",
  ],
  [
    'lame_duck_duration: "40s"\nlame_duck_grace_period: "40s"',
    /\(40s\) must be shorter than lame_duck_duration \(40s\)/,
    "refuses to start",
  ],
  ["no_auth_user: bob", /no users are defined/, "refuses to start"],
  ["websocket { port: 8080 }", /needs a tls/, "refuses to start"],
  ["max_payload: 100MB", /cannot be higher than max_pending/, "refuses to start"],
  [
    "max_pending: 512KB",
    /max_payload \(1048576\) cannot be higher than max_pending \(524288\)/,
    "refuses to start",
  ],
  ["cluster { port: -1, pool_size: 3 }", /cluster.pool_size is not supported/, "rejects"],
  [
    "cluster { port: -1, authorization { users: [{user: a, password: b}] } }",
    /does not allow multiple users/,
    "rejects",
  ],
  ["cluster { port: -1, authorization { token: t } }", /does not support tokens/, "rejects"],
  ["cluster { port: -1, colour: blue }", /unknown option "colour" in cluster/, "rejects"],
  ['cluster { port: -1, advertise: "a:b:c" }', /could not parse "a:b:c"/, "refuses to start"],
  ["cluster { port: -1, permissions { import: x } }", /no route permissions/, "accepts"],
  [
    "cluster { port: -1, authorization { user: u, permissions { publish: x } } }",
    /no route permissions/,
    "accepts",
  ],
  ["cluster { port: -1, authorization { password: p } }", /a password needs a user/, "accepts"],
  ["cluster { port: -1, routes: [nats://h] }", /no port/, "accepts"],
  ['cluster { port: -1, routes: ["h:1"] }', /missing the nats-route/, "accepts"],
  ["cluster { port: -1, connect_retries: -1 }", /out of range/, "accepts"],
  ["max_payload: -1", /out of range/, "accepts"],
  ["max_pending: -5", /out of range/, "accepts"],
  ['write_deadline: "-1s"', /cannot be negative/, "accepts"],
  ["ping_max: -1", /out of range/, "accepts"],
  ["authorization { password: x }", /a password needs a user/, "accepts"],
  ["accounts { A { users: [{user: a, password: b}] } }", /defines users/, "accepts"],
];

describe("bad files, against Debian's nats-server", () => {
  it("each is refused by us with a line-numbered reason", () => {
    for (const [text, pattern] of BAD_FILES) {
      const errs = errors(text);
      assert.ok(errs.length > 0, text);
      assert.match(errs[0] as string, /^t\.conf:\d+:\d+: /);
      assert.ok(
        errs.some((e) => pattern.test(e)),
        `${text}\n${errs.join("\n")}`,
      );
    }
  });

  it("nats-server 2.9.10 agrees where the table says so", { skip: !haveNatsServer() }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-conf-nats-"));
    try {
      BAD_FILES.forEach(([text, , verdict], i) => {
        const file = path.join(dir, `bad${i}.conf`);
        fs.writeFileSync(file, `${text}\n`);
        const check = spawnSync(NATS_SERVER_BIN, ["-c", file, "-t"], {
          encoding: "utf8",
          timeout: 5000,
        });
        // -t exits 1 on warnings too; only lines other than "invalid use of field" are errors.
        const checkErrors = check.stderr
          .split("\n")
          .filter((l) => l.trim() !== "" && !/invalid use of field|is valid/.test(l));
        if (verdict === "rejects") {
          assert.ok(checkErrors.length > 0, `nats-server -t accepted: ${text}`);
          return;
        }
        assert.deepEqual(checkErrors, [], `nats-server -t rejected: ${text}`);
        if (verdict === "refuses to start") {
          // Fails in option validation, before it listens on anything.
          const start = spawnSync(NATS_SERVER_BIN, ["-c", file, "-a", "127.0.0.1", "-p", "-1"], {
            encoding: "utf8",
            timeout: 5000,
            killSignal: "SIGKILL",
          });
          assert.equal(start.status, 1, `nats-server started with: ${text}\n${start.stderr}`);
        }
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
