import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv, parseFlags, type FlagValues, type FlagsResult } from "../../server/conf/flags";
import { loadConfigFile } from "../../server/conf/load";
import { mergeConfig, type MergeInput, type RunConfig } from "../../server/conf/merge";
import { mapConfig, type FileConfig } from "../../server/conf/options";
import { parseConf } from "../../server/conf/parse";
import { NATS_DEFAULTS } from "../../server/nats/options";
import { createOperator, operatorJwt } from "../support/jwt";
import { MQ9_DEFAULTS } from "../../server/mq9/options";

function flags(...argv: string[]): FlagValues {
  const r = parseFlags(argv);
  assert.equal(r.kind, "run", r.kind === "error" ? r.message : r.kind);
  return (r as Extract<FlagsResult, { kind: "run" }>).flags;
}

function flagError(...argv: string[]): string {
  const r = parseFlags(argv);
  assert.equal(r.kind, "error", JSON.stringify(r));
  return (r as { message: string }).message;
}

function file(text: string): FileConfig {
  const r = mapConfig(parseConf(text, { file: "t.conf" }));
  assert.deepEqual(r.errors, []);
  return r.config;
}

function merged(input: MergeInput): RunConfig {
  const r = mergeConfig(input);
  assert.ok(r.ok, r.ok ? "" : r.message);
  return r.config;
}

function mergeError(input: MergeInput): string {
  const r = mergeConfig(input);
  assert.ok(!r.ok, "expected an error");
  return r.message;
}

describe("parseFlags: nats-server's flags", () => {
  it("reads the config file, address, port and monitoring port in every spelling", () => {
    const expected = { configFile: "a.conf", host: "127.0.0.1", port: 4333, monitorPort: 8222 };
    assert.deepEqual(
      flags("-c", "a.conf", "-a", "127.0.0.1", "-p", "4333", "-m", "8222"),
      expected,
    );
    assert.deepEqual(
      flags("--config", "a.conf", "--addr", "127.0.0.1", "--port", "4333", "--http_port", "8222"),
      expected,
    );
    assert.deepEqual(
      flags("-config=a.conf", "--net=127.0.0.1", "-port=4333", "-http_port=8222"),
      expected,
    );
    assert.deepEqual(flags("--host", "127.0.0.1"), { host: "127.0.0.1" });
  });

  it("takes -1 as any free port (our 0), the way test harnesses start nats-server", () => {
    assert.deepEqual(flags("-p", "-1", "-m", "-1"), { port: 0, monitorPort: 0 });
    assert.deepEqual(flags("--port=-1"), { port: 0 });
    // `-m 0` does not override the file (opts.go MergeOptions skips zero).
    assert.deepEqual(flags("-m", "0"), {});
  });

  it("reads credentials, logging, pid and ports-file options", () => {
    assert.deepEqual(
      flags(
        "--user",
        "u",
        "--pass",
        "p",
        "--auth",
        "t",
        "-l",
        "/tmp/log",
        "-P",
        "/tmp/pid",
        "--ports_file_dir",
        "/tmp",
        "-n",
        "srv",
      ),
      {
        user: "u",
        pass: "p",
        token: "t",
        logFile: "/tmp/log",
        pidFile: "/tmp/pid",
        portsFileDir: "/tmp",
        serverName: "srv",
      },
    );
    assert.deepEqual(flags("--log=/x"), { logFile: "/x" });
  });

  it("reads the debug and trace switches, including -DV and explicit =false", () => {
    assert.deepEqual(flags("-D"), { debug: true });
    assert.deepEqual(flags("-V"), { trace: true });
    assert.deepEqual(flags("-DV"), { debug: true, trace: true });
    assert.deepEqual(flags("-VV"), { trace: true });
    assert.deepEqual(flags("-DVV"), { debug: true, trace: true });
    assert.deepEqual(flags("--debug", "--trace"), { debug: true, trace: true });
    assert.deepEqual(flags("-DV=false"), { debug: false, trace: false });
    assert.deepEqual(flags("-T=false"), { logtime: false });
    assert.deepEqual(flags("-t", "-c", "x.conf"), { checkConfig: true, configFile: "x.conf" });
  });

  it("reads the TLS flags", () => {
    assert.deepEqual(
      flags(
        "--tls",
        "--tlscert",
        "c.pem",
        "--tlskey",
        "k.pem",
        "--tlscacert",
        "ca.pem",
        "--tlsverify",
      ),
      {
        tls: true,
        tlsCert: "c.pem",
        tlsKey: "k.pem",
        tlsCaCert: "ca.pem",
        tlsVerify: true,
      },
    );
  });

  it("accepts -js and -sd with a warning", () => {
    const r = parseFlags(["-js", "-sd", "/tmp/js", "-p", "4222"]);
    assert.equal(r.kind, "run");
    const run = r as Extract<FlagsResult, { kind: "run" }>;
    assert.deepEqual(run.flags, { port: 4222 });
    assert.deepEqual(run.warnings, [
      "option -js is ignored: JetStream is not supported",
      "option -sd is ignored: JetStream is not supported",
    ]);
  });

  it("reads the cluster flags: --cluster (--cluster_listen), --routes, and the rest", () => {
    assert.deepEqual(
      flags(
        "--cluster",
        "nats://0.0.0.0:6222",
        "--routes",
        "nats-route://u:p@10.0.0.2:6222, nats://[::1]:6223",
        "--cluster_name",
        "east",
        "--cluster_advertise",
        "east.example.com:6222",
        "--no_advertise",
        "--connect_retries",
        "3",
      ),
      {
        cluster: { host: "0.0.0.0", port: 6222, user: null, pass: null },
        routes: [
          {
            host: "10.0.0.2",
            port: 6222,
            user: "u",
            pass: "p",
            display: "nats-route://u@10.0.0.2:6222",
          },
          { host: "::1", port: 6223, user: null, pass: null, display: "nats://[::1]:6223" },
        ],
        clusterName: "east",
        clusterAdvertise: "east.example.com:6222",
        noAdvertise: true,
        connectRetries: 3,
      },
    );
    // -1 is any free port; user info is the credentials routes must present.
    assert.deepEqual(flags("-cluster_listen=nats-route://ruser:T0p%21@127.0.0.1:-1").cluster, {
      host: "127.0.0.1",
      port: 0,
      user: "ruser",
      pass: "T0p!",
    });
    assert.deepEqual(flags("--cluster", "nats://:6222").cluster, {
      host: null,
      port: 6222,
      user: null,
      pass: null,
    });
    // An empty --cluster or port 0 turns clustering off; an empty --routes clears the file's.
    assert.deepEqual(flags("--cluster", ""), { cluster: null });
    assert.deepEqual(flags("--cluster=nats://127.0.0.1:0"), { cluster: null });
    assert.deepEqual(flags("--routes="), { routes: [] });
    assert.deepEqual(flags("--no_advertise=false", "--connect_retries=0"), {
      noAdvertise: false,
      connectRetries: 0,
    });
    assert.deepEqual(flags("--cluster_advertise", "east"), { clusterAdvertise: "east" });
  });

  it("refuses bad cluster flags, without echoing passwords", () => {
    assert.match(
      flagError("--cluster", "0.0.0.0:6222"),
      /invalid value for --cluster: "0.0.0.0:6222" \(expected a URL such as nats:\/\/host:port; missing the nats-route:\/\/ or nats:\/\/ scheme\)/,
    );
    assert.match(flagError("--cluster", "nats://h"), /no port/);
    assert.match(flagError("--cluster", "nats://h:70000"), /out of range/);
    // nats-server's wording.
    assert.match(
      flagError("--cluster", "nats://ruser@h:6222"),
      /expected cluster password to be set/,
    );
    const secret = flagError("--cluster", "nats://:s3cr3t@h:6222");
    assert.match(secret, /a cluster password needs a user name/);
    assert.ok(!secret.includes("s3cr3t"), secret);
    const route = flagError("--routes", "nats://h:1,nats-route://u:s3cr3t@h");
    assert.match(
      route,
      /invalid value for --routes: "nats:\/\/h:1,nats-route:\/\/u:xxxxx@h" \(expected route URLs .*"nats-route:\/\/u:xxxxx@h": no port/,
    );
    assert.ok(!route.includes("s3cr3t"), route);
    assert.match(flagError("--routes", "tls://h:1"), /unsupported scheme "tls:\/\/"/);
    assert.match(flagError("--connect_retries", "-1"), /expected an integer, 0 or more/);
    assert.match(flagError("--connect_retries", "x"), /expected an integer/);
    assert.match(flagError("--cluster_advertise", "a:b:c"), /could not parse "a:b:c"/);
    assert.match(flagError("--cluster_name", ""), /a cluster name/);
  });

  it("answers help and version in nats-server's ways", () => {
    for (const argv of [["-h"], ["--help"], ["help"], ["-p", "1", "help"]]) {
      assert.deepEqual(parseFlags(argv), { kind: "help" }, argv.join(" "));
    }
    for (const argv of [["-v"], ["--version"], ["version"]]) {
      assert.deepEqual(parseFlags(argv), { kind: "version" }, argv.join(" "));
    }
  });

  it("refuses unknown flags, bad values, missing values and stray arguments", () => {
    assert.equal(flagError("--bogus"), "unknown option --bogus");
    assert.equal(flagError("-x=1"), "unknown option -x");
    assert.match(flagError("-p", "abc"), /invalid value "abc" for -p: expected an integer/);
    assert.match(flagError("-p", "70000"), /invalid value for -p: "70000"/);
    assert.match(flagError("-p"), /option -p needs a value/);
    assert.match(flagError("-D=maybe"), /expected true or false/);
    assert.match(flagError("-c", "a.conf", "extra"), /unexpected argument "extra"/);
    assert.match(flagError("---p", "1"), /bad flag syntax/);
    // Booleans take no separate value: "false" is then a stray argument, as in Go.
    assert.match(flagError("-D", "false"), /unexpected argument "false"/);
  });

  it("stops at -- like Go's flag package", () => {
    assert.match(flagError("-p", "1", "--", "-D"), /unexpected argument "-D"/);
  });
});

describe("parseFlags: our own flags keep working", () => {
  it("--host --port --ws-port --http-port --data, in both forms", () => {
    assert.deepEqual(
      flags(
        "--host",
        "0.0.0.0",
        "--port=5222",
        "--ws-port",
        "8080",
        "--http-port=0",
        "--data",
        "/tmp/x",
      ),
      { host: "0.0.0.0", port: 5222, wsPort: 8080, consolePort: 0, dataDir: "/tmp/x" },
    );
    assert.deepEqual(flags("--ws-port", "off"), { wsPort: null });
    assert.match(flagError("--ws-port", "nope"), /or "off"/);
    assert.match(flagError("--data", " "), /a directory path/);
  });

  it("reads MQ9_* like before, an empty variable counting as unset", () => {
    assert.deepEqual(
      parseEnv({
        MQ9_HOST: "::1",
        MQ9_PORT: "1234",
        MQ9_WS_PORT: "off",
        MQ9_HTTP_PORT: "3001",
        MQ9_DATA: "/d",
      }),
      {
        ok: true,
        values: { host: "::1", port: 1234, wsPort: null, consolePort: 3001, dataDir: "/d" },
      },
    );
    assert.deepEqual(parseEnv({ MQ9_PORT: "" }), { ok: true, values: {} });
    assert.deepEqual(parseEnv({ MQ9_PORT: "-1" }), {
      ok: false,
      message: 'invalid value for MQ9_PORT: "-1" (expected an integer from 0 to 65535)',
    });
  });
});

describe("mergeConfig", () => {
  it("uses our defaults when nothing is given", () => {
    const c = merged({ flags: {} });
    assert.deepEqual(c.broker, {
      host: "127.0.0.1",
      port: 4222,
      serverName: NATS_DEFAULTS.serverName,
      maxPayload: NATS_DEFAULTS.maxPayload,
      maxControlLine: NATS_DEFAULTS.maxControlLine,
      maxConnections: NATS_DEFAULTS.maxConnections,
      maxSubscriptions: NATS_DEFAULTS.maxSubscriptions,
      maxPending: NATS_DEFAULTS.maxPending,
      writeDeadline: NATS_DEFAULTS.writeDeadline,
      pingInterval: NATS_DEFAULTS.pingInterval,
      maxPingsOut: NATS_DEFAULTS.maxPingsOut,
    });
    assert.deepEqual(
      [
        c.websocket,
        c.consolePort,
        c.dataDir,
        c.monitor,
        c.authorization,
        c.tls,
        c.portsFileDir,
        c.pidFile,
        c.configFile,
      ],
      [null, 3000, "./data", null, null, null, null, null, null],
    );
    assert.deepEqual(c.mq9, MQ9_DEFAULTS);
    assert.deepEqual(c.log, { debug: false, trace: false, logtime: true, file: null });
  });

  it("flags beat the environment, which beats the file, which beats defaults", () => {
    const f = file(
      "listen: 10.0.0.1:5000\nhttp_port: 8222\ndebug: true\nlogtime: false\nmq9 { data_dir: /file }",
    );
    const c = merged({ flags: {}, file: f });
    assert.deepEqual(
      [c.broker.host, c.broker.port, c.monitor, c.log.debug, c.log.logtime, c.dataDir],
      ["10.0.0.1", 5000, { host: "10.0.0.1", port: 8222 }, true, false, "/file"],
    );
    const env = { host: "10.0.0.2", port: 5001, dataDir: "/env" };
    const e = merged({ flags: {}, env, file: f });
    assert.deepEqual([e.broker.host, e.broker.port, e.dataDir], ["10.0.0.2", 5001, "/env"]);
    const g = merged({
      flags: {
        host: "10.0.0.3",
        port: 0,
        monitorPort: 9000,
        debug: false,
        logtime: true,
        dataDir: "/flag",
      },
      env,
      file: f,
    });
    assert.deepEqual(
      [g.broker.host, g.broker.port, g.monitor, g.log.debug, g.log.logtime, g.dataDir],
      ["10.0.0.3", 0, { host: "10.0.0.3", port: 9000 }, false, true, "/flag"],
    );
  });

  it("takes the limits from the file and clamps mq9's payload to the NATS one", () => {
    const c = merged({ flags: {}, file: file("max_payload: 64KB\nping_interval: '30s'") });
    assert.equal(c.broker.maxPayload, 65536);
    assert.equal(c.broker.pingInterval, 30_000);
    assert.equal(c.broker.maxPending, NATS_DEFAULTS.maxPending);
    assert.equal(c.mq9.maxPayload, 65536);
  });

  it("merges --user/--pass/--auth over the file's single user, and resolves the auth timeout", () => {
    const f = file("authorization { user: derek, password: porkchop }");
    const a = merged({ flags: { pass: "other" }, file: f }).authorization;
    assert.deepEqual([a?.user, a?.password, a?.timeoutMs], ["derek", "other", 2000]);
    const t = merged({ flags: { token: "tok" } }).authorization;
    assert.deepEqual([t?.token, t?.user, t?.timeoutMs], ["tok", null, 2000]);
    const u = merged({ flags: { user: "u", pass: "p" } }).authorization;
    assert.deepEqual([u?.user, u?.password], ["u", "p"]);
    // With TLS the default auth timeout is the TLS timeout plus a second (getDefaultAuthTimeout).
    const withTls = merged({
      flags: { user: "u", pass: "p", tlsCert: "c", tlsKey: "k" },
    }).authorization;
    assert.equal(withTls?.timeoutMs, 3000);
  });

  it("refuses credential flags that clash with each other or with a users list", () => {
    assert.match(mergeError({ flags: { user: "u", token: "t" } }), /user\/password and a token/);
    assert.match(mergeError({ flags: { pass: "p" } }), /needs a user/);
    const f = file("authorization { users: [{user: a, password: b}] }");
    assert.match(
      mergeError({ flags: { user: "x", pass: "y" }, file: f }),
      /cannot be combined with the users list/,
    );
    const n = merged({
      flags: {},
      file: file("authorization { users: [{user: a, password: b}] }\nno_auth_user: a"),
    });
    assert.equal(n.authorization?.noAuthUser, "a");
  });

  it("lets --tls* flags replace the file's tls block, and --tls=false drop it", () => {
    const f = file("tls { cert_file: fc, key_file: fk, timeout: 3 }");
    assert.deepEqual(merged({ flags: {}, file: f }).tls, {
      certFile: "fc",
      keyFile: "fk",
      caFile: null,
      verify: false,
      timeoutMs: 3000,
    });
    assert.deepEqual(
      merged({ flags: { tlsCert: "c", tlsKey: "k", tlsVerify: true, tlsCaCert: "ca" }, file: f })
        .tls,
      {
        certFile: "c",
        keyFile: "k",
        caFile: "ca",
        verify: true,
        timeoutMs: 3000,
      },
    );
    assert.equal(merged({ flags: { tls: false }, file: f }).tls, null);
    assert.match(mergeError({ flags: { tls: true } }), /--tlscert/);
    assert.match(mergeError({ flags: { tlsCert: "c" } }), /--tlskey/);
  });

  it("turns WebSocket on from the file or --ws-port, and off with --ws-port off", () => {
    const f = file(
      "websocket { port: 8443, tls { cert_file: c, key_file: k }, compression: true }",
    );
    const fromFile = merged({ flags: {}, file: f }).websocket;
    assert.deepEqual(
      [fromFile?.port, fromFile?.host, fromFile?.compression, fromFile?.tls?.timeoutMs],
      [8443, "127.0.0.1", true, 2000],
    );
    const overridden = merged({ flags: { wsPort: 9000 }, file: f }).websocket;
    assert.deepEqual(
      [overridden?.port, overridden?.noTls, overridden?.tls?.certFile],
      [9000, false, "c"],
    );
    assert.equal(merged({ flags: { wsPort: null }, file: f }).websocket, null);
    assert.equal(merged({ flags: {}, env: { wsPort: null }, file: f }).websocket, null);
    // Our --ws-port alone is a plain listener, as before.
    const plain = merged({ flags: { wsPort: 0, host: "0.0.0.0" } }).websocket;
    assert.deepEqual(
      [plain?.port, plain?.noTls, plain?.tls, plain?.host],
      [0, true, null, "0.0.0.0"],
    );
  });

  it("has no cluster without a cluster block or --cluster", () => {
    const r = mergeConfig({ flags: {} });
    assert.ok(r.ok);
    assert.equal(r.config.cluster, null);
    assert.deepEqual(r.warnings, []);
  });

  it("fills the cluster from the file: nats-server's default host and auth timeout", () => {
    const c = merged({
      flags: {},
      file: file(
        "cluster {\n port: 6222\n routes: [nats-route://a:b@h:6222]\n authorization { user: r, password: s }\n}",
      ),
    }).cluster;
    assert.deepEqual(c, {
      name: null,
      host: "0.0.0.0",
      port: 6222,
      routes: [{ host: "h", port: 6222, user: "a", pass: "b", display: "nats-route://a@h:6222" }],
      authorization: { user: "r", password: "s", timeoutMs: 2000 },
      advertise: null,
      noAdvertise: false,
      connectRetries: 0,
    });
  });

  it("lets the cluster flags win over the file, as opts.go overrideCluster does", () => {
    const f = file(`cluster {
  name: file
  listen: 10.0.0.1:6222
  authorization { user: fu, password: fp, timeout: 5 }
  routes: [nats://file:1]
  advertise: file.example.com
  no_advertise: true
  connect_retries: 1
}`);
    const fromFile = merged({ flags: {}, file: f }).cluster;
    assert.deepEqual(
      [fromFile?.host, fromFile?.port, fromFile?.authorization?.user, fromFile?.routes.length],
      ["10.0.0.1", 6222, "fu", 1],
    );
    const c = merged({
      flags: flags(
        "--cluster",
        "nats://ru:rp@127.0.0.1:-1",
        "--routes",
        "nats://a:1,nats://b:2",
        "--cluster_name",
        "flag",
        "--cluster_advertise",
        "flag.example.com:7000",
        "--no_advertise=false",
        "--connect_retries",
        "4",
      ),
      file: f,
    }).cluster;
    assert.deepEqual(c, {
      name: "flag",
      host: "127.0.0.1",
      port: 0,
      routes: [
        { host: "a", port: 1, user: null, pass: null, display: "nats://a:1" },
        { host: "b", port: 2, user: null, pass: null, display: "nats://b:2" },
      ],
      // The file's timeout stays; the credentials are the URL's.
      authorization: { user: "ru", password: "rp", timeoutMs: 5000 },
      advertise: "flag.example.com:7000",
      noAdvertise: false,
      connectRetries: 4,
    });
    // --cluster without user info drops the file's credentials (overrideCluster does too).
    const open = merged({ flags: flags("--cluster", "nats://0.0.0.0:7000"), file: f }).cluster;
    assert.deepEqual([open?.port, open?.host, open?.authorization], [7000, "0.0.0.0", null]);
    assert.deepEqual(
      open?.routes.map((r) => r.display),
      ["nats://file:1"],
    );
    // An empty --routes clears the file's; --cluster "" turns clustering off.
    assert.deepEqual(merged({ flags: flags("--routes="), file: f }).cluster?.routes, []);
    assert.equal(merged({ flags: flags("--cluster="), file: f }).cluster, null);
  });

  it("gives a portless cluster block its listener from --cluster, and needs one for routes", () => {
    const f = file("cluster {\n  name: x\n  routes: [nats://h:1]\n}");
    assert.equal(
      mergeError({ flags: {}, file: f }),
      "t.conf:1:1: cluster: routes need a route listener: give the cluster block a port or listen, or use --cluster",
    );
    const c = merged({ flags: flags("--cluster", "nats://127.0.0.1:6222"), file: f }).cluster;
    assert.deepEqual([c?.name, c?.port, c?.routes.length], ["x", 6222, 1]);
    // nats-server's error for --routes with no cluster at all.
    assert.equal(
      mergeError({ flags: flags("--routes", "nats://h:1") }),
      "solicited routes require cluster capabilities, e.g. --cluster",
    );
    assert.equal(
      merged({ flags: flags("--routes", "nats://h:1", "--cluster", "nats://:1") }).cluster?.port,
      1,
    );
  });

  it("warns about cluster settings that do nothing without a listener", () => {
    const r = mergeConfig({ flags: {}, file: file("cluster {\n  name: x\n}") });
    assert.ok(r.ok);
    assert.equal(r.config.cluster, null);
    assert.deepEqual(r.warnings, [
      "t.conf:1:1: cluster has no port or listen: no route listener is started",
    ]);
    const g = mergeConfig({ flags: flags("--cluster_name", "x", "--no_advertise") });
    assert.ok(g.ok);
    assert.equal(g.config.cluster, null);
    assert.deepEqual(g.warnings, [
      "--cluster_name, --no_advertise ignored: no route listener (use --cluster)",
    ]);
  });

  it("refuses --cluster in operator mode", () => {
    const f = file(`operator: ${operatorJwt(createOperator())}\nresolver: MEMORY`);
    assert.ok(f.operator);
    assert.equal(merged({ flags: {}, file: f }).cluster, null);
    assert.equal(
      mergeError({ flags: flags("--cluster", "nats://:6222"), file: f }),
      "cluster is not supported in operator mode",
    );
  });

  it("runs a whole command line as a harness would: nats-server -c x.conf -p -1 -DV", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-conf-flags-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const conf = path.join(dir, "x.conf");
    fs.writeFileSync(
      conf,
      "listen: 127.0.0.1:4242\nauthorization { token: $TOKEN }\nmax_payload: 512KB\nports_file_dir: /tmp\njetstream {}\n",
    );
    const r = parseFlags(["-c", conf, "-p", "-1", "-DV", "-js"]);
    assert.equal(r.kind, "run");
    const { flags: f, warnings } = r as Extract<FlagsResult, { kind: "run" }>;
    const loaded = loadConfigFile(f.configFile as string, { TOKEN: "s3cr3t" });
    assert.ok(loaded.ok);
    const c = merged({ flags: f, file: loaded.config, configFile: f.configFile ?? null });
    assert.deepEqual(
      [
        c.configFile,
        c.broker.host,
        c.broker.port,
        c.broker.maxPayload,
        c.authorization?.token,
        c.portsFileDir,
        c.log.debug,
        c.log.trace,
      ],
      [conf, "127.0.0.1", 0, 512 * 1024, "s3cr3t", "/tmp", true, true],
    );
    assert.deepEqual(warnings, ["option -js is ignored: JetStream is not supported"]);
    assert.match(loaded.warnings[0] as string, /x\.conf:5:1: "jetstream" is ignored/);
  });
});
