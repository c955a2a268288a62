/**
 * The broker with mq9 as a user runs it — `node --import tsx server/main-broker.ts --port P
 * --data DIR` — for tests that kill it (SIGKILL) or stop it and start it again on the same
 * data directory and port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ENTRY = path.join(ROOT, "server/main-broker.ts");

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Mq9Process {
  port: number;
  dataDir: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote to stderr (its log) so far. */
  stderr(): string;
  exited: Promise<ProcessExit>;
  /** SIGKILL: no shutdown code runs, as in a crash. Resolves once the process is gone. */
  kill(): Promise<ProcessExit>;
  /** SIGTERM: the graceful stop (commit, flush, close). SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Every process started here, so a failing test cannot leave one behind. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mq9-proc-"));
}

/**
 * Starts the broker and resolves once it logs "Server is ready". Omitted `port` and
 * `dataDir` get a free port and a fresh temporary directory (the caller removes it).
 */
export async function startMq9Process(
  opts: { port?: number; dataDir?: string; readyTimeoutMs?: number } = {},
): Promise<Mq9Process> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? tempDataDir();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", ENTRY, "--port", String(port), "--data", dataDir],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  running.add(child);
  let stderr = "";
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`broker not ready after ${opts.readyTimeoutMs ?? 20_000} ms:\n${stderr}`));
    }, opts.readyTimeoutMs ?? 20_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("Server is ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${e.code ?? e.signal}) before ready:\n${stderr}`));
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    port,
    dataDir,
    pid: child.pid!,
    child,
    stderr: () => stderr,
    exited,
    kill: () => {
      if (!gone()) child.kill("SIGKILL");
      return exited;
    },
    stop: (graceMs = 5000) => {
      if (!gone()) {
        child.kill("SIGTERM");
        setTimeout(() => {
          if (!gone()) child.kill("SIGKILL");
        }, graceMs).unref();
      }
      return exited;
    },
  };
}
