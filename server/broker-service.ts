/**
 * Starting and stopping the broker with its listeners — the part both process entries share
 * (`main-broker.ts` runs only this; `main.ts` adds the console around it).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "./config";
import type { Logger } from "./log";
import { Mq9Service } from "./mq9/service";
import { Broker, listenTcp, type Listener } from "./nats/mod";
import { MailStore } from "./store/mail-store";
import { listenWebSocket } from "./nats/transports/websocket/mod";
import { hostPort, type Endpoint } from "./runtime";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface BrokerService {
  broker: Broker;
  mq9: Mq9Service;
  productVersion: string;
  /** As bound, in the order they were opened. */
  endpoints: Endpoint[];
  /** Stops accepting, then flushes and closes every client. Safe to call more than once. */
  stop(): Promise<void>;
}

export function readProductVersion(root = PROJECT_ROOT): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export async function startBrokerService(config: Config, log: Logger): Promise<BrokerService> {
  const productVersion = readProductVersion();
  const store = new MailStore(config.dataDir);
  const mq9 = new Mq9Service(store, {}, log);
  const broker = new Broker({ host: config.host, port: config.port, log, hooks: mq9.hooks });
  mq9.start(broker);
  log.info(`Starting mq9 ${productVersion}`);
  log.info(`  NATS:     ${broker.options.version}`);
  log.info(`  ID:       ${broker.serverId}`);
  log.info(`  Data:     ${path.resolve(config.dataDir)}`);

  const listeners: Listener[] = [];
  const endpoints: Endpoint[] = [];
  try {
    const tcp = await listenTcp(broker, { host: config.host, port: config.port });
    listeners.push(tcp);
    const { host, port } = tcp.address;
    endpoints.push({ kind: "tcp", host, port, url: `nats://${hostPort(host, port)}` });
    log.info(`Listening for client connections on ${hostPort(host, port)}`);

    if (config.wsPort !== null) {
      const ws = await listenWebSocket(broker, { host: config.host, port: config.wsPort });
      listeners.push(ws);
      const a = ws.address;
      endpoints.push({ kind: "websocket", ...a, url: `ws://${hostPort(a.host, a.port)}` });
      log.info(`Listening for websocket clients on ws://${hostPort(a.host, a.port)}`);
    }
  } catch (err) {
    // A listener that did open must not keep the process alive after a failed start.
    await Promise.allSettled(listeners.map((l) => l.close()));
    mq9.stop();
    await broker.shutdown();
    store.close();
    throw err;
  }

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.allSettled(listeners.map((l) => l.close()));
      // Commit what was accepted (and release the PONGs waiting on it) before closing.
      mq9.stop();
      await broker.shutdown();
      store.close();
    })());

  return { broker, mq9, productVersion, endpoints, stop };
}
