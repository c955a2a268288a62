/**
 * `npm run broker` (and scripts/nats-server): the NATS broker alone, no console — ready in
 * about a second. Takes nats-server's command line and config file (docs/config.md).
 */
import { loadConfig, logSettings, programName } from "./config";
import { describeError, log } from "./log";
import {
  readProductVersion,
  reloadFromFile,
  startBrokerService,
  unsupportedSettings,
  type BrokerService,
} from "./broker-service";
import { exitOnSignals, keepServingOnUncaught, reloadOnHangup } from "./shutdown";

const config = loadConfig({
  unsupported: unsupportedSettings,
  productVersion: readProductVersion(),
});

/**
 * SIGUSR2: lame duck mode, then exit 0 (nats-server signal.go). Meanwhile SIGTERM is
 * ignored, as there, and SIGINT still stops at once.
 */
function lameDuckOnUser2(service: BrokerService, removeStopHandlers: () => void): void {
  process.once("SIGUSR2", () => {
    log.debug('Trapped "user defined signal 2" signal');
    removeStopHandlers();
    process.on("SIGTERM", () => log.debug('Trapped "terminated" signal'));
    process.once("SIGINT", () => void service.stop().then(() => process.exit(0)));
    // Later SIGUSR2s change nothing (nor kill the process, which the default would).
    process.on("SIGUSR2", () => {});
    service.lameDuck().then(
      () => {
        log.info("Server Exiting..");
        process.exit(0);
      },
      (err: unknown) => {
        log.error(`Lame duck mode failed: ${describeError(err)}`);
        process.exit(1);
      },
    );
  });
}

/**
 * SIGUSR1: reopens the log file, for log rotation (nats-server log.go ReOpenLogFile). A
 * listener also keeps the signal from doing what Node does by default with it (start the
 * inspector).
 */
function reopenLogOnUser1(service: BrokerService): void {
  process.on("SIGUSR1", () => {
    log.debug('Trapped "user defined signal 1" signal');
    const settings = logSettings(service.config);
    if (settings.file === null) {
      log.info("File log re-open ignored, not a file logger");
      return;
    }
    try {
      log.close();
      log.configure(settings);
      log.info("File log re-opened");
    } catch (err) {
      log.error(`Failed to re-open the log file: ${describeError(err)}`);
    }
  });
}

/**
 * Whoever read our stderr has gone (a harness that closed its end): nats-server, a Go
 * program, dies of SIGPIPE on its next log line. Logging the failure would fail again, and
 * an uncaught-exception handler that logs would spin on it, so stop here instead.
 */
function exitWhenStderrCloses(service: BrokerService): void {
  process.stderr.on("error", () => void service.stop().finally(() => process.exit(1)));
}

try {
  const service = await startBrokerService(config, log, { program: programName() });
  const removeStopHandlers = exitOnSignals(service.stop, log);
  reloadOnHangup(() => reloadFromFile(service, log), log);
  lameDuckOnUser2(service, removeStopHandlers);
  reopenLogOnUser1(service);
  exitWhenStderrCloses(service);
  keepServingOnUncaught(log);
  log.info("Server is ready");
} catch (err) {
  log.error(`Failed to start: ${describeError(err)}`);
  process.exit(1);
}
