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

  it("accepts -js, -sd and clustering flags with a warning", () => {
    const r = parseFlags([
      "-js",
      "-sd",
      "/tmp/js",
      "--cluster",
      "nats://0.0.0.0:6222",
      "-p",
      "4222",
    ]);
    assert.equal(r.kind, "run");
    const run = r as Extract<FlagsResult, { kind: "run" }>;
    assert.deepEqual(run.flags, { port: 4222 });
    assert.deepEqual(run.warnings, [
      "option -js is ignored: JetStream is not supported",
      "option -sd is ignored: JetStream is not supported",
      "option --cluster is ignored: clustering is not supported",
    ]);
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
