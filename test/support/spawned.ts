/**
 * A process of ours started for a test (`node --import tsx <entry> …`), with its stderr
 * collected and watched: what the process tests and the config-file tests share.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first stderr match of `re`, or rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<Exit>;
}

const running = new Set<ChildProcess>();

/** Kills it in killAll() if it is still running then. */
export function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
}

/** Kills whatever a test left running (use in `after`). */
export function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
}

export function spawnEntry(
  entry: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters) w();
  });
  child.stdout!.resume();
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  const waitFor = (re: RegExp, timeoutMs = 15_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${re} in stderr:\n${stderr}`));
      }, timeoutMs);
      const check = () => {
        const m = stderr.match(re);
        if (m) {
          done();
          resolve(m);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`process exited before ${re}; stderr:\n${stderr}`));
        }
      };
      waiters.add(check);
      check();
    });
  return { child, stderr: () => stderr, waitFor, exited };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms).unref(),
    ),
  ]);
}
