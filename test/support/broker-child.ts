/**
 * A broker in a process of its own, for tests that measure it from outside (RSS) or kill
 * it. Usage: node --import tsx test/support/broker-child.ts '<BrokerConfig JSON>'.
 * Prints `PORT <n>` once it listens.
 */
import { Broker, listenTcp, type BrokerConfig } from "../../server/nats/mod";

const config = JSON.parse(process.argv[2] ?? "{}") as BrokerConfig;
const broker = new Broker({ host: "127.0.0.1", ...config });
const listener = await listenTcp(broker, { host: "127.0.0.1", port: 0 });
process.stdout.write(`PORT ${listener.address.port}\n`);
process.on("SIGTERM", () => {
  void listener
    .close()
    .then(() => broker.shutdown(1000))
    .then(() => process.exit(0));
});
