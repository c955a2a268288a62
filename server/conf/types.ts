/**
 * What a nats-server config file can say that this broker uses (options.ts fills it in).
 * Durations are milliseconds and sizes bytes, like BrokerOptions.
 */
import type {
  ConnectionType,
  NkeyUser as AuthNkeyUser,
  PasswordUser as AuthPasswordUser,
  UserPermissions,
} from "../nats/auth/types";
import type { OperatorAuth } from "../nats/auth/operator";
import type { RouteUrl } from "../nats/cluster/options";
import type { BrokerOptions } from "../nats/options";
import type { Mq9Options } from "../mq9/options";
import type { ConfPosition } from "./parse";

// Permissions are the NATS layer's own types: the file maps straight onto them.
export type { ResponsePermission, SubjectPermission } from "../nats/auth/types";
export type Permissions = UserPermissions;

export type { ConnectionType };

export interface PasswordUser extends AuthPasswordUser {
  /** null = any kind of connection. */
  allowedConnectionTypes: ConnectionType[] | null;
}

export interface NkeyUser extends AuthNkeyUser {
  allowedConnectionTypes: ConnectionType[] | null;
}

export interface Authorization {
  /** Single user (exclusive with `token` and with `users`). */
  user: string | null;
  password: string | null;
  /** Exclusive with user/password and with `users`. */
  token: string | null;
  /** How long a client has to send CONNECT; null = nats-server's default (2 s, or TLS timeout + 1 s). */
  timeoutMs: number | null;
  /** `users` entries with a name; the default permissions are already applied. */
  users: PasswordUser[];
  nkeys: NkeyUser[];
  defaultPermissions: Permissions | null;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  caFile: string | null;
  /** Require and verify client certificates (mutual TLS). */
  verify: boolean;
  /** Handshake timeout; null = nats-server's default (2 s). */
  timeoutMs: number | null;
}

export interface WebSocketConfig {
  /** null = not enabled (nats-server: no port, or port 0); 0 = any free port (nats-server -1). */
  port: number | null;
  host: string | null;
  noTls: boolean;
  tls: TlsConfig | null;
  compression: boolean;
  sameOrigin: boolean;
  allowedOrigins: string[];
  handshakeTimeoutMs: number | null;
}

/**
 * `cluster { }` as the file wrote it. merge.ts makes ClusterOptions of it once the flags
 * are known: `--cluster` can give a block without a port its listener.
 */
export interface ClusterConfig {
  /** Where the block is, for the errors only the merge can tell (routes without a listener). */
  pos: ConfPosition;
  /** `name`; null = not set (a dynamic name). */
  name: string | null;
  /** `host`/`net`/`listen`; null = not set (nats-server's default, 0.0.0.0). */
  host: string | null;
  /** null = no route listener (no port, or port 0); 0 = any free port (nats-server's -1). */
  port: number | null;
  /** `routes`, duplicates dropped. */
  routes: RouteUrl[];
  /** `authorization { user, password }`; user null = routes need no credentials. */
  user: string | null;
  password: string | null;
  /** `authorization { timeout }`; null = the default (2 s). */
  authTimeoutMs: number | null;
  /** `advertise`/`cluster_advertise`: host or host:port. */
  advertise: string | null;
  noAdvertise: boolean;
  connectRetries: number;
}

/** The broker limits a config file can set (and a reload can change). */
export type LimitKey =
  | "maxPayload"
  | "maxControlLine"
  | "maxConnections"
  | "maxSubscriptions"
  | "maxPending"
  | "writeDeadline"
  | "pingInterval"
  | "maxPingsOut";

export type NatsLimits = Partial<Pick<BrokerOptions, LimitKey>>;

/** Everything a config file set; absent = not set there (nats-server's "0 = default" included). */
export interface FileConfig {
  host?: string;
  /** 0 = any free port (nats-server's -1). */
  port?: number;
  serverName?: string;
  limits: NatsLimits;
  /** The monitoring endpoint (`http`, `http_port`); port 0 = any free port. */
  monitor?: { host?: string; port: number };
  portsFileDir?: string;
  pidFile?: string;
  logFile?: string;
  debug?: boolean;
  trace?: boolean;
  logtime?: boolean;
  authorization?: Authorization;
  noAuthUser?: string;
  tls?: TlsConfig;
  /** Top-level `allow_non_tls`: with `tls`, clients may also stay in plain text. */
  allowNonTls?: boolean;
  websocket?: WebSocketConfig;
  cluster?: ClusterConfig;
  /** `lame_duck_duration`: how long closing the clients may take in lame duck mode. */
  lameDuckDurationMs?: number;
  /** `lame_duck_grace_period`: the wait before the first client is closed. */
  lameDuckGracePeriodMs?: number;
  /** Operator (JWT) mode: `operator`, `resolver: MEMORY`, `resolver_preload`, … */
  operator?: OperatorAuth;
  mq9: Partial<Mq9Options>;
  /** `mq9.data_dir`. */
  dataDir?: string;
}

export interface ConfDiagnostic {
  pos: ConfPosition;
  message: string;
}

export function formatDiagnostic(d: ConfDiagnostic): string {
  return `${d.pos.file}:${d.pos.line}:${d.pos.column}: ${d.message}`;
}

export interface MappedConfig {
  config: FileConfig;
  warnings: ConfDiagnostic[];
  /** Non-empty = refuse to start. */
  errors: ConfDiagnostic[];
}
