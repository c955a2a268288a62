/**
 * The real product (`server/main.ts`: broker + console + NATS over WebSocket) in a child
 * process on free ports over a throwaway data directory, as a user runs it. Ready when its
 * log says so; the addresses come from the log too ("Console available at …").
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./paths";

export interface ProductServer {
  /** The console, without a trailing slash: http://127.0.0.1:PORT */
  url: string;
  /** NATS over TCP, for agents: nats://127.0.0.1:PORT */
  natsUrl: string;
  dataDir: string;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<void>;
}

const READY_MS = 180_000;
const STOP_MS = 10_000;

/** `args` are appended to the command line (e.g. `-c mq9.conf`). */
export async function startProductServer(args: string[] = []): Promise<ProductServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-e2e-"));
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "server/main.ts",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--http-port",
      "0",
      "--data",
      dataDir,
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<{ url: string; natsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server was not ready in ${READY_MS} ms; its log:\n${log}`)),
      READY_MS,
    );
    child.stderr.on("data", (d: Buffer) => {
      log += d.toString();
      const consoleAt = log.match(/Console available at (http:\/\/\S+?)\/?\s/);
      const natsAt = log.match(/Listening for client connections on (\S+)/);
      if (consoleAt && natsAt && /Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve({ url: consoleAt[1]!, natsUrl: `nats://${natsAt[1]}` });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before it was ready:\n${log}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_MS);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const at = await ready;
    return { ...at, dataDir, log: () => log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
