/**
 * `npm run broker` (and scripts/nats-server): the NATS broker alone, no console — ready in
 * about a second. Takes nats-server's command line and config file (docs/config.md).
 */
import { loadConfig, programName } from "./config";
import { describeError, log } from "./log";
import {
  readProductVersion,
  reloadFromFile,
  startBrokerService,
  unsupportedSettings,
} from "./broker-service";
import { exitOnSignals, keepServingOnUncaught, reloadOnHangup } from "./shutdown";

const config = loadConfig({
  unsupported: unsupportedSettings,
  productVersion: readProductVersion(),
});

try {
  const service = await startBrokerService(config, log, { program: programName() });
  exitOnSignals(service.stop, log);
  reloadOnHangup(() => reloadFromFile(service, log), log);
  keepServingOnUncaught(log);
  log.info("Server is ready");
} catch (err) {
  log.error(`Failed to start: ${describeError(err)}`);
  process.exit(1);
}
