/** An in-process broker with the mq9 layer, on a free port, over a throwaway store. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Mq9Service } from "../../server/mq9/service";
import type { Mq9Options } from "../../server/mq9/options";
import { Broker, listenTcp, SILENT_LOGGER, type BrokerConfig } from "../../server/nats/mod";
import { MailStore } from "../../server/store/mail-store";

export interface TestMq9 {
  port: number;
  broker: Broker;
  mq9: Mq9Service;
  store: MailStore;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startMq9(
  opts: { mq9?: Partial<Mq9Options>; broker?: BrokerConfig; dataDir?: string } = {},
): Promise<TestMq9> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "mq9-test-"));
  const store = new MailStore(dataDir);
  const mq9 = new Mq9Service(store, opts.mq9 ?? {}, SILENT_LOGGER);
  const broker = new Broker({ host: "127.0.0.1", ...opts.broker, hooks: mq9.hooks });
  mq9.start(broker);
  const listener = await listenTcp(broker, { host: "127.0.0.1", port: 0 });
  return {
    port: listener.address.port,
    broker,
    mq9,
    store,
    dataDir,
    stop: async () => {
      await listener.close();
      await mq9.stop();
      await broker.shutdown(2000);
      await store.close();
      if (opts.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
