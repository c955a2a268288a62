/**
 * Debian's nats-server or our broker started from the same config file as a process, with
 * its log (stderr) collected and watched: for differential tests of what shows in the log
 * (protocol trace) or needs a signal (SIGHUP reload).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { NATS_SERVER_BIN, stopChild } from "./nats-server";
import { ROOT, spawnEntry, track, withTimeout } from "./spawned";

export interface LoggedServer {
  /** Everything logged so far. */
  log(): string;
  /** Resolves with the first match of `re` in the log, or rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export type ServerKind = "nats-server" | "mq9";

const ENTRY = path.join(ROOT, "server/main-broker.ts");

/** `dataDir` is for ours (mq9's store); nats-server has none. */
export function startLogged(kind: ServerKind, conf: string, dataDir: string): LoggedServer {
  if (kind === "mq9") {
    fs.mkdirSync(dataDir, { recursive: true });
    const proc = spawnEntry(ENTRY, ["-c", conf], { env: { MQ9_DATA: dataDir } });
    return {
      log: proc.stderr,
      waitFor: proc.waitFor,
      signal: (sig) => void proc.child.kill(sig),
      stop: async () => {
        proc.child.kill("SIGTERM");
        await withTimeout(proc.exited, 10_000, "exit after SIGTERM");
      },
    };
  }
  const child = spawn(NATS_SERVER_BIN, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  track(child);
  let text = "";
  const waiters = new Set<() => void>();
  child.stderr!.on("data", (d: Buffer) => {
    text += d.toString();
    for (const w of waiters) w();
  });
  const waitFor = (re: RegExp, timeoutMs = 10_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = text.match(re);
        if (!m) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${re} in:\n${text}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    log: () => text,
    waitFor,
    signal: (sig) => void child.kill(sig),
    stop: () => stopChild(child),
  };
}
