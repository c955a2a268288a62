/**
 * Process-level lifecycle shared by both entries: graceful stop on SIGTERM/SIGINT, config
 * reload on SIGHUP, and the last line of defence against an exception that escaped a
 * connection's own error handling.
 */
import { describeError, type Logger } from "./log";

export interface ShutdownOptions {
  /** A stop that hangs (a peer that never drains) must not keep the process alive forever. */
  graceMs?: number;
  exit?: (code: number) => void;
  /** Where the signals arrive; `process` except in tests (whose runner owns real signals). */
  signals?: Pick<NodeJS.EventEmitter, "on" | "off">;
}

/**
 * First SIGTERM/SIGINT: run `stop`, then exit 0 (1 if it failed or overran `graceMs`).
 * A second signal while stopping exits 1 at once. Returns a function that removes the
 * handlers again.
 */
export function exitOnSignals(
  stop: () => Promise<void>,
  log: Logger,
  opts: ShutdownOptions = {},
): () => void {
  const graceMs = opts.graceMs ?? 10_000;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`Received ${signal} again, exiting now`);
      exit(1);
      return;
    }
    stopping = true;
    log.info(`Received ${signal}, initiating shutdown...`);
    const timer = setTimeout(() => {
      log.error(`Shutdown did not finish within ${graceMs} ms, exiting`);
      exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => {
        clearTimeout(timer);
        log.info("Server Exiting..");
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        log.error(`Shutdown failed: ${describeError(err)}`);
        exit(1);
      },
    );
  };
  const source = opts.signals ?? process;
  source.on("SIGTERM", onSignal);
  source.on("SIGINT", onSignal);
  return () => {
    source.off("SIGTERM", onSignal);
    source.off("SIGINT", onSignal);
  };
}

/**
 * SIGHUP runs `reload` (nats-server signal.go): `Reloaded server configuration` when it
 * returns, `Failed to reload server configuration: <reason>` when it throws, and the
 * server keeps running either way. Returns a function that removes the handler.
 */
export function reloadOnHangup(
  reload: () => void,
  log: Logger,
  opts: Pick<ShutdownOptions, "signals"> = {},
): () => void {
  const onHangup = () => {
    log.debug('Trapped "hangup" signal');
    try {
      reload();
      log.info("Reloaded server configuration");
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log.error(`Failed to reload server configuration: ${reason}`);
    }
  };
  const source = opts.signals ?? process;
  source.on("SIGHUP", onHangup);
  return () => source.off("SIGHUP", onHangup);
}

/**
 * Logs and keeps serving. The broker isolates errors per connection; anything that still
 * reaches the process is a bug to fix, but not a reason to drop every other client.
 */
export function keepServingOnUncaught(log: Logger): void {
  process.on("uncaughtException", (err) => {
    log.error(`Uncaught exception (still serving): ${describeError(err)}`);
    if (log.debugEnabled && err instanceof Error && err.stack) log.debug(err.stack);
  });
  process.on("unhandledRejection", (reason) => {
    log.error(`Unhandled rejection (still serving): ${describeError(reason)}`);
    if (log.debugEnabled && reason instanceof Error && reason.stack) log.debug(reason.stack);
  });
}
