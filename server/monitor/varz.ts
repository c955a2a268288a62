/**
 * /varz (monitor.go Varz, createVarz): the server's identity, its limits and its running
 * totals, under nats-server 2.9.10's field names and encodings (durations in nanoseconds,
 * timeouts in seconds). Sections for what we do not have (gateway, leaf, mqtt,
 * jetstream; cluster when there is none) are empty objects, as nats-server shows them
 * when unconfigured. Left out:
 * `gomaxprocs` (a Go scheduler setting) and `system_account` (there are no accounts).
 */
import os from "node:os";
import type { Broker } from "../nats/mod";
import { goNanos, goTime, goUptime } from "./go-format";
import type { ProcessUsage } from "./process-usage";

/** What /varz reports of the WebSocket listener (WebsocketOptsVarz; empty fields left out). */
export interface WebSocketVarz {
  host?: string;
  port?: number;
  handshake_timeout?: number;
  no_tls?: boolean;
  same_origin?: boolean;
  allowed_origins?: string[];
  compression?: boolean;
}

/** Settings /varz shows that live outside the broker (they may change on reload). */
export interface VarzSettings {
  /** Seconds. */
  authTimeout: number;
  /** Seconds. */
  tlsTimeout: number;
  websocket: WebSocketVarz;
}

export const DEFAULT_VARZ_SETTINGS: VarzSettings = { authTimeout: 2, tlsTimeout: 2, websocket: {} };

export interface VarzInput {
  broker: Broker;
  settings: VarzSettings;
  http: { host: string; port: number };
  usage: ProcessUsage;
  httpReqStats: Readonly<Record<string, number>>;
  /** ms since the epoch. */
  configLoadTime: number;
  now: number;
}

export type Varz = ReturnType<typeof varz>;

export function varz(i: VarzInput) {
  const b = i.broker;
  const o = b.options;
  const info = b.serverInfo();
  const s = b.stats();
  const c = b.cluster;
  const routes = c?.summaries().length ?? 0;
  return {
    server_id: s.serverId,
    server_name: s.serverName,
    version: s.version,
    proto: 1,
    // What INFO says in its `go` field (server/nats/protocol/info.ts).
    go: `node${process.version}`,
    host: info.host,
    port: info.port,
    ...(info.authRequired && { auth_required: true }),
    ...(info.tlsRequired && { tls_required: true }),
    ...(info.tlsVerify && { tls_verify: true }),
    ...(info.connectUrls?.length && { connect_urls: info.connectUrls }),
    ...(info.wsConnectUrls?.length && { ws_connect_urls: info.wsConnectUrls }),
    max_connections: o.maxConnections,
    ...(o.maxSubscriptions > 0 && { max_subscriptions: o.maxSubscriptions }),
    ping_interval: goNanos(o.pingInterval),
    ping_max: o.maxPingsOut,
    http_host: i.http.host,
    http_port: i.http.port,
    http_base_path: "",
    https_port: 0,
    auth_timeout: i.settings.authTimeout,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    // monitor.go ClusterOptsVarz.
    cluster:
      c === null
        ? {}
        : {
            name: c.name,
            addr: c.address?.host,
            cluster_port: c.address?.port,
            ...(c.options.authorization !== null && {
              auth_timeout: c.options.authorization.timeoutMs / 1000,
            }),
            ...(c.options.routes.length > 0 && { urls: c.configuredRoutes() }),
          },
    gateway: {},
    leaf: {},
    mqtt: {},
    websocket: i.settings.websocket,
    jetstream: {},
    tls_timeout: i.settings.tlsTimeout,
    write_deadline: goNanos(o.writeDeadline),
    start: goTime(s.startedAt),
    now: goTime(i.now),
    uptime: goUptime(i.now - s.startedAt),
    mem: i.usage.rss,
    // runtime.NumCPU: the CPUs this process may run on.
    cores: os.availableParallelism(),
    cpu: i.usage.cpu,
    connections: s.connections,
    total_connections: s.totalConnections,
    routes,
    remotes: routes,
    leafnodes: 0,
    in_msgs: s.inMsgs,
    out_msgs: s.outMsgs,
    in_bytes: s.inBytes,
    out_bytes: s.outBytes,
    slow_consumers: s.slowConsumers,
    subscriptions: s.subscriptions,
    http_req_stats: { ...i.httpReqStats },
    config_load_time: goTime(i.configLoadTime),
  };
}
