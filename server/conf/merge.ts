/**
 * One set of settings from the three sources, in nats-server's order of precedence
 * (opts.go MergeOptions, and ConfigureOptions parsing the flags again after the file):
 * flags beat the MQ9_* environment, which beats the config file, which beats defaults.
 * Our defaults stay ours where they differ from nats-server's (host 127.0.0.1, not 0.0.0.0).
 */
import type { OperatorAuth } from "../nats/auth/operator";
import type { AuthConfig } from "../nats/auth/types";
import type { ClusterOptions } from "../nats/cluster/options";
import { LAME_DUCK_DEFAULTS, type LameDuckOptions } from "../nats/lame-duck";
import type { BrokerOptions } from "../nats/options";
import { NATS_DEFAULTS } from "../nats/options";
import type { Mq9Options } from "../mq9/options";
import { MQ9_DEFAULTS } from "../mq9/options";
import { DEFAULT_CLUSTER_AUTH_TIMEOUT_MS, DEFAULT_CLUSTER_HOST } from "./cluster";
import type { EnvValues, FlagValues } from "./flags";
import type {
  Authorization,
  ClusterConfig,
  FileConfig,
  LimitKey,
  NkeyUser,
  PasswordUser,
  TlsConfig,
  WebSocketConfig,
} from "./options";
import { formatDiagnostic } from "./types";

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 4222,
  consolePort: 3000,
  dataDir: "./data",
  logtime: true,
  /** nats-server TLS_TIMEOUT and AUTH_TIMEOUT. */
  tlsTimeoutMs: 2000,
  authTimeoutMs: 2000,
} as const;

export type BrokerSettings = Pick<BrokerOptions, "host" | "port" | "serverName" | LimitKey>;

/** The broker's AuthConfig, with the file's extra per-user settings kept. */
export interface RunAuthorization extends AuthConfig {
  users: PasswordUser[];
  nkeys: NkeyUser[];
}

export type RunTls = TlsConfig & { timeoutMs: number };
export type RunWebSocket = Omit<WebSocketConfig, "port" | "host" | "tls"> & {
  host: string;
  /** 0 = any free port. */
  port: number;
  tls: RunTls | null;
};

export interface RunConfig {
  configFile: string | null;
  broker: BrokerSettings;
  /** null = no WebSocket listener of its own (the console port still serves /nats). */
  websocket: RunWebSocket | null;
  /** The web console (`npm start` only). */
  consolePort: number;
  dataDir: string;
  /** nats-server's monitoring endpoint; null = off. */
  monitor: { host: string; port: number } | null;
  /** null = no authentication. */
  authorization: RunAuthorization | null;
  /** Client TLS; null = plain TCP. */
  tls: RunTls | null;
  /** `allow_non_tls`: with `tls`, TLS is offered (`tls_available`) rather than required. */
  allowNonTls: boolean;
  mq9: Mq9Options;
  log: { debug: boolean; trace: boolean; logtime: boolean; file: string | null };
  portsFileDir: string | null;
  pidFile: string | null;
  /** `lame_duck_duration` and `lame_duck_grace_period`. */
  lameDuck: LameDuckOptions;
  /**
   * `cluster { }` with `--cluster`, `--routes`, `--cluster_name`, … over it; null = no
   * route listener (no cluster block, or one without a port, or `--cluster ""`).
   */
  cluster: ClusterOptions | null;
}

export interface MergeInput {
  flags: FlagValues;
  env?: EnvValues;
  /** null when no config file was given. */
  file?: FileConfig | null;
  configFile?: string | null;
}

export type MergeResult =
  | {
      ok: true;
      config: RunConfig;
      /** Settings that have no effect as combined (cluster settings without a listener). */
      warnings: string[];
    }
  | { ok: false; message: string };

export function mergeConfig(input: MergeInput): MergeResult {
  const flags = input.flags;
  const env = input.env ?? {};
  const file: FileConfig = input.file ?? { limits: {}, mq9: {} };
  try {
    const host = flags.host ?? env.host ?? file.host ?? DEFAULTS.host;
    const broker: BrokerSettings = {
      host,
      port: flags.port ?? env.port ?? file.port ?? DEFAULTS.port,
      serverName: flags.serverName ?? file.serverName ?? NATS_DEFAULTS.serverName,
      maxPayload: NATS_DEFAULTS.maxPayload,
      maxControlLine: NATS_DEFAULTS.maxControlLine,
      maxConnections: NATS_DEFAULTS.maxConnections,
      maxSubscriptions: NATS_DEFAULTS.maxSubscriptions,
      maxPending: NATS_DEFAULTS.maxPending,
      writeDeadline: NATS_DEFAULTS.writeDeadline,
      pingInterval: NATS_DEFAULTS.pingInterval,
      maxPingsOut: NATS_DEFAULTS.maxPingsOut,
      ...file.limits,
    };
    const tls = mergeTls(flags, file.tls);
    const monitorPort = flags.monitorPort ?? file.monitor?.port;
    const mq9: Mq9Options = { ...MQ9_DEFAULTS, ...file.mq9 };
    // mq9.md §11: mq9's payload limit is the NATS one unless set lower.
    if (file.mq9.maxPayload === undefined)
      mq9.maxPayload = Math.min(mq9.maxPayload, broker.maxPayload);
    const warnings: string[] = [];
    const cluster = mergeCluster(flags, file.cluster, warnings);
    if (cluster !== null && file.operator !== undefined) {
      // A cluster block is refused in the file itself (options.ts); this is --cluster.
      throw new MergeError("cluster is not supported in operator mode");
    }
    return {
      ok: true,
      warnings,
      config: {
        configFile: input.configFile ?? null,
        broker,
        websocket: mergeWebSocket(flags, env, file.websocket, host),
        consolePort: flags.consolePort ?? env.consolePort ?? DEFAULTS.consolePort,
        dataDir: flags.dataDir ?? env.dataDir ?? file.dataDir ?? DEFAULTS.dataDir,
        monitor:
          monitorPort === undefined
            ? null
            : { host: file.monitor?.host ?? host, port: monitorPort },
        authorization: mergeAuthorization(
          flags,
          file.authorization,
          file.noAuthUser,
          tls,
          file.operator ?? null,
        ),
        tls,
        allowNonTls: file.allowNonTls ?? false,
        mq9,
        log: {
          debug: flags.debug ?? file.debug ?? false,
          trace: flags.trace ?? file.trace ?? false,
          logtime: flags.logtime ?? file.logtime ?? DEFAULTS.logtime,
          file: flags.logFile ?? file.logFile ?? null,
        },
        portsFileDir: flags.portsFileDir ?? file.portsFileDir ?? null,
        pidFile: flags.pidFile ?? file.pidFile ?? null,
        lameDuck: {
          durationMs: file.lameDuckDurationMs ?? LAME_DUCK_DEFAULTS.durationMs,
          gracePeriodMs: file.lameDuckGracePeriodMs ?? LAME_DUCK_DEFAULTS.gracePeriodMs,
        },
        cluster,
      },
    };
  } catch (e) {
    if (e instanceof MergeError) return { ok: false, message: e.message };
    throw e;
  }
}

class MergeError extends Error {}

function withTimeout(t: TlsConfig): RunTls {
  return { ...t, timeoutMs: t.timeoutMs ?? DEFAULTS.tlsTimeoutMs };
}

/** opts.go overrideTLS: any --tls* flag replaces the file's tls block; --tls=false drops it. */
function mergeTls(flags: FlagValues, fileTls: TlsConfig | undefined): RunTls | null {
  if (flags.tls === false) return null;
  const any =
    flags.tls === true ||
    flags.tlsCert !== undefined ||
    flags.tlsKey !== undefined ||
    flags.tlsCaCert !== undefined ||
    flags.tlsVerify !== undefined;
  if (!any) return fileTls ? withTimeout(fileTls) : null;
  if (flags.tlsCert === undefined)
    throw new MergeError("TLS flags need --tlscert (the server certificate)");
  if (flags.tlsKey === undefined)
    throw new MergeError("TLS flags need --tlskey (the server private key)");
  return withTimeout({
    certFile: flags.tlsCert,
    keyFile: flags.tlsKey,
    caFile: flags.tlsCaCert ?? null,
    verify: flags.tlsVerify ?? false,
    timeoutMs: fileTls?.timeoutMs ?? null,
  });
}

function mergeAuthorization(
  flags: FlagValues,
  a: Authorization | undefined,
  noAuthUser: string | undefined,
  tls: RunTls | null,
  operator: OperatorAuth | null,
): RunAuthorization | null {
  // nats-server getDefaultAuthTimeout: the TLS timeout plus a second when TLS is on.
  const timeoutMs = a?.timeoutMs ?? (tls ? tls.timeoutMs + 1000 : DEFAULTS.authTimeoutMs);
  if (operator !== null) {
    if (flags.user !== undefined || flags.pass !== undefined || flags.token !== undefined) {
      throw new MergeError(
        "--user/--pass/--auth have no use in operator mode (users present JWTs)",
      );
    }
    // Every client presents a user JWT; nothing else in `authorization` applies.
    return {
      user: null,
      password: null,
      token: null,
      timeoutMs,
      users: [],
      nkeys: [],
      noAuthUser: null,
      operator,
    };
  }
  const user = flags.user ?? a?.user ?? null;
  const password = flags.pass ?? a?.password ?? null;
  const token = flags.token ?? a?.token ?? null;
  const users = a?.users ?? [];
  const nkeys = a?.nkeys ?? [];
  const hasList = users.length > 0 || nkeys.length > 0;
  const fromFlags =
    flags.user !== undefined || flags.pass !== undefined || flags.token !== undefined;
  if (fromFlags && hasList) {
    // nats-server would silently prefer the list; say so instead.
    throw new MergeError(
      "--user/--pass/--auth cannot be combined with the users list in the config file",
    );
  }
  if ((user !== null || password !== null) && token !== null) {
    throw new MergeError("cannot have a user/password and a token (--auth)");
  }
  if (password !== null && user === null)
    throw new MergeError("a password (--pass) needs a user (--user)");
  if (user === null && token === null && !hasList) return null;
  return {
    user,
    password,
    token,
    timeoutMs,
    users,
    nkeys,
    noAuthUser: noAuthUser ?? null,
  };
}

/** Our --ws-port turns on a listener (plain unless the file gives it TLS) or, with "off", none. */
function mergeWebSocket(
  flags: FlagValues,
  env: EnvValues,
  fileWs: WebSocketConfig | undefined,
  host: string,
): RunWebSocket | null {
  const override = flags.wsPort !== undefined ? flags.wsPort : env.wsPort;
  const port = override !== undefined ? override : (fileWs?.port ?? null);
  if (port === null) return null;
  const base: WebSocketConfig = fileWs ?? {
    port: null,
    host: null,
    noTls: true,
    tls: null,
    compression: false,
    sameOrigin: false,
    allowedOrigins: [],
    handshakeTimeoutMs: null,
  };
  return {
    ...base,
    host: base.host ?? host,
    port,
    noTls: base.tls ? base.noTls : true,
    tls: base.tls ? withTimeout(base.tls) : null,
  };
}

/**
 * The file's cluster block under the cluster flags (opts.go ConfigureOptions: the flags
 * are parsed again over the file, then overrideCluster and the routes). `--cluster` sets
 * the listener and replaces the route credentials, dropping the file's when its URL has
 * no user info, as nats-server does.
 */
function mergeCluster(
  flags: FlagValues,
  fc: ClusterConfig | undefined,
  warnings: string[],
): ClusterOptions | null {
  const listen = flags.cluster;
  if (listen === null) return null; // --cluster "" (or port 0): clustering off.
  let host = fc?.host ?? null;
  let port = fc?.port ?? null;
  let user = fc?.user ?? null;
  let password = fc?.password ?? null;
  if (listen !== undefined) {
    ({ host, port, user } = listen);
    password = listen.pass;
  }
  const routes = flags.routes ?? fc?.routes ?? [];
  if (port === null) {
    if (flags.routes !== undefined && routes.length > 0 && fc === undefined) {
      // nats-server's wording (opts.go ConfigureOptions).
      throw new MergeError("solicited routes require cluster capabilities, e.g. --cluster");
    }
    // "file:line:col: " of the block, as the file's own errors start.
    const where = fc ? formatDiagnostic({ pos: fc.pos, message: "" }) : "";
    if (routes.length > 0) {
      // nats-server would start and never dial them; messages would not reach the cluster.
      throw new MergeError(
        `${where}cluster: routes need a route listener: give the cluster block a port or listen, or use --cluster`,
      );
    }
    const flagged = [
      flags.clusterName !== undefined && "--cluster_name",
      flags.clusterAdvertise !== undefined && "--cluster_advertise",
      flags.noAdvertise !== undefined && "--no_advertise",
      flags.connectRetries !== undefined && "--connect_retries",
    ].filter((x) => x !== false);
    if (fc) warnings.push(`${where}cluster has no port or listen: no route listener is started`);
    else if (flagged.length > 0) {
      warnings.push(`${flagged.join(", ")} ignored: no route listener (use --cluster)`);
    }
    return null;
  }
  return {
    name: flags.clusterName ?? fc?.name ?? null,
    host: host ?? DEFAULT_CLUSTER_HOST,
    port,
    routes,
    authorization:
      user === null
        ? null
        : {
            user,
            password: password ?? "",
            timeoutMs: fc?.authTimeoutMs ?? DEFAULT_CLUSTER_AUTH_TIMEOUT_MS,
          },
    advertise: flags.clusterAdvertise ?? fc?.advertise ?? null,
    noAdvertise: flags.noAdvertise ?? fc?.noAdvertise ?? false,
    connectRetries: flags.connectRetries ?? fc?.connectRetries ?? 0,
  };
}
