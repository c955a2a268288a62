/**
 * Every tunable of the NATS layer with nats-server's default, in one place (the way aedes
 * keeps its hooks and options together). Sizes are bytes, durations milliseconds.
 */
import type { BrokerHooks } from "./hooks";
import type { AuthConfig } from "./auth/types";
import type { Logger } from "./logger";

export interface BrokerOptions {
  /** Advertised in INFO; nats.js gates features on it (nats-wire-notes §1.1, §7 item 1). */
  version: string;
  serverName: string;
  host: string;
  port: number;
  maxPayload: number;
  maxControlLine: number;
  /** 0 = unlimited. */
  maxConnections: number;
  /** Per connection; 0 = unlimited. */
  maxSubscriptions: number;
  /** Outbound bytes a client may have queued before it is cut off as a slow consumer. */
  maxPending: number;
  /** How long queued output may wait for the socket to drain before the client is cut off. */
  writeDeadline: number;
  pingInterval: number;
  maxPingsOut: number;
  /** Partial hooks are completed from DEFAULT_HOOKS. */
  hooks: BrokerHooks;
  log: Logger;
  /** Protocol tracing (`-V`): `[TRC]` lines through `log` (trace.ts); see Broker.setTrace. */
  trace: boolean;
  /** Who may connect and what they may do; null = anyone, anything (nats-wire-notes §1.11). */
  auth: AuthConfig | null;
}

export const NATS_DEFAULTS = {
  version: "2.10.0",
  serverName: "",
  host: "127.0.0.1",
  port: 4222,
  maxPayload: 1024 * 1024,
  maxControlLine: 4096,
  maxConnections: 64 * 1024,
  maxSubscriptions: 0,
  maxPending: 64 * 1024 * 1024,
  writeDeadline: 10_000,
  pingInterval: 120_000,
  maxPingsOut: 2,
  auth: null,
  trace: false,
} as const;
