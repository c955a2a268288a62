/**
 * `npm start`: the product — the broker, plus the web console and NATS over WebSocket on
 * the HTTP port. Builds the console first when the build is missing or stale. Takes the
 * same command line and config file as the broker alone (docs/config.md).
 */
import { loadConfig, programName } from "./config";
import { ensureConsoleBuild } from "./console-build";
import { startConsoleServer } from "./console-server";
import { describeError, log } from "./log";
import {
  PROJECT_ROOT,
  readProductVersion,
  reloadFromFile,
  startBrokerService,
  unsupportedSettings,
} from "./broker-service";
import { ConsoleService } from "./console/console-service";
import { setRuntime } from "./runtime";
import { exitOnSignals, keepServingOnUncaught, reloadOnHangup } from "./shutdown";

const config = loadConfig({
  unsupported: unsupportedSettings,
  productVersion: readProductVersion(),
});

try {
  const service = await startBrokerService(config, log, { program: programName() });
  // Before the build: the agents index must not miss announcements made meanwhile.
  const consoleService = new ConsoleService({
    broker: service.broker,
    mq9: service.mq9,
    store: service.mq9.store,
    log,
  });
  consoleService.start();
  let stopConsole: () => Promise<void> = async () => {};
  // Installed before the (possibly long) build, so Ctrl-C during it still stops cleanly.
  exitOnSignals(async () => {
    await stopConsole();
    consoleService.stop();
    await service.stop();
  }, log);
  reloadOnHangup(() => reloadFromFile(service, log), log);

  const runtime = {
    broker: service.broker,
    mq9: service.mq9,
    console: consoleService,
    endpoints: service.endpoints,
    productVersion: service.productVersion,
    dataDir: config.dataDir,
  };
  setRuntime(runtime);

  await ensureConsoleBuild(PROJECT_ROOT, log);
  const consoleServer = await startConsoleServer({
    config,
    broker: service.broker,
    root: PROJECT_ROOT,
    log,
  });
  stopConsole = consoleServer.stop;
  setRuntime({ ...runtime, endpoints: [...service.endpoints, ...consoleServer.endpoints] });
  keepServingOnUncaught(log);
  log.info("Server is ready");
} catch (err) {
  log.error(`Failed to start: ${describeError(err)}`);
  process.exit(1);
}
