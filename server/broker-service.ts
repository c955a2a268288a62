/**
 * Starting, reloading and stopping the broker with its listeners — the part both process
 * entries share (`main-broker.ts` runs only this; `main.ts` adds the console around it).
 * Everything comes from the RunConfig (server/config.ts): limits, mq9 settings, data
 * directory, WebSocket options, the ports file and the pid file.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { logSettings, reloadConfig, type Env, type RunConfig } from "./config";
import type { LimitKey } from "./conf/types";
import type { Logger, ProcessLogger } from "./log";
import type { Mq9Options } from "./mq9/options";
import { Mq9Service } from "./mq9/service";
import { Broker, listenTcp, type Listener } from "./nats/mod";
import { Cluster, connectUrls } from "./nats/cluster/cluster";
import { runLameDuck } from "./nats/lame-duck";
import { ConnectionTracker, startMonitor, type Monitor } from "./monitor/mod";
import { varzSettings } from "./monitor/run-settings";
import { MailStore } from "./store/mail-store";
import { listenWebSocket } from "./nats/transports/websocket/mod";
import { listenerUrls, portsFilePath, removePortsFile, writePortsFile } from "./ports-file";
import { hostPort, type Endpoint } from "./runtime";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface BrokerService {
  broker: Broker;
  mq9: Mq9Service;
  productVersion: string;
  /** As bound, in the order they were opened. */
  endpoints: Endpoint[];
  /** nats-server's monitoring listener (`http_port`); null when not configured. */
  monitor: Monitor | null;
  /** The settings in force (replaced by a successful reload). */
  readonly config: RunConfig;
  /**
   * Applies what may change while running (limits, mq9 settings) and returns what changed,
   * as `name = value`. Throws, changing nothing, when `next` changes something that needs
   * a restart or asks for something unsupported.
   */
  reload(next: RunConfig): string[];
  /** Stops accepting, then flushes and closes every client. Safe to call more than once. */
  stop(): Promise<void>;
  /**
   * Lame duck mode (SIGUSR2; nats/lame-duck.ts), then stop: resolves once stopped. A
   * stop() meanwhile cuts it short. Safe to call more than once.
   */
  lameDuck(): Promise<void>;
}

export interface BrokerServiceOptions {
  /** Names the ports file `<program>_<pid>.ports`, as nats-server does with its own name. */
  program?: string;
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

/**
 * Settings the broker cannot honour yet. Refused rather than ignored: ignoring them would
 * leave a server open that its operator believes is protected. (None at the moment.)
 */
export function unsupportedSettings(_config: RunConfig): string[] {
  return [];
}

/** nats-server's option names, for the reload log lines. */
const LIMIT_NAMES: Readonly<Record<LimitKey, string>> = {
  maxPayload: "max_payload",
  maxControlLine: "max_control_line",
  maxConnections: "max_connections",
  maxSubscriptions: "max_subscriptions",
  maxPending: "max_pending",
  writeDeadline: "write_deadline",
  pingInterval: "ping_interval",
  maxPingsOut: "ping_max",
};
const DURATIONS: ReadonlySet<LimitKey> = new Set(["writeDeadline", "pingInterval"]);

const MQ9_NAMES: Readonly<Record<keyof Mq9Options, string>> = {
  defaultTtl: "mq9.default_ttl",
  maxTtl: "mq9.max_ttl",
  allowNoExpiry: "mq9.allow_no_expiry",
  notifyTtl: "mq9.notify_ttl",
  maxMessagesPerMailbox: "mq9.max_messages_per_mailbox",
  maxBytesPerMailbox: "mq9.max_bytes_per_mailbox",
  createsPerMinute: "mq9.creates_per_minute",
  deadLetterRetention: "mq9.dead_letter_retention",
  maxPayload: "mq9.max_payload",
};

const ms = (n: number) => (n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`);

/** Settings only a restart can change, with the names an operator wrote them under. */
function fixedSettings(c: RunConfig): Record<string, unknown> {
  return {
    host: c.broker.host,
    port: c.broker.port,
    server_name: c.broker.serverName,
    websocket: c.websocket,
    "--http-port": c.consolePort,
    data_dir: c.dataDir,
    http_port: c.monitor,
    ports_file_dir: c.portsFileDir,
    pid_file: c.pidFile,
    log_file: c.log.file,
    tls: c.tls,
    cluster: c.cluster,
    allow_non_tls: c.allowNonTls,
    operator: operatorSummary(c),
    lame_duck_duration: c.lameDuck.durationMs,
    lame_duck_grace_period: c.lameDuck.gracePeriodMs,
  };
}

/**
 * Operator mode's settings for the reload comparison: keys as they are, account JWTs as
 * short digests (the reload error names what changed without pages of JWT).
 */
function operatorSummary(c: RunConfig): unknown {
  const op = c.authorization?.operator ?? null;
  if (op === null) return null;
  const digest = (jwt: string) => createHash("sha256").update(jwt).digest("hex").slice(0, 12);
  return {
    trusted: op.trustedKeys,
    system_account: op.systemAccount,
    pinned: op.pinnedAccounts,
    accounts: Object.fromEntries(Object.entries(op.accounts).map(([k, v]) => [k, digest(v)])),
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

export async function startBrokerService(
  initial: RunConfig,
  log: Logger,
  opts: BrokerServiceOptions = {},
): Promise<BrokerService> {
  const refused = unsupportedSettings(initial);
  if (refused.length > 0) throw new Error(refused.join("; "));
  let config = initial;
  const productVersion = readProductVersion();
  const store = new MailStore(config.dataDir);
  const mq9 = new Mq9Service(store, config.mq9, log);
  // Monitoring sees connections close and subscriptions come and go through the hooks.
  const tracker = config.monitor !== null ? new ConnectionTracker() : null;
  const broker = new Broker({
    ...config.broker,
    log,
    hooks: tracker !== null ? tracker.observe(mq9.hooks) : mq9.hooks,
    auth: config.authorization,
    trace: config.log.trace,
  });
  mq9.start(broker);
  log.info(`Starting mq9 ${productVersion}`);
  log.info(`  NATS:     ${broker.options.version}`);
  if (broker.options.serverName) log.info(`  Name:     ${broker.options.serverName}`);
  log.info(`  ID:       ${broker.serverId}`);
  log.info(`  Data:     ${path.resolve(config.dataDir)}`);
  if (config.configFile !== null) log.info(`Using configuration file: ${config.configFile}`);

  const listeners: Listener[] = [];
  /** The listeners lame duck mode closes: clients', not monitoring's. */
  const clientListeners: Listener[] = [];
  const endpoints: Endpoint[] = [];
  let monitor: Monitor | null = null;
  let cluster: Cluster | null = null;
  const portsFile =
    config.portsFileDir === null ? null : portsFilePath(config.portsFileDir, opts.program ?? "mq9");
  const pidFile = config.pidFile;
  const removeFiles = () => {
    // A file left behind is worth a line in the log, not a failed shutdown.
    if (portsFile !== null) {
      try {
        removePortsFile(portsFile);
      } catch (err) {
        log.error(`Error cleaning up ports file ${portsFile}: ${String(err)}`);
      }
    }
    if (pidFile !== null) {
      try {
        fs.rmSync(pidFile, { force: true });
      } catch (err) {
        log.error(`Error cleaning up pid file ${pidFile}: ${String(err)}`);
      }
    }
  };
  try {
    // nats-server writes the pid file first and will not start without it.
    if (pidFile !== null) fs.writeFileSync(pidFile, String(process.pid), { mode: 0o660 });

    // nats-server opens the monitoring port before the client port.
    if (config.monitor !== null) {
      monitor = await startMonitor({
        broker,
        ...(tracker !== null && { tracker }),
        mq9,
        host: config.monitor.host,
        port: config.monitor.port,
        log,
        settings: () => varzSettings(config, endpoints.find((e) => e.kind === "websocket")?.port),
      });
      listeners.push(monitor);
      const a = monitor.address;
      log.info(`Starting http monitor on ${hostPort(a.host, a.port)}`);
    }

    const tcp = await listenTcp(broker, {
      host: config.broker.host,
      port: config.broker.port,
      ...(config.tls !== null && { tls: config.tls, allowNonTls: config.allowNonTls }),
    });
    listeners.push(tcp);
    clientListeners.push(tcp);
    const { host, port } = tcp.address;
    // nats-server names a TLS client listener tls:// (server.go PortsInfo).
    const natsScheme = config.tls !== null ? "tls" : "nats";
    endpoints.push({ kind: "tcp", host, port, url: `${natsScheme}://${hostPort(host, port)}` });
    log.info(`Listening for client connections on ${hostPort(host, port)}`);
    // nats-server's line, even when allow_non_tls lets plain clients in too.
    if (config.tls !== null) log.info("TLS required for client connections");

    const wsConfig = config.websocket;
    let wsUrls: string[] = [];
    if (wsConfig !== null) {
      const ws = await listenWebSocket(broker, {
        host: wsConfig.host,
        port: wsConfig.port,
        compression: wsConfig.compression,
        allowedOrigins: wsConfig.allowedOrigins,
        sameOrigin: wsConfig.sameOrigin,
        ...(wsConfig.handshakeTimeoutMs !== null && {
          handshakeTimeoutMs: wsConfig.handshakeTimeoutMs,
        }),
        ...(wsConfig.tls !== null && { tls: wsConfig.tls }),
      });
      listeners.push(ws);
      clientListeners.push(ws);
      const a = ws.address;
      const wsScheme = wsConfig.tls !== null ? "wss" : "ws";
      endpoints.push({ kind: "websocket", ...a, url: `${wsScheme}://${hostPort(a.host, a.port)}` });
      wsUrls = listenerUrls(wsScheme, a);
      log.info(`Listening for websocket clients on ${wsScheme}://${hostPort(a.host, a.port)}`);
      // nats-server warns about every plain WebSocket listener; on loopback it is the norm.
      if (wsConfig.tls === null && !isLoopback(a.host))
        log.warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
    }

    // Routes come last, once clients can be told where to connect (server.go Start).
    let clusterUrls: string[] = [];
    if (config.cluster !== null) {
      const c = new Cluster(broker, config.cluster);
      cluster = c;
      broker.attachCluster(c);
      const a = await c.listen();
      clusterUrls = listenerUrls("nats", a);
      const wsEndpoint = endpoints.find((e) => e.kind === "websocket");
      c.start(
        connectUrls(host, port),
        wsEndpoint !== undefined ? connectUrls(wsEndpoint.host, wsEndpoint.port) : [],
      );
    }

    if (portsFile !== null) {
      try {
        writePortsFile(portsFile, {
          nats: listenerUrls(natsScheme, tcp.address),
          monitoring: monitor !== null ? listenerUrls("http", monitor.address) : [],
          cluster: clusterUrls,
          websocket: wsUrls,
        });
      } catch (err) {
        // As nats-server: the server runs on; whoever waits for the file will say so.
        log.error(`Error writing ports file (${portsFile}): ${String(err)}`);
      }
    }
  } catch (err) {
    // A listener that did open must not keep the process alive after a failed start.
    await Promise.allSettled(listeners.map((l) => l.close()));
    await cluster?.stop();
    await mq9.stop();
    await broker.shutdown();
    await store.close();
    removeFiles();
    throw err;
  }

  const reload = (next: RunConfig): string[] => {
    const problems = unsupportedSettings(next);
    const before = fixedSettings(config);
    const after = fixedSettings(next);
    for (const [name, old] of Object.entries(before)) {
      const now = after[name];
      if (JSON.stringify(old) !== JSON.stringify(now)) {
        // nats-server's wording (reload.go diffOptions).
        problems.push(
          `config reload not supported for ${name}: old=${JSON.stringify(old)}, new=${JSON.stringify(now)}`,
        );
      }
    }
    if (problems.length > 0) throw new Error(problems.join("; "));

    const changed: string[] = [];
    // Read live by the broker: new connections, and for ping_interval, ping_max,
    // max_pending, write_deadline, max_subscriptions also connections already open.
    for (const key of Object.keys(LIMIT_NAMES) as LimitKey[]) {
      const value = next.broker[key];
      if (value === config.broker[key]) continue;
      changed.push(`${LIMIT_NAMES[key]} = ${DURATIONS.has(key) ? ms(value) : value}`);
    }
    broker.reconfigure(next.broker);
    // Logged as `Reloaded: trace = …` by reloadFromFile, with the log's own settings.
    if (next.log.trace !== config.log.trace) broker.setTrace(next.log.trace);
    // Credentials and permissions: clients no longer allowed are disconnected.
    if (JSON.stringify(next.authorization) !== JSON.stringify(config.authorization)) {
      broker.setAuth(next.authorization);
      changed.push("authorization");
    }
    const m = mq9.options;
    for (const key of Object.keys(MQ9_NAMES) as (keyof Mq9Options)[]) {
      if (next.mq9[key] === config.mq9[key]) continue;
      changed.push(`${MQ9_NAMES[key]} = ${String(next.mq9[key])}`);
    }
    Object.assign(m, next.mq9);
    // The same bounds Mq9Service applies at start.
    m.defaultTtl = Math.min(m.defaultTtl, m.maxTtl);
    m.maxPayload = Math.min(m.maxPayload, broker.options.maxPayload);
    config = next;
    monitor?.configLoaded();
    for (const c of changed) log.info(`Reloaded: ${c}`);
    return changed;
  };

  let stopping: Promise<void> | null = null;
  const stopped = new AbortController();
  const stop = () =>
    (stopping ??= (async () => {
      stopped.abort();
      await Promise.allSettled(listeners.map((l) => l.close()));
      await cluster?.stop();
      // Commit what was accepted (and release the PONGs waiting on it) before closing.
      await mq9.stop();
      await broker.shutdown();
      await store.close();
      removeFiles();
    })());
  let lameDuck: Promise<void> | null = null;

  return {
    broker,
    mq9,
    productVersion,
    endpoints,
    monitor,
    get config() {
      return config;
    },
    reload,
    stop,
    lameDuck: () =>
      (lameDuck ??= (async () => {
        if (stopping === null) {
          await runLameDuck({
            broker,
            options: config.lameDuck,
            log,
            signal: stopped.signal,
            stopAccepting: async () => {
              await Promise.allSettled(clientListeners.map((l) => l.close()));
            },
          });
          log.info("Initiating Shutdown...");
        }
        await stop();
      })()),
  };
}

/**
 * SIGHUP: reads the config file again under the same flags and environment and applies
 * what may change, logging settings as `Reloaded: name = value`. Throws with the reason
 * (the old settings stay) when the file is now invalid or changes what needs a restart.
 */
export function reloadFromFile(
  service: BrokerService,
  log: ProcessLogger,
  argv?: readonly string[],
  env?: Env,
): void {
  const r = reloadConfig(argv, env);
  if (!r.ok) throw new Error(r.message);
  const before = logSettings(service.config);
  service.reload(r.config);
  for (const w of r.warnings) log.warn(w);
  const after = logSettings(r.config);
  log.configure(after);
  for (const key of ["debug", "trace", "logtime"] as const) {
    if (before[key] !== after[key]) log.info(`Reloaded: ${key} = ${after[key]}`);
  }
}
