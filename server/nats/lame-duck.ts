/**
 * Lame duck mode (nats-server server.go lameDuckMode; SIGUSR2): stop taking clients, tell
 * the ones that read asynchronous INFO (`"ldm":true`) to go elsewhere, wait a grace period,
 * then close the clients one by one over the rest of `lame_duck_duration` — so they do not
 * all reconnect somewhere else at the same moment — and let the caller shut down.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Broker } from "./broker";
import { CloseReason } from "./close-reason";
import type { Logger } from "./logger";

export interface LameDuckOptions {
  /** Over how long the clients are closed, grace period included (ms). */
  durationMs: number;
  /** How long to wait before the first client is closed (ms). */
  gracePeriodMs: number;
}

/** nats-server DEFAULT_LAME_DUCK_DURATION and DEFAULT_LAME_DUCK_GRACE_PERIOD. */
export const LAME_DUCK_DEFAULTS: Readonly<LameDuckOptions> = {
  durationMs: 2 * 60_000,
  gracePeriodMs: 10_000,
};

/** nats-server sleeps at most a second between two clients, however few there are. */
const MAX_INTERVAL_MS = 1000;

export interface LameDuckRun {
  broker: Broker;
  options: LameDuckOptions;
  log: Logger;
  /** Closes the client listeners (not monitoring): no new client gets in from here on. */
  stopAccepting(): Promise<void>;
  /** Aborted when the server is stopped by other means meanwhile (SIGINT): give up then. */
  signal: AbortSignal;
  /** For tests: a number in [0, 1), Math.random by default. */
  random?: () => number;
}

/**
 * Runs lame duck mode to its end: resolves once every client has been closed (at once if
 * there were none), or early when `signal` aborts. The caller shuts the server down after.
 */
export async function runLameDuck(run: LameDuckRun): Promise<void> {
  const { broker, options, log, signal } = run;
  const random = run.random ?? Math.random;
  log.info("Entering lame duck mode, stop accepting new clients");
  await run.stopAccepting();
  const clients = broker.enterLameDuckMode();
  if (clients.length === 0 || signal.aborted) return;

  let duration = options.durationMs - options.gracePeriodMs;
  if (duration <= 0) duration = 1000;
  // Sleep between closes; with more clients than milliseconds, close several per sleep
  // (nats-server goes down to a nanosecond; timers here go down to a millisecond).
  let interval = duration / clients.length;
  let batch = 1;
  if (interval < 1) {
    batch = Math.ceil(1 / interval);
    interval *= batch;
  } else if (interval > MAX_INTERVAL_MS) interval = MAX_INTERVAL_MS;

  try {
    await sleep(options.gracePeriodMs, undefined, { signal });
    log.info("Closing existing clients");
    for (let i = 0; i < clients.length; i++) {
      clients[i]!.close(CloseReason.ServerShutdown);
      if (i === clients.length - 1) break;
      if ((i + 1) % batch !== 0) continue;
      // A random pause of at least half the interval (server.go).
      await sleep(Math.max(interval / 2, random() * interval), undefined, { signal });
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}
