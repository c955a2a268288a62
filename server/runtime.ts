/**
 * The running broker, reachable from Next.js route handlers in the same process. Next bundles
 * each route module with its own copy of this file, so the value lives on a globalThis
 * symbol rather than in a module variable. Nothing here may import server-only: the custom
 * server (plain Node, no react-server condition) imports it too.
 */
import type { ConsoleService } from "./console/console-service";
import type { Mq9Service } from "./mq9/service";
import type { Broker } from "./nats/mod";

export type EndpointKind = "tcp" | "websocket" | "console";

/** One address clients can reach, as actually bound (port 0 already resolved). */
export interface Endpoint {
  kind: EndpointKind;
  host: string;
  port: number;
  /** What a client puts in its `servers` option, e.g. `nats://127.0.0.1:4222`. */
  url: string;
}

export interface Runtime {
  broker: Broker;
  /** Mailboxes (`mq9.mailboxes`, live counters) and their store (`mq9.store.db` is Drizzle). */
  mq9: Mq9Service;
  /** The console's server side: agents index, answers, an in-process mq9 client. */
  console: ConsoleService;
  endpoints: readonly Endpoint[];
  /** mq9's own version (package.json), not the NATS protocol version the broker advertises. */
  productVersion: string;
  dataDir: string;
}

const KEY = Symbol.for("mq9.runtime");

type Holder = { [KEY]?: Runtime };

export function setRuntime(runtime: Runtime | undefined): void {
  (globalThis as Holder)[KEY] = runtime;
}

export function getRuntime(): Runtime | undefined {
  return (globalThis as Holder)[KEY];
}

/** `host:port`, with IPv6 literals in brackets. */
export { joinHostPort as hostPort } from "./nats/host-port";
