/**
 * The two servers under comparison, each a separate process on its own ports:
 * Debian's nats-server (stock, or with JetStream for the durable mq9 rows), and our broker
 * (server/main-broker.ts). Until the broker entry exists, "ours" is a second nats-server so
 * the harness runs end to end.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startNatsServer, stopChild } from "../test/support/nats-server";
import { freePort, waitForInfo } from "../test/support/ports";
import { childPids } from "./proc";

export interface Target {
  /** Short name used in the table. */
  name: string;
  /** What actually runs, e.g. "nats-server 2.9.10" or "node server/main-broker.ts". */
  description: string;
  port: number;
  wsPort: number;
  /** Undefined if the process could not be identified (then no RSS figures). */
  pid: number | undefined;
  /** Where a broker started with `gcOnSignal` writes its memory usage after SIGWINCH. */
  memFile?: string;
  stop(): Promise<void>;
}

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
export const BROKER_ENTRY = path.join(REPO_ROOT, "server", "main-broker.ts");

/** Resolves once something accepts TCP connections on the port (a WebSocket port sends nothing first). */
async function waitForListen(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startReferenceServer(name = "nats-server"): Promise<Target> {
  const wsPort = await freePort();
  const before = new Set(childPids("nats-server"));
  // Default max_pending/write_deadline: the comparison is against a stock server.
  const server = await startNatsServer(`websocket { port: ${wsPort}, no_tls: true }`);
  await waitForListen(wsPort);
  const pid = childPids("nats-server").find((p) => !before.has(p));
  return {
    name,
    description: "Debian nats-server",
    port: server.port,
    wsPort,
    pid,
    stop: () => server.stop(),
  };
}

/** nats-server with JetStream on file storage in a temporary directory: the reference for durable mq9 rows. */
export async function startJetStreamServer(): Promise<Target> {
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-bench-jetstream-"));
  const before = new Set(childPids("nats-server"));
  let server: Awaited<ReturnType<typeof startNatsServer>>;
  try {
    // Otherwise a stock install: the file store does not fsync every message.
    server = await startNatsServer(`jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
  } catch (e) {
    fs.rmSync(storeDir, { recursive: true, force: true });
    throw e;
  }
  const pid = childPids("nats-server").find((p) => !before.has(p));
  return {
    name: "nats-server",
    description: "Debian nats-server with JetStream (file storage)",
    port: server.port,
    wsPort: 0,
    pid,
    stop: async () => {
      await server.stop();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/**
 * `gcOnSignal`: SIGWINCH makes the broker collect garbage and write its memory usage to
 * `memFile` (bench/gc-on-signal.ts), for memory figures without garbage.
 */
export async function startOurBroker(
  opts: { gcOnSignal?: boolean; extraArgs?: string[] } = {},
): Promise<Target> {
  const port = await freePort();
  const wsPort = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-bench-data-"));
  // Inside the data directory, so it goes with it.
  const memFile = path.join(dataDir, "bench-memory.json");
  const gcHook = opts.gcOnSignal
    ? ["--expose-gc", "--import", path.join(REPO_ROOT, "bench", "gc-on-signal.ts")]
    : [];
  // `node --import tsx` rather than `tsx`: the broker is then this child itself, so its pid is the one to measure.
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      ...gcHook,
      BROKER_ENTRY,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--ws-port",
      String(wsPort),
      ...(opts.extraArgs ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, MQ9_DATA: dataDir, MQ9_BENCH_MEM_FILE: memFile },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  try {
    await Promise.race([
      Promise.all([waitForInfo(port), waitForListen(wsPort)]),
      new Promise((_, reject) =>
        child.once("exit", (code) => reject(new Error(`exited with ${code}`))),
      ),
    ]);
  } catch (e) {
    await stopChild(child, cleanup);
    throw new Error(`our broker did not start: ${String(e)}\n${log}`);
  }
  return {
    name: "ours",
    description: "node --import tsx server/main-broker.ts",
    port,
    wsPort,
    pid: child.pid,
    memFile: opts.gcOnSignal ? memFile : undefined,
    stop: () => stopChild(child, cleanup),
  };
}
