/**
 * `npm run broker`: the NATS broker alone, no console — ready in about a second.
 */
import { loadConfig } from "./config";
import { describeError, log } from "./log";
import { startBrokerService } from "./broker-service";
import { exitOnSignals, keepServingOnUncaught } from "./shutdown";

const config = loadConfig();

try {
  const service = await startBrokerService(config, log);
  exitOnSignals(service.stop, log);
  keepServingOnUncaught(log);
  log.info("Server is ready");
} catch (err) {
  log.error(`Failed to start: ${describeError(err)}`);
  process.exit(1);
}
