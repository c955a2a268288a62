/** An in-process broker on a free loopback port, for tests that drive it with real clients. */
import { Broker, listenTcp, type BrokerConfig } from "../../server/nats/mod";

export interface TestBroker {
  port: number;
  broker: Broker;
  stop(): Promise<void>;
}

export async function startBroker(config: BrokerConfig = {}): Promise<TestBroker> {
  const broker = new Broker({ host: "127.0.0.1", ...config });
  const listener = await listenTcp(broker, { host: "127.0.0.1", port: config.port ?? 0 });
  return {
    port: listener.address.port,
    broker,
    stop: async () => {
      await listener.close().catch(() => {});
      await broker.shutdown(2000);
    },
  };
}
