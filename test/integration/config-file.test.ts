/**
 * The broker started with a nats-server config file (`-c`), as an operator or a test
 * harness runs it: the file's limits reach clients (INFO and behaviour), its WebSocket and
 * mq9 blocks take effect, bad files stop it with a line number, `-t` checks a file, `-l`
 * moves the log, and SIGHUP reloads what may change while running.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { connect, StringCodec } from "nats";
import { connect as wsConnect } from "nats.ws";
import WebSocket from "ws";
import { killAll, ROOT, spawnEntry, withTimeout, type Proc } from "../support/spawned";
import { rawConnection } from "../support/raw-connection";

const ENTRY = path.join(ROOT, "server/main-broker.ts");
const sc = StringCodec();

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-config-file-"));
after(() => {
  killAll();
  fs.rmSync(TMP, { recursive: true, force: true });
});

let counter = 0;
/** A fresh directory under the test's temporary root. */
function tempDir(): string {
  const dir = path.join(TMP, String(++counter));
  fs.mkdirSync(dir);
  return dir;
}

function writeConf(dir: string, text: string, name = "mq9.conf"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function broker(args: string[], cwd = ROOT): Proc {
  return spawnEntry(ENTRY, args, { cwd, env: { MQ9_DATA: tempDir() } });
}

async function stop(proc: Proc): Promise<void> {
  proc.child.kill("SIGTERM");
  const exit = await withTimeout(proc.exited, 10_000, "exit after SIGTERM");
  assert.deepEqual(exit, { code: 0, signal: null }, proc.stderr());
}

async function tcpPort(proc: Proc): Promise<number> {
  const m = await proc.waitFor(/Listening for client connections on 127\.0\.0\.1:(\d+)\n/);
  return Number(m[1]);
}

function infoOf(text: string): { max_payload: number } {
  const m = /^INFO (\{.*\}) \r\n/.exec(text);
  assert.ok(m, `no INFO in ${JSON.stringify(text)}`);
  return JSON.parse(m[1] as string) as { max_payload: number };
}

describe("a nats-server config file (-c)", () => {
  it("sets the limits clients see and hit, the WebSocket listener and mq9's default ttl", async () => {
    const dir = tempDir();
    const conf = writeConf(
      dir,
      [
        "# limits well away from the defaults, so a change is visible",
        "port: -1",
        "max_payload: 1KB",
        "max_connections: 4",
        'ping_interval: "1s"',
        "websocket {",
        "  port: -1",
        "  no_tls: true",
        "}",
        "mq9 {",
        "  default_ttl: 120",
        "}",
      ].join("\n"),
    );
    const proc = broker(["-c", conf]);
    await proc.waitFor(/Server is ready/);
    const port = await tcpPort(proc);
    assert.match(proc.stderr(), new RegExp(`Using configuration file: ${conf}\\n`));

    // max_payload: advertised in INFO and enforced (nats-wire-notes §1.9).
    const big = rawConnection(port);
    assert.equal(infoOf(await big.until(/\r\n/)).max_payload, 1024);
    big.socket.write(`CONNECT {"verbose":false}\r\nPUB big 2000\r\n${"x".repeat(2000)}\r\n`);
    await big.until(/-ERR 'Maximum Payload Violation'\r\n/);
    await withTimeout(big.closed, 5000, "close after the payload violation");

    const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
    assert.equal(nc.info?.max_payload, 1024);

    // websocket { port: -1, no_tls: true }: a plain listener on a free port.
    const ws = await proc.waitFor(/Listening for websocket clients on ws:\/\/127\.0\.0\.1:(\d+)\n/);
    globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
    const wsc = await wsConnect({ servers: `ws://127.0.0.1:${ws[1]}`, reconnect: false });
    const sub = wsc.subscribe("cfg.ws");
    await wsc.flush();
    nc.publish("cfg.ws", sc.encode("over the file's websocket"));
    const got = await withTimeout(
      (async () => {
        for await (const m of sub) return sc.decode(m.data);
        return null;
      })(),
      5000,
      "websocket delivery",
    );
    assert.equal(got, "over the file's websocket");

    // mq9 { default_ttl: 120 }: a CREATE without a ttl gets it.
    const before = Date.now();
    const reply = await nc.request("$mq9.AI.MAILBOX.CREATE", sc.encode("{}"), { timeout: 5000 });
    const created = JSON.parse(sc.decode(reply.data)) as { ttl: number; expires_at: number };
    assert.equal(created.ttl, 120);
    assert.ok(created.expires_at >= before + 120_000 && created.expires_at <= Date.now() + 120_000);

    // ping_interval "1s": the server pings an idle client within about a second
    // (nats-server's default would be two minutes).
    const idle = rawConnection(port);
    await idle.until(/\r\n/);
    idle.socket.write('CONNECT {"verbose":false}\r\n');
    await idle.until(/PING\r\n/, 4000);

    // max_connections 4: nc, wsc and idle are three; a fourth is let in, a fifth refused.
    const fourth = rawConnection(port);
    await fourth.until(/^INFO /);
    const fifth = rawConnection(port);
    await fifth.until(/-ERR 'maximum connections exceeded'\r\n/);
    await withTimeout(fifth.closed, 5000, "close of the connection over the limit");

    for (const r of [idle, fourth]) r.socket.destroy();
    await Promise.all([nc.close(), wsc.close()]);
    await stop(proc);
  });

  it("refuses to start on a bad file, with the file, line and reason (exit 2)", async () => {
    const conf = writeConf(tempDir(), "port: -1\nmax_payload: 1KB\nmax_connections: many\n");
    const proc = broker(["-c", conf]);
    const exit = await withTimeout(proc.exited, 10_000, "exit on a bad file");
    assert.equal(exit.code, 2);
    assert.match(proc.stderr(), new RegExp(`^mq9: ${conf}:3:\\d+: .*max_connections`, "m"));
    assert.doesNotMatch(proc.stderr(), /Listening/);
  });

  it("stops when the tls files cannot be read, and warns about ignored options with file:line", async () => {
    const dir = tempDir();
    const tls = writeConf(
      dir,
      "port: -1\ntls { cert_file: c.pem, key_file: k.pem }\nauthorization { token: s3cr3t }\n",
      "tls.conf",
    );
    const refused = broker(["-c", tls]);
    assert.equal((await withTimeout(refused.exited, 10_000, "exit")).code, 1);
    assert.match(refused.stderr(), /\[ERR\] Failed to start: .*tls: cannot read cert_file c\.pem/);
    // The credential itself never reaches the output.
    assert.doesNotMatch(refused.stderr(), /s3cr3t/);

    const ignored = writeConf(dir, "port: -1\nhttp_port: -1\nleafnodes {}\n", "ignored.conf");
    const proc = broker(["-c", ignored]);
    await proc.waitFor(/Server is ready/);
    assert.match(
      proc.stderr(),
      new RegExp(
        `\\[WRN\\] ${ignored}:3:1: "leafnodes" is ignored: this broker does not support leaf nodes\\n`,
      ),
    );
    assert.match(proc.stderr(), /\[INF\] Starting http monitor on 127\.0\.0\.1:\d+/);
    await stop(proc);
  });

  it("-t checks a file and exits 0 or 1, as nats-server does", async () => {
    const dir = tempDir();
    const good = writeConf(dir, "port: 4333\njetstream {}\n", "good.conf");
    const ok = broker(["-t", "-c", good]);
    assert.equal((await withTimeout(ok.exited, 10_000, "exit")).code, 0);
    assert.match(ok.stderr(), new RegExp(`mq9: configuration file ${good} is valid\\n$`));
    assert.match(ok.stderr(), /warning: .*good\.conf:2:1: "jetstream" is ignored/);

    const bad = writeConf(dir, "port: 4333\nwebsocket { port: 8080 }\n", "bad.conf");
    const failed = broker(["-t", "-c", bad]);
    assert.equal((await withTimeout(failed.exited, 10_000, "exit")).code, 1);
    assert.match(failed.stderr(), /bad\.conf:2:1: websocket: WebSocket needs a tls \{ \} block/);
  });

  it("-l writes the log to a file instead of stderr; logtime: false drops the timestamp", async () => {
    const dir = tempDir();
    const logFile = path.join(dir, "mq9.log");
    const conf = writeConf(dir, "port: -1\nlogtime: false\n");
    const proc = broker(["-c", conf, "-l", logFile]);
    const deadline = Date.now() + 15_000;
    let text = "";
    while (!text.includes("Server is ready")) {
      assert.ok(Date.now() < deadline, `no "Server is ready" in ${logFile}: ${text}`);
      await new Promise((r) => setTimeout(r, 100));
      text = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
    }
    assert.match(text, /^\[\d+\] \[INF\] Listening for client connections on 127\.0\.0\.1:\d+$/m);
    assert.equal(proc.stderr(), "");
    proc.child.kill("SIGTERM");
    assert.equal((await withTimeout(proc.exited, 10_000, "exit")).code, 0);
    assert.match(fs.readFileSync(logFile, "utf8"), /\[INF\] Server Exiting\.\.\n$/);
  });

  it("reloads on SIGHUP: new limits for new connections; a bad file keeps the old settings", async () => {
    const dir = tempDir();
    const conf = writeConf(dir, "port: -1\nmax_payload: 1KB\n");
    const proc = broker(["-c", conf, "-D"]);
    await proc.waitFor(/Server is ready/);
    const port = await tcpPort(proc);
    const old = rawConnection(port);
    assert.equal(infoOf(await old.until(/\r\n/)).max_payload, 1024);
    old.socket.write('CONNECT {"verbose":false}\r\n');

    fs.writeFileSync(conf, "port: -1\nmax_payload: 4KB\nmq9 { default_ttl: 60 }\n");
    proc.child.kill("SIGHUP");
    await proc.waitFor(/\[INF\] Reloaded server configuration\n/);
    assert.match(proc.stderr(), /\[DBG\] Trapped "hangup" signal\n/);
    assert.match(proc.stderr(), /\[INF\] Reloaded: max_payload = 4096\n/);
    assert.match(proc.stderr(), /\[INF\] Reloaded: mq9\.default_ttl = 60\n/);

    // A new connection is told, and allowed, 4 KB.
    const fresh = rawConnection(port);
    assert.equal(infoOf(await fresh.until(/\r\n/)).max_payload, 4096);
    fresh.socket.write(
      `CONNECT {"verbose":false}\r\nPUB big 3000\r\n${"x".repeat(3000)}\r\nPING\r\n`,
    );
    await fresh.until(/PONG\r\n/);
    assert.doesNotMatch(fresh.text(), /-ERR/);
    const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
    const reply = await nc.request("$mq9.AI.MAILBOX.CREATE", sc.encode("{}"), { timeout: 5000 });
    assert.equal((JSON.parse(sc.decode(reply.data)) as { ttl: number }).ttl, 60);

    // Now a broken file: the error with its line, and the server keeps its settings.
    fs.writeFileSync(conf, "port: -1\nmax_payload: 8KB\nmax_connections: [\n");
    proc.child.kill("SIGHUP");
    await proc.waitFor(/\[ERR\] Failed to reload server configuration: .*mq9\.conf:\d+:\d+: /);
    // And one that changes what needs a restart.
    fs.writeFileSync(conf, "port: 4999\nmax_payload: 8KB\n");
    proc.child.kill("SIGHUP");
    await proc.waitFor(
      /\[ERR\] Failed to reload server configuration: config reload not supported for port/,
    );
    const after = rawConnection(port);
    assert.equal(infoOf(await after.until(/\r\n/)).max_payload, 4096);
    assert.doesNotMatch(proc.stderr(), /max_payload = 8192/);

    for (const r of [old, fresh, after]) r.socket.destroy();
    await nc.close();
    await stop(proc);
  });
});
