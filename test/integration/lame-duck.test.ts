/**
 * Lame duck mode (SIGUSR2), side by side with nats-server 2.9.10 started from the same
 * config file: what clients are told, when they are closed, what the log says, how the
 * process ends. Ours runs through scripts/nats-server, as harnesses start it.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { connect } from "nats";
import { haveNatsServer, NATS_SERVER_BIN } from "../support/nats-server";
import { freePort } from "../support/ports";
import { killAll, ROOT, track, withTimeout, type Exit } from "../support/spawned";

after(killAll);

const SERVERS = [
  { name: "ours", bin: path.join(ROOT, "scripts/nats-server") },
  { name: "nats-server", bin: NATS_SERVER_BIN },
] as const;

const GRACE_MS = 500;

interface Server {
  child: ChildProcess;
  port: number;
  stderr(): string;
  exited: Promise<Exit>;
}

async function start(bin: string, extra = ""): Promise<Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-ldm-"));
  const port = await freePort();
  const conf = path.join(dir, "ldm.conf");
  // 30 s is the shortest lame_duck_duration nats-server takes: clients are then closed
  // 0.5 to 1 s apart (at most a second between two, whatever the duration).
  fs.writeFileSync(
    conf,
    `host: 127.0.0.1\nport: ${port}\nlame_duck_duration: "30s"\n` +
      `lame_duck_grace_period: "${GRACE_MS}ms"\n${extra}`,
  );
  const child = spawn(bin, ["-c", conf], {
    env: { ...process.env, MQ9_DATA: path.join(dir, "data") },
    stdio: ["ignore", "ignore", "pipe"],
  });
  track(child);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  const deadline = Date.now() + 20_000;
  while (!stderr.includes("Server is ready")) {
    assert.ok(Date.now() < deadline, `not ready; stderr:\n${stderr}`);
    assert.equal(child.exitCode, null, `exited early; stderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, port, stderr: () => stderr, exited };
}

/** A raw protocol client: every line it received, and when the server closed it. */
class RawClient {
  readonly lines: string[] = [];
  closedAt = 0;
  private buf = "";
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    hello: string,
  ) {
    socket.write(hello);
    socket.on("data", (d: Buffer) => {
      this.buf += d.toString();
      let i;
      while ((i = this.buf.indexOf("\r\n")) !== -1) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
      }
      for (const w of this.waiters) w();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.closedAt = Date.now();
        resolve();
      }),
    );
  }

  static open(port: number, hello: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => resolve(new RawClient(s, hello)));
      s.once("error", reject);
    });
  }

  /** Resolves with the first line matching `re` (already received or still to come). */
  line(re: RegExp, timeoutMs = 5000): Promise<string> {
    return withTimeout(
      new Promise<string>((resolve) => {
        const check = () => {
          const found = this.lines.find((l) => re.test(l));
          if (found === undefined) return;
          this.waiters.delete(check);
          resolve(found);
        };
        this.waiters.add(check);
        check();
      }),
      timeoutMs,
      `a line matching ${re}; got ${JSON.stringify(this.lines)}`,
    );
  }

  infos(): Record<string, unknown>[] {
    return this.lines
      .filter((l) => l.startsWith("INFO "))
      .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
  }
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve("connected");
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
  });
}

/** What a client sees of lame duck mode, in a form both servers must match exactly. */
async function observe(bin: string) {
  const srv = await start(bin);
  // Takes async INFO: CONNECT with protocol 1, then a PING.
  const p1 = await RawClient.open(srv.port, 'CONNECT {"protocol":1,"verbose":false}\r\nPING\r\n');
  // Protocol 0: no async INFO.
  const p0 = await RawClient.open(srv.port, 'CONNECT {"protocol":0,"verbose":false}\r\nPING\r\n');
  // Never sent CONNECT.
  const silent = await RawClient.open(srv.port, "");
  await Promise.all([p1.line(/^PONG$/), p0.line(/^PONG$/), silent.line(/^INFO /)]);
  const nc = await connect({ port: srv.port, reconnect: false });
  const statuses: string[] = [];
  void (async () => {
    for await (const s of nc.status()) statuses.push(s.type);
  })();
  await nc.flush();

  const signalledAt = Date.now();
  srv.child.kill("SIGUSR2");
  const ldmLine = await p1.line(/"ldm":true/);
  const afterLdm = await refused(srv.port);
  await withTimeout(Promise.all([p1.closed, p0.closed, silent.closed]), 10_000, "clients closed");
  await withTimeout(nc.closed(), 5000, "nats.js client closed");
  const exit = await withTimeout(srv.exited, 10_000, "exit");

  const [first, ldm] = p1.infos();
  assert.ok(first && ldm);
  const closes = [p1, p0, silent].map((c) => c.closedAt).sort((a, b) => a - b);
  const log = srv.stderr();
  return {
    // The announcement: the INFO the client had, plus "ldm", in nats-server's order.
    ldmKeys: Object.keys(ldm),
    sameClientId: ldm.client_id === first.client_id,
    ldmValue: ldm.ldm,
    ldmLineEnd: ldmLine.slice(-2),
    otherInfos: [p0.infos().length, silent.infos().length],
    natsJsSawLdm: statuses.includes("ldm"),
    afterLdm,
    // Nobody is closed before the grace period is over; then 0.5 to 1 s apart.
    firstCloseAfterGrace: closes[0]! - signalledAt >= GRACE_MS - 20,
    spaced: closes.slice(1).every((t, i) => t - closes[i]! >= 450),
    exit,
    logLines: [
      "Entering lame duck mode, stop accepting new clients",
      "Closing existing clients",
      "Initiating Shutdown...",
      "Server Exiting..",
    ].filter((l) => log.includes(`[INF] ${l}\n`)).length,
  };
}

describe(
  "lame duck mode (SIGUSR2), ours and nats-server from the same config",
  {
    skip: !haveNatsServer() && "nats-server is not installed",
  },
  () => {
    it("announces ldm to async-INFO clients, stops accepting, closes clients over time, exits 0", async () => {
      const [ours, theirs] = await Promise.all([observe(SERVERS[0].bin), observe(SERVERS[1].bin)]);
      assert.deepEqual(ours, theirs);
      // And what both do is what lame duck mode means.
      assert.deepEqual(ours.ldmKeys.slice(-3), ["client_id", "client_ip", "ldm"]);
      assert.equal(ours.ldmValue, true);
      assert.equal(ours.sameClientId, true);
      assert.deepEqual(ours.otherInfos, [1, 1]);
      assert.equal(ours.natsJsSawLdm, true);
      assert.equal(ours.afterLdm, "ECONNREFUSED");
      assert.equal(ours.firstCloseAfterGrace, true);
      assert.equal(ours.spaced, true);
      assert.deepEqual(ours.exit, { code: 0, signal: null });
      assert.equal(ours.logLines, 4);
    });

    it("with no clients, shuts down at once", async () => {
      for (const { bin } of SERVERS) {
        const srv = await start(bin);
        srv.child.kill("SIGUSR2");
        const exit = await withTimeout(srv.exited, 3000, `${bin} exit`);
        assert.deepEqual(exit, { code: 0, signal: null }, bin);
        assert.doesNotMatch(srv.stderr(), /Closing existing clients/, bin);
      }
    });

    it("ignores SIGTERM while in lame duck mode; SIGINT still stops at once", async () => {
      for (const { bin } of SERVERS) {
        const srv = await start(bin);
        const c = await RawClient.open(srv.port, 'CONNECT {"protocol":1}\r\nPING\r\n');
        await c.line(/^PONG$/);
        srv.child.kill("SIGUSR2");
        await c.line(/"ldm":true/);
        srv.child.kill("SIGTERM");
        // Still there within the grace period: the client is open, the process too.
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(srv.child.exitCode, null, bin);
        assert.equal(c.closedAt, 0, bin);
        srv.child.kill("SIGINT");
        const exit = await withTimeout(srv.exited, 3000, `${bin} exit after SIGINT`);
        assert.deepEqual(exit, { code: 0, signal: null }, bin);
        await withTimeout(c.closed, 2000, `${bin} client closed`);
      }
    });

    it("`--signal ldm=<pid file>` sends it", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-ldm-pid-"));
      after(() => fs.rmSync(dir, { recursive: true, force: true }));
      for (const { name, bin } of SERVERS) {
        const pidFile = path.join(dir, `${name}.pid`);
        const srv = await start(bin, `pid_file: "${pidFile}"\n`);
        const sender = spawn(bin, ["--signal", `ldm=${pidFile}`], { stdio: "ignore" });
        track(sender);
        const sent = await new Promise<number | null>((r) => sender.once("exit", r));
        assert.equal(sent, 0, name);
        const exit = await withTimeout(srv.exited, 3000, `${name} exit`);
        assert.deepEqual(exit, { code: 0, signal: null }, name);
        assert.match(srv.stderr(), /Entering lame duck mode/, name);
      }
    });
  },
);
