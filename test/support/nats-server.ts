/**
 * Debian's nats-server, the reference for core NATS behaviour (nats-wire-notes intro).
 * Each call starts a private instance on a free port with its own config file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitForInfo } from "./ports";

export interface RunningServer {
  port: number;
  /** Kills the process and waits for it to exit. */
  stop(): Promise<void>;
}

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

export function haveNatsServer(): boolean {
  return fs.existsSync(NATS_SERVER_BIN);
}

/** `extraConf` is appended to a config that sets host and port. */
export async function startNatsServer(extraConf = ""): Promise<RunningServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-nats-server-"));
  const conf = path.join(dir, "server.conf");
  fs.writeFileSync(conf, `host: 127.0.0.1\nport: ${port}\n${extraConf}\n`);
  const child = spawn(NATS_SERVER_BIN, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForInfo(port);
  } catch (e) {
    child.kill("SIGKILL");
    throw new Error(`nats-server did not start: ${String(e)}\n${stderr}`);
  }
  return {
    port,
    stop: () => stopChild(child, () => fs.rmSync(dir, { recursive: true, force: true })),
  };
}

export function stopChild(child: ChildProcess, cleanup?: () => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      cleanup?.();
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", done);
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 3000).unref();
  });
}
