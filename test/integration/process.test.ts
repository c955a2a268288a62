/**
 * The process entries as a user runs them: a child process, real clients over loopback,
 * signals, exit codes and the log lines. The console test (Next.js build + server) is heavy,
 * so it only runs with MQ9_TEST_CONSOLE=1.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { connect, StringCodec } from "nats";
import { connect as wsConnect } from "nats.ws";
import WebSocket from "ws";
import { freePort } from "../support/ports";
import {
  killAll,
  ROOT,
  spawnEntry,
  track,
  withTimeout,
  type Exit,
  type Proc,
} from "../support/spawned";

const sc = StringCodec();

after(killAll);

/** `node --import tsx <entry> ...args` in the project root. */
function run(entry: string, args: string[], env: Record<string, string> = {}): Proc {
  // Each process gets a data directory of its own, never the repository's ./data.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-process-"));
  return spawnEntry(entry, args, { env: { MQ9_DATA: dataDir, ...env } });
}

// nats-server 2.9.10's line layout (checked by running it): [pid] date time.micros [LVL] text
const LOG_LINE = /^\[\d+\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \[(INF|WRN|ERR|DBG)\] /;

describe("npm run broker (server/main-broker.ts)", () => {
  it("serves NATS clients, logs its actual address and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const proc = run("server/main-broker.ts", ["--port", String(port)]);
    await proc.waitFor(/Server is ready/);
    assert.match(
      proc.stderr(),
      new RegExp(`\\[INF\\] Listening for client connections on 127\\.0\\.0\\.1:${port}\\n`),
    );
    for (const line of proc.stderr().trimEnd().split("\n")) assert.match(line, LOG_LINE);

    const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
    const sub = nc.subscribe("process.test");
    nc.publish("process.test", sc.encode("hello"));
    const got = await withTimeout(
      (async () => {
        for await (const m of sub) return sc.decode(m.data);
        return null;
      })(),
      5000,
      "message delivery",
    );
    assert.equal(got, "hello");

    const closed = nc.closed();
    proc.child.kill("SIGTERM");
    const exit = await withTimeout(proc.exited, 5000, "exit after SIGTERM");
    assert.deepEqual(exit, { code: 0, signal: null });
    // The broker closed the connection on the way out; with reconnect off the client is done.
    await withTimeout(closed, 2000, "client sees the close");
    assert.equal(nc.isClosed(), true);
    assert.match(proc.stderr(), /Received SIGTERM/);
    assert.match(proc.stderr(), /Server Exiting\.\.\n$/);
  });

  it("opens a standalone WebSocket listener with --ws-port 0 and logs the port it got", async () => {
    const port = await freePort();
    const proc = run("server/main-broker.ts", ["--port", String(port), "--ws-port", "0"]);
    await proc.waitFor(/Server is ready/);
    const m = proc.stderr().match(/Listening for websocket clients on ws:\/\/127\.0\.0\.1:(\d+)\n/);
    assert.ok(m, proc.stderr());
    const wsPort = Number(m[1]);
    assert.ok(wsPort > 0 && wsPort !== port);

    globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
    const wsc = await wsConnect({ servers: `ws://127.0.0.1:${wsPort}`, reconnect: false });
    const tcp = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
    const sub = wsc.subscribe("bridge");
    await wsc.flush();
    tcp.publish("bridge", sc.encode("tcp→ws"));
    const got = await withTimeout(
      (async () => {
        for await (const msg of sub) return sc.decode(msg.data);
        return null;
      })(),
      5000,
      "delivery over websocket",
    );
    assert.equal(got, "tcp→ws");

    proc.child.kill("SIGINT");
    assert.deepEqual(await withTimeout(proc.exited, 5000, "exit after SIGINT"), {
      code: 0,
      signal: null,
    });
    await withTimeout(Promise.all([wsc.closed(), tcp.closed()]), 2000, "clients see the close");
  });

  it("takes its settings from the environment", async () => {
    const port = await freePort();
    const proc = run("server/main-broker.ts", [], { MQ9_PORT: String(port) });
    await proc.waitFor(/Server is ready/);
    assert.match(proc.stderr(), new RegExp(`on 127\\.0\\.0\\.1:${port}\\n`));
    proc.child.kill("SIGTERM");
    assert.equal((await proc.exited).code, 0);
  });

  it("logs an exception that escaped to the process and keeps running", async () => {
    // What main-broker.ts installs once ready; a broker bug cannot be provoked from outside,
    // so a script throws on its own after installing the same guard.
    const script = [
      'import { log } from "./server/log.ts";',
      'import { keepServingOnUncaught } from "./server/shutdown.ts";',
      "keepServingOnUncaught(log);",
      'setTimeout(() => { throw new Error("escaped"); }, 10);',
      'setTimeout(() => void Promise.reject(new Error("rejected")), 20);',
      'setTimeout(() => { process.stderr.write("still here\\n"); process.exit(0); }, 300);',
    ].join("\n");
    const proc = run("--input-type=module", ["--eval", script]);
    assert.equal((await withTimeout(proc.exited, 10_000, "exit")).code, 0);
    assert.match(proc.stderr(), /\[ERR\] Uncaught exception \(still serving\): Error: escaped/);
    assert.match(proc.stderr(), /\[ERR\] Unhandled rejection \(still serving\): Error: rejected/);
    assert.match(proc.stderr(), /still here\n$/);
  });

  it("reopens its log file on SIGUSR1, for log rotation", async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-logrotate-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "mq9.log");
    const port = await freePort();
    const proc = run("server/main-broker.ts", ["--port", String(port), "-l", file]);
    const deadline = Date.now() + 15_000;
    while (!(fs.existsSync(file) && fs.readFileSync(file, "utf8").includes("Server is ready"))) {
      assert.ok(Date.now() < deadline, "no Server is ready in the log file");
      await new Promise((r) => setTimeout(r, 50));
    }
    fs.renameSync(file, `${file}.1`);
    proc.child.kill("SIGUSR1");
    while (!(fs.existsSync(file) && fs.readFileSync(file, "utf8").includes("File log re-opened"))) {
      assert.ok(Date.now() < deadline, "no new log file");
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.child.kill("SIGTERM");
    assert.equal((await withTimeout(proc.exited, 5000, "exit")).code, 0);
    assert.doesNotMatch(fs.readFileSync(`${file}.1`, "utf8"), /re-opened/);
  });

  it("exits when nobody reads its stderr any more, instead of spinning on the log", async () => {
    const port = await freePort();
    const proc = run("server/main-broker.ts", ["--port", String(port)]);
    await proc.waitFor(/Server is ready/);
    // The reader goes away (a harness that closed its end of the pipe); the next log line
    // (a failed reload, there being no config file) cannot be written.
    proc.child.stderr!.destroy();
    proc.child.kill("SIGHUP");
    const exit = await withTimeout(proc.exited, 10_000, "exit once stderr is gone");
    assert.deepEqual(exit, { code: 1, signal: null });
  });

  it("exits 2 with a message on a bad flag", async () => {
    const proc = run("server/main-broker.ts", ["--port", "70000"]);
    const exit = await withTimeout(proc.exited, 10_000, "exit on bad flag");
    assert.equal(exit.code, 2);
    assert.match(proc.stderr(), /invalid value for --port: "70000"/);
  });

  it("exits 2 on an unknown option", async () => {
    const proc = run("server/main-broker.ts", ["--verbose"]);
    assert.equal((await withTimeout(proc.exited, 10_000, "exit")).code, 2);
    assert.match(proc.stderr(), /unknown option --verbose/);
  });

  it("exits 1 with the reason when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const proc = run("server/main-broker.ts", ["--port", String(port)]);
      assert.equal((await withTimeout(proc.exited, 10_000, "exit")).code, 1);
      assert.match(proc.stderr(), /\[ERR\] Failed to start: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});

describe("scripts/nats-server (the drop-in for test harnesses)", () => {
  it("runs as `nats-server -c x.conf -p -1 --ports_file_dir d` from PATH, through a symlink", async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-nats-server-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const bin = path.join(dir, "bin");
    const portsDir = path.join(dir, "ports");
    fs.mkdirSync(bin);
    fs.mkdirSync(portsDir);
    fs.symlinkSync(path.join(ROOT, "scripts/nats-server"), path.join(bin, "nats-server"));
    const conf = path.join(dir, "x.conf");
    fs.writeFileSync(conf, "port: 4222\nmax_payload: 512KB\n");
    // Started by name from PATH, outside the repository, as a harness does.
    const child = spawn("nats-server", ["-c", conf, "-p", "-1", "--ports_file_dir", portsDir], {
      cwd: dir,
      env: {
        ...process.env,
        PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        MQ9_DATA: path.join(dir, "data"),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    track(child);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<Exit>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );

    // The harness knows the pid it started; exec keeps it, so the file name matches.
    const portsFile = path.join(portsDir, `nats-server_${child.pid}.ports`);
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(portsFile)) {
      assert.ok(Date.now() < deadline, `no ${portsFile}; stderr:\n${stderr}`);
      assert.equal(child.exitCode, null, `exited early; stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ports = JSON.parse(fs.readFileSync(portsFile, "utf8")) as { nats: string[] };
    assert.deepEqual(Object.keys(ports), ["nats"]);
    const url = ports.nats[0] as string;
    const m = /^nats:\/\/127\.0\.0\.1:(\d+)$/.exec(url);
    assert.ok(m, url);
    assert.notEqual(Number(m[1]), 4222, "-p -1 wins over the file's port");
    assert.match(stderr, new RegExp(`^\\[${child.pid}\\] `, "m"));

    const nc = await connect({ servers: url, reconnect: false });
    assert.equal(nc.info?.max_payload, 512 * 1024);
    const sub = nc.subscribe("drop.in");
    nc.publish("drop.in", sc.encode("via nats-server"));
    const got = await withTimeout(
      (async () => {
        for await (const msg of sub) return sc.decode(msg.data);
        return null;
      })(),
      5000,
      "delivery",
    );
    assert.equal(got, "via nats-server");

    child.kill("SIGTERM");
    assert.deepEqual(await withTimeout(exited, 5000, "exit after SIGTERM"), {
      code: 0,
      signal: null,
    });
    await withTimeout(nc.closed(), 2000, "client sees the close");
    assert.equal(fs.existsSync(portsFile), false, "ports file removed on the way out");
  });
});

describe(
  "npm start (server/main.ts)",
  { skip: process.env.MQ9_TEST_CONSOLE !== "1" && "set MQ9_TEST_CONSOLE=1" },
  () => {
    it("serves the console, the stats API and NATS over WebSocket at /nats", async () => {
      const [port, httpPort] = [await freePort(), await freePort()];
      const proc = run("server/main.ts", ["--port", String(port), "--http-port", String(httpPort)]);
      // A first run includes `next build`, which takes minutes on a small machine.
      await proc.waitFor(/Server is ready/, 600_000);
      assert.match(
        proc.stderr(),
        new RegExp(`Listening for websocket clients on ws://127\\.0\\.0\\.1:${httpPort}/nats`),
      );
      assert.match(
        proc.stderr(),
        new RegExp(`Console available at http://127\\.0\\.0\\.1:${httpPort}/`),
      );
      const base = `http://127.0.0.1:${httpPort}`;

      const home = await fetch(`${base}/`, { redirect: "manual" });
      assert.equal(home.status, 307);
      assert.equal(new URL(home.headers.get("location")!, base).pathname, "/inbox");
      const page = await fetch(`${base}/ops`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /data-testid="stat-connections"/);
      assert.match(html, new RegExp(`nats://127\\.0\\.0\\.1:${port}`));

      // Next hooks its own upgrade listener onto the server at the first request; /nats must
      // still reach the broker after that.
      globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
      const wsc = await wsConnect({ servers: `ws://127.0.0.1:${httpPort}/nats`, reconnect: false });
      const sub = wsc.subscribe("console.test");
      await wsc.flush();
      const tcp = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
      tcp.publish("console.test", sc.encode("to the browser side"));
      await tcp.flush();
      const got = await withTimeout(
        (async () => {
          for await (const msg of sub) return sc.decode(msg.data);
          return null;
        })(),
        5000,
        "delivery over /nats",
      );
      assert.equal(got, "to the browser side");

      const res = await fetch(`${base}/api/stats`);
      assert.equal(res.status, 200);
      const snap = (await res.json()) as {
        stats: { connections: number; inMsgs: number; serverId: string };
        endpoints: Array<{ kind: string; url: string }>;
      };
      assert.equal(snap.stats.connections, 2);
      assert.ok(snap.stats.inMsgs >= 1);
      assert.match(snap.stats.serverId, /^N[A-Z2-7]{55}$/);
      assert.ok(snap.endpoints.some((e) => e.url === `ws://127.0.0.1:${httpPort}/nats`));

      // The live stream sends a snapshot at once.
      const ac = new AbortController();
      const stream = await fetch(`${base}/api/stats/stream`, { signal: ac.signal });
      assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
      const reader = stream.body!.getReader();
      const first = await withTimeout(reader.read(), 5000, "first event");
      assert.match(new TextDecoder().decode(first.value), /^data: \{"sampledAt":/);
      ac.abort();

      // Other upgrade paths are not NATS.
      const refused = await new Promise<string>((resolve) => {
        const s = net.connect(httpPort, "127.0.0.1", () =>
          s.write(
            "GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
          ),
        );
        let text = "";
        s.on("data", (d) => (text += d.toString()));
        s.on("close", () => resolve(text));
      });
      assert.match(refused, /^HTTP\/1\.1 404/);

      proc.child.kill("SIGTERM");
      assert.deepEqual(await withTimeout(proc.exited, 10_000, "exit after SIGTERM"), {
        code: 0,
        signal: null,
      });
      await withTimeout(Promise.all([wsc.closed(), tcp.closed()]), 2000, "clients see the close");
    });
  },
);
