import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  programName,
  reloadConfig,
  resolveConfig,
  usage,
  type ReadFile,
  type ResolveResult,
  type RunConfig,
} from "../../server/config";
import { unsupportedSettings } from "../../server/broker-service";
import { listenerUrls, portsFilePath, portsJson } from "../../server/ports-file";
import { MQ9_DEFAULTS } from "../../server/mq9/options";
import { NATS_DEFAULTS } from "../../server/nats/options";

type Run = Extract<ResolveResult, { kind: "run" }>;
type Failure = Extract<ResolveResult, { kind: "error" }>;

/** Config files held in memory: resolveConfig reads through this instead of the disk. */
function files(entries: Record<string, string>): ReadFile {
  return (file) => {
    const text = entries[file];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
    return text;
  };
}

function run(r: ResolveResult): Run {
  assert.equal(r.kind, "run", r.kind === "error" ? r.errors.join("; ") : r.kind);
  return r as Run;
}

function config(r: ResolveResult): RunConfig {
  return run(r).config;
}

function failure(r: ResolveResult): Failure {
  assert.equal(r.kind, "error", JSON.stringify(r));
  return r as Failure;
}

function error(r: ResolveResult): string {
  return failure(r).errors.join("; ");
}

/** The settings our own flags and MQ9_* variables control, as the old Config had them. */
function ours(c: RunConfig) {
  return {
    host: c.broker.host,
    port: c.broker.port,
    wsPort: c.websocket?.port ?? null,
    httpPort: c.consolePort,
    dataDir: c.dataDir,
  };
}

describe("resolveConfig: our flags and MQ9_* variables, as before", () => {
  it("uses the documented defaults with no flags and no environment", () => {
    const c = config(resolveConfig([], {}));
    assert.deepEqual(ours(c), {
      host: "127.0.0.1",
      port: 4222,
      wsPort: null,
      httpPort: 3000,
      dataDir: "./data",
    });
    assert.equal(c.configFile, null);
    assert.equal(c.broker.maxPayload, NATS_DEFAULTS.maxPayload);
    assert.deepEqual(c.mq9, MQ9_DEFAULTS);
    assert.deepEqual(c.log, { debug: false, trace: false, logtime: true, file: null });
    assert.deepEqual(run(resolveConfig([], {})).warnings, []);
  });

  it("reads every flag, in both --flag value and --flag=value forms", () => {
    const c = config(
      resolveConfig(
        [
          "--host",
          "0.0.0.0",
          "--port=5222",
          "--ws-port",
          "8080",
          "--http-port=0",
          "--data",
          "/tmp/x",
        ],
        {},
      ),
    );
    assert.deepEqual(ours(c), {
      host: "0.0.0.0",
      port: 5222,
      wsPort: 8080,
      httpPort: 0,
      dataDir: "/tmp/x",
    });
    // --ws-port alone is a plain listener on the main host.
    assert.deepEqual(
      [c.websocket?.host, c.websocket?.noTls, c.websocket?.tls],
      ["0.0.0.0", true, null],
    );
  });

  it("reads every environment variable", () => {
    const c = config(
      resolveConfig([], {
        MQ9_HOST: "::1",
        MQ9_PORT: "1",
        MQ9_WS_PORT: "65535",
        MQ9_HTTP_PORT: "8000",
        MQ9_DATA: "state dir",
      }),
    );
    assert.deepEqual(ours(c), {
      host: "::1",
      port: 1,
      wsPort: 65535,
      httpPort: 8000,
      dataDir: "state dir",
    });
  });

  it("lets a flag win over its environment variable", () => {
    const c = config(resolveConfig(["--port", "7000"], { MQ9_PORT: "6000", MQ9_HOST: "10.0.0.1" }));
    assert.equal(c.broker.port, 7000);
    assert.equal(c.broker.host, "10.0.0.1");
  });

  it("treats an empty environment variable as unset", () => {
    assert.equal(config(resolveConfig([], { MQ9_PORT: "" })).broker.port, 4222);
  });

  it("turns the WebSocket port off with 'off', also over the environment", () => {
    assert.equal(
      config(resolveConfig(["--ws-port", "off"], { MQ9_WS_PORT: "9000" })).websocket,
      null,
    );
    assert.equal(config(resolveConfig([], { MQ9_WS_PORT: "off" })).websocket, null);
  });

  it("keeps the last of a repeated flag", () => {
    assert.equal(config(resolveConfig(["--port", "1", "--port", "2"], {})).broker.port, 2);
  });

  for (const bad of ["65536", "123456", "-2"]) {
    it(`rejects port ${JSON.stringify(bad)} with a message naming the flag and the range`, () => {
      const msg = error(resolveConfig([`--port=${bad}`], {}));
      assert.match(msg, /--port/);
      assert.match(msg, /0 to 65535/);
    });
  }

  for (const bad of ["4.5", "abc", "", " 42", "0x10", "1e3"]) {
    it(`rejects port ${JSON.stringify(bad)} as not an integer, naming the flag`, () => {
      const msg = error(resolveConfig([`--port=${bad}`], {}));
      assert.match(msg, /--port/);
      assert.match(msg, /integer/);
    });
  }

  it("takes -1 as any free port (our 0), as nats-server does; not from MQ9_PORT", () => {
    assert.equal(config(resolveConfig(["--port=-1"], {})).broker.port, 0);
    assert.equal(config(resolveConfig(["-p", "-1"], {})).broker.port, 0);
    assert.match(error(resolveConfig([], { MQ9_PORT: "-1" })), /MQ9_PORT: "-1"/);
  });

  it("names the environment variable when its value is bad", () => {
    assert.match(error(resolveConfig([], { MQ9_HTTP_PORT: "http" })), /MQ9_HTTP_PORT: "http"/);
  });

  it("accepts the port bounds 0 and 65535", () => {
    assert.equal(config(resolveConfig(["--port", "0"], {})).broker.port, 0);
    assert.equal(config(resolveConfig(["--port", "65535"], {})).broker.port, 65535);
  });

  it("rejects unknown options, stray arguments and missing values, pointing at --help", () => {
    const unknown = failure(resolveConfig(["--prot", "1"], {}));
    assert.match(unknown.errors[0] as string, /unknown option --prot/);
    assert.equal(unknown.usage, true);
    assert.match(error(resolveConfig(["4222"], {})), /unexpected argument "4222"/);
    assert.match(error(resolveConfig(["--port"], {})), /--port needs a value/);
    // Go's flag package takes the next argument as the value, whatever it looks like.
    assert.match(error(resolveConfig(["--port", "--host", "x"], {})), /"--host" for --port/);
  });

  it("rejects a host with spaces or an empty host, from a flag or the environment", () => {
    assert.match(error(resolveConfig(["--host", "a b"], {})), /--host/);
    assert.match(error(resolveConfig(["--host="], {})), /--host/);
    assert.match(error(resolveConfig([], { MQ9_HOST: "a b" })), /MQ9_HOST: "a b"/);
  });

  it("asks for help with --help, even after other flags, and for the version with -v", () => {
    assert.equal(resolveConfig(["--port", "1", "--help"], {}).kind, "help");
    assert.equal(resolveConfig(["-h"], {}).kind, "help");
    assert.equal(resolveConfig(["--version"], {}).kind, "version");
  });

  it("reports a bad environment variable even when a flag would override it", () => {
    // A broken environment is a mistake worth surfacing, not something to paper over.
    assert.equal(resolveConfig(["--port", "1"], { MQ9_PORT: "x" }).kind, "error");
  });
});

describe("resolveConfig: nats-server's flags and config file", () => {
  const conf = [
    "listen: 10.0.0.1:5000",
    "max_payload: 64KB",
    "max_connections: 10",
    "ping_interval: '30s'",
    "debug: true",
    "websocket { port: 8080, no_tls: true, compression: true }",
    "mq9 { default_ttl: 120, data_dir: /file }",
  ].join("\n");
  const read = files({ "x.conf": conf });

  it("reads the file's settings when nothing else sets them", () => {
    const c = config(resolveConfig(["-c", "x.conf"], {}, read));
    assert.equal(c.configFile, "x.conf");
    assert.deepEqual(
      [c.broker.host, c.broker.port, c.broker.maxPayload, c.broker.maxConnections],
      ["10.0.0.1", 5000, 65536, 10],
    );
    assert.equal(c.broker.pingInterval, 30_000);
    assert.equal(c.log.debug, true);
    assert.deepEqual([c.websocket?.port, c.websocket?.compression], [8080, true]);
    assert.equal(c.mq9.defaultTtl, 120);
    // mq9.md §11: mq9's payload limit follows the NATS one down.
    assert.equal(c.mq9.maxPayload, 65536);
    assert.equal(c.dataDir, "/file");
  });

  it("puts flags over the environment, the environment over the file, the file over defaults", () => {
    const env = { MQ9_HOST: "10.0.0.2", MQ9_PORT: "5001", MQ9_DATA: "/env", MQ9_WS_PORT: "off" };
    const e = config(resolveConfig(["-c", "x.conf"], env, read));
    assert.deepEqual(
      [e.broker.host, e.broker.port, e.dataDir, e.websocket],
      ["10.0.0.2", 5001, "/env", null],
    );
    const f = config(
      resolveConfig(
        [
          "-c",
          "x.conf",
          "-a",
          "10.0.0.3",
          "-p",
          "-1",
          "--data",
          "/flag",
          "--ws-port",
          "0",
          "-D=false",
        ],
        env,
        read,
      ),
    );
    assert.deepEqual(
      [f.broker.host, f.broker.port, f.dataDir, f.websocket?.port, f.log.debug],
      ["10.0.0.3", 0, "/flag", 0, false],
    );
    // What no flag or variable touches still comes from the file.
    assert.equal(f.broker.maxPayload, 65536);
    assert.equal(f.websocket?.compression, true);
  });

  it("takes the logging flags: -DV, -l, -T=false", () => {
    const c = config(resolveConfig(["-DV", "-l", "/tmp/mq9.log", "-T=false"], {}));
    assert.deepEqual(c.log, { debug: true, trace: true, logtime: false, file: "/tmp/mq9.log" });
    assert.deepEqual(config(resolveConfig(["-V"], {})).log.trace, true);
  });

  it("takes --ports_file_dir and -P", () => {
    const c = config(resolveConfig(["--ports_file_dir", "/tmp/p", "-P", "/tmp/x.pid"], {}));
    assert.deepEqual([c.portsFileDir, c.pidFile], ["/tmp/p", "/tmp/x.pid"]);
  });

  it("expands $VARIABLES from the environment and follows includes", () => {
    const read2 = files({
      "/etc/mq9/main.conf": "include limits.conf\nport: $PORT\n",
      "/etc/mq9/limits.conf": "max_payload: 1KB\n",
    });
    const c = config(resolveConfig(["-c", "/etc/mq9/main.conf"], { PORT: "4999" }, read2));
    assert.deepEqual([c.broker.port, c.broker.maxPayload], [4999, 1024]);
  });

  it("warns about ignored flags and options, the file's with file:line:col", () => {
    const r = run(
      resolveConfig(["-c", "w.conf", "-js"], {}, files({ "w.conf": "port: 4333\nleafnodes {}\n" })),
    );
    assert.deepEqual(r.warnings[0], "option -js is ignored: JetStream is not supported");
    assert.match(r.warnings[1] as string, /^w\.conf:2:1: "leafnodes" is ignored/);
  });

  it("fails on a bad file with the line and the reason, not pointing at --help", () => {
    const bad = failure(
      resolveConfig(
        ["-c", "bad.conf"],
        {},
        files({ "bad.conf": "port: 4333\nmax_payload: lots\n" }),
      ),
    );
    assert.equal(bad.usage, false);
    assert.equal(bad.checkOnly, false);
    assert.match(bad.errors[0] as string, /^bad\.conf:2:\d+: .*max_payload/);

    const syntax = error(resolveConfig(["-c", "s.conf"], {}, files({ "s.conf": "a {\n b: 1\n" })));
    assert.match(syntax, /^s\.conf:\d+:\d+: /);

    const unknown = error(resolveConfig(["-c", "u.conf"], {}, files({ "u.conf": "\n\nbogus: 1" })));
    assert.match(unknown, /^u\.conf:3:1: unknown option "bogus"/);
  });

  it("keeps the warnings it found before an error", () => {
    const r = failure(
      resolveConfig(["-c", "m.conf"], {}, files({ "m.conf": "jetstream {}\nport: x\n" })),
    );
    assert.match(r.warnings[0] as string, /m\.conf:1:1: "jetstream" is ignored/);
    assert.match(r.errors[0] as string, /m\.conf:2:/);
  });

  it("fails on a missing file, naming it", () => {
    assert.match(
      error(resolveConfig(["-c", "nope.conf"], {}, files({}))),
      /cannot read config file: .*nope\.conf/,
    );
  });

  it("fails on settings that clash across sources", () => {
    assert.match(error(resolveConfig(["--tls"], {})), /--tlscert/);
    assert.match(error(resolveConfig(["--pass", "p"], {})), /needs a user/);
  });

  it("puts the cluster flags over the file's cluster block", () => {
    const read3 = files({
      "c.conf": [
        "cluster {",
        "  name: abc",
        "  listen: 127.0.0.1:4244",
        "  authorization { user: route_user, password: top_secret, timeout: 1 }",
        "  routes: [ nats-route://foo:bar@127.0.0.1:4245 ]",
        "  no_advertise: true",
        "}",
      ].join("\n"),
    });
    const fromFile = config(resolveConfig(["-c", "c.conf"], {}, read3)).cluster;
    assert.deepEqual(fromFile, {
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
      ],
      authorization: { user: "route_user", password: "top_secret", timeoutMs: 1000 },
      advertise: null,
      noAdvertise: true,
      connectRetries: 0,
    });
    // How nats-server's tests start a server from such a file on a free port.
    const c = config(
      resolveConfig(
        [
          "-c",
          "c.conf",
          "--cluster",
          "nats-route://ru:rp@127.0.0.1:-1",
          "--routes",
          "nats-route://ru:rp@127.0.0.1:7000",
          "--cluster_name",
          "xyz",
          "--no_advertise=false",
        ],
        {},
        read3,
      ),
    ).cluster;
    assert.deepEqual(
      [c?.name, c?.host, c?.port, c?.authorization, c?.routes.map((r) => r.port), c?.noAdvertise],
      ["xyz", "127.0.0.1", 0, { user: "ru", password: "rp", timeoutMs: 1000 }, [7000], false],
    );
    assert.equal(config(resolveConfig(["-c", "c.conf", "--cluster="], {}, read3)).cluster, null);
    // Only flags: nats-server's default cluster host.
    const flagsOnly = config(resolveConfig(["--cluster", "nats://:6222"], {})).cluster;
    assert.deepEqual([flagsOnly?.host, flagsOnly?.port, flagsOnly?.routes], ["0.0.0.0", 6222, []]);
  });

  it("refuses cluster settings that cannot work, and warns about ones that do nothing", () => {
    assert.equal(
      error(resolveConfig(["--routes", "nats://h:1"], {})),
      "solicited routes require cluster capabilities, e.g. --cluster",
    );
    const bad = failure(resolveConfig(["--cluster", "h:1"], {}));
    assert.equal(bad.usage, true);
    assert.match(bad.errors[0] as string, /invalid value for --cluster: "h:1"/);
    const portless = files({ "p.conf": "port: 4333\ncluster {\n  routes: [nats://h:1]\n}" });
    assert.match(
      error(resolveConfig(["-c", "p.conf"], {}, portless)),
      /^p\.conf:2:1: cluster: routes need a route listener/,
    );
    const r = run(resolveConfig(["-c", "n.conf"], {}, files({ "n.conf": "cluster { name: x }" })));
    assert.equal(r.config.cluster, null);
    assert.deepEqual(r.warnings, [
      "n.conf:1:1: cluster has no port or listen: no route listener is started",
    ]);
  });

  it("-t: checks the file instead of running; needs -c, as nats-server", () => {
    const ok = run(resolveConfig(["-t", "-c", "x.conf"], {}, read));
    assert.equal(ok.checkOnly, true);
    const noFile = failure(resolveConfig(["-t"], {}));
    assert.equal(noFile.checkOnly, true);
    assert.match(noFile.errors[0] as string, /must specify \[-c, --config\] option/);
    const bad = failure(resolveConfig(["-t", "-c", "b.conf"], {}, files({ "b.conf": "port: x" })));
    assert.equal(bad.checkOnly, true);
    assert.match(bad.errors[0] as string, /^b\.conf:1:/);
  });
});

describe("--signal <command>[=<pid>] (nats-server -sl)", () => {
  it("names the signal and the pid, from the command line or a pid file", () => {
    assert.deepEqual(resolveConfig(["--signal", "ldm=123"], {}), {
      kind: "signal",
      pid: 123,
      signal: "SIGUSR2",
    });
    const fromFile = resolveConfig(
      ["-sl", "reload=/run/x.pid"],
      {},
      files({ "/run/x.pid": "77\n" }),
    );
    assert.deepEqual(fromFile, { kind: "signal", pid: 77, signal: "SIGHUP" });
    const signals = ["stop", "quit", "reopen", "reload", "ldm", "term"].map((c) => {
      const r = resolveConfig(["--signal", `${c}=1`], {});
      return r.kind === "signal" ? r.signal : r.kind;
    });
    assert.deepEqual(signals, ["SIGKILL", "SIGINT", "SIGUSR1", "SIGHUP", "SIGUSR2", "SIGTERM"]);
    // Before the config file is read, as in nats-server.
    assert.equal(
      resolveConfig(["-c", "missing.conf", "--signal", "ldm=5"], {}, files({})).kind,
      "signal",
    );
  });

  it("refuses unknown commands, bad pids and a missing pid with nats-server's wording", () => {
    assert.equal(error(resolveConfig(["--signal", "nap=1"], {})), 'unknown signal "nap"');
    assert.equal(error(resolveConfig(["--signal", "ldm=abc"], {}, files({}))), "invalid pid: abc");
    assert.equal(
      error(resolveConfig(["--signal", "ldm=1=2"], {})),
      "invalid signal parameters: [2]",
    );
    // 0 and negative pids would signal a process group or every process: refused.
    assert.equal(error(resolveConfig(["--signal", "stop=-1"], {}, files({}))), "invalid pid: -1");
    assert.equal(error(resolveConfig(["--signal", "stop=0"], {}, files({}))), "invalid pid: 0");
    assert.match(error(resolveConfig(["--signal", "ldm"], {})), /no pid given/);
  });
});

describe("what the broker refuses until it supports it", () => {
  it("accepts authorization and TLS from the file or the flags", () => {
    assert.deepEqual(unsupportedSettings(config(resolveConfig([], {}))), []);
    const token = config(resolveConfig(["--auth", "s3cr3t"], {}));
    assert.deepEqual(unsupportedSettings(token), []);
    assert.equal(token.authorization?.token, "s3cr3t");
    const users = config(
      resolveConfig(
        ["-c", "a.conf"],
        {},
        files({ "a.conf": "authorization { user: a, password: b }" }),
      ),
    );
    assert.deepEqual(unsupportedSettings(users), []);
    assert.equal(users.authorization?.user, "a");
    const tls = config(resolveConfig(["--tlscert", "c.pem", "--tlskey", "k.pem"], {}));
    assert.deepEqual(unsupportedSettings(tls), []);
    assert.equal(tls.tls?.certFile, "c.pem");
    const wss = config(
      resolveConfig(
        ["-c", "w.conf"],
        {},
        files({ "w.conf": "websocket { port: 8443, tls { cert_file: c, key_file: k } }" }),
      ),
    );
    assert.deepEqual(unsupportedSettings(wss), []);
    assert.equal(wss.websocket?.tls?.keyFile, "k");
  });
});

describe("reloadConfig", () => {
  it("reads the file again under the same flags", () => {
    const r = reloadConfig(
      ["-c", "x.conf", "-p", "-1"],
      {},
      files({ "x.conf": "port: 5000\nmax_payload: 2KB" }),
    );
    assert.ok(r.ok);
    assert.deepEqual([r.config.broker.port, r.config.broker.maxPayload], [0, 2048]);
  });

  it("fails without a config file, or when the file went bad", () => {
    const none = reloadConfig([], {});
    assert.deepEqual(none, {
      ok: false,
      message: "can only reload config when a file is provided using -c or --config",
    });
    const bad = reloadConfig(["-c", "x.conf"], {}, files({ "x.conf": "max_payload: [" }));
    assert.ok(!bad.ok);
    assert.match(bad.message, /^x\.conf:1:/);
  });
});

describe("program name, usage and the ports file", () => {
  it("is mq9 unless the nats-server launcher says otherwise", () => {
    assert.equal(programName({}), "mq9");
    assert.equal(programName({ MQ9_PROGRAM_NAME: "nats-server" }), "nats-server");
    assert.equal(programName({ MQ9_PROGRAM_NAME: "../x" }), "mq9");
  });

  it("lists our flags and nats-server's", () => {
    const text = usage("nats-server");
    for (const flag of [
      "--host",
      "--port",
      "--ws-port",
      "--http-port",
      "--data",
      "-c, --config",
      "-a, --addr",
      "-p, --port",
      "-m, --http_port",
      "--user",
      "--pass",
      "--auth",
      "-D, --debug",
      "-V, --trace",
      "-DV",
      "-l, --log",
      "--ports_file_dir",
      "-t ",
      "--tlscert",
      "--cluster, --cluster_listen",
      "--routes",
      "--cluster_name",
      "--cluster_advertise",
      "--no_advertise",
      "--connect_retries",
      "MQ9_HOST",
      "MQ9_DATA",
    ]) {
      assert.ok(text.includes(flag), flag);
    }
    assert.match(text, /^Usage: nats-server \[options\]/);
    assert.match(text, /nats-server_<pid>\.ports/);
  });

  it("names the file <program>_<pid>.ports and writes nats-server's JSON shape", () => {
    assert.equal(
      portsFilePath("/tmp/d", "nats-server", 42),
      path.join("/tmp/d", "nats-server_42.ports"),
    );
    assert.equal(
      portsJson({
        nats: listenerUrls("nats", { host: "127.0.0.1", port: 4222 }),
        websocket: listenerUrls("ws", { host: "::1", port: 8080 }),
      }),
      '{"nats":["nats://127.0.0.1:4222"],"websocket":["ws://[::1]:8080"]}',
    );
    // Empty lists are left out, as Go's omitempty does.
    assert.equal(portsJson({ nats: ["nats://h:1"], websocket: [] }), '{"nats":["nats://h:1"]}');
  });

  it("lists every interface address for a listener on 0.0.0.0, as nats-server", () => {
    const lo = { address: "127.0.0.1", family: "IPv4", internal: true } as const;
    const eth = { address: "192.168.1.5", family: "IPv4", internal: false } as const;
    const v6 = { address: "fe80::1", family: "IPv6", internal: false } as const;
    const interfaces = {
      lo: [{ ...lo, netmask: "255.0.0.0", mac: "00:00:00:00:00:00", cidr: "127.0.0.1/8" }],
      eth0: [
        { ...eth, netmask: "255.255.255.0", mac: "aa:bb:cc:dd:ee:ff", cidr: "192.168.1.5/24" },
        {
          ...v6,
          netmask: "ffff:ffff:ffff:ffff::",
          mac: "aa:bb:cc:dd:ee:ff",
          cidr: "fe80::1/64",
          scopeid: 2,
        },
      ],
    };
    assert.deepEqual(listenerUrls("nats", { host: "0.0.0.0", port: 4222 }, interfaces), [
      "nats://127.0.0.1:4222",
      "nats://192.168.1.5:4222",
      "nats://[fe80::1]:4222",
    ]);
  });
});
