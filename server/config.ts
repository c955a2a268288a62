/**
 * The configuration both process entries (`npm start`, `npm run broker`, scripts/nats-server)
 * run with: nats-server's command line and config file next to our own flags and MQ9_*
 * variables (server/conf/ does the parsing and the merge; docs/config.md describes it).
 * `resolveConfig` is pure but for reading the config file, so it can be tested without a
 * process; `loadConfig` is the thin impure wrapper that prints, configures the log and exits.
 */
import fs from "node:fs";
import { parseEnv, parseFlags, type FlagValues } from "./conf/flags";
import { mergeConfig, type RunConfig } from "./conf/merge";
import { formatDiagnostic, mapConfig, type FileConfig } from "./conf/options";
import { ConfParseError, parseConf } from "./conf/parse";
import { parseSignalCommand } from "./conf/signal";
import { log as processLog, MQ9_DEBUG, type ProcessLogger } from "./log";
import { NATS_DEFAULTS } from "./nats/options";

export type { RunConfig } from "./conf/merge";

export type Env = Readonly<Record<string, string | undefined>>;
/** Reads the config file and its includes; fs.readFileSync by default. */
export type ReadFile = (file: string) => string;

export type ResolveResult =
  | {
      kind: "run";
      config: RunConfig;
      /** Ignored flags and options, config-file ones as `file:line:col: message`. */
      warnings: string[];
      /** `-t`: check the configuration and exit instead of starting. */
      checkOnly: boolean;
    }
  | { kind: "help" }
  | { kind: "version" }
  /** `--signal`: send `signal` to `pid` instead of starting. */
  | { kind: "signal"; pid: number; signal: NodeJS.Signals }
  | {
      kind: "error";
      errors: string[];
      warnings: string[];
      /** The command line or environment was wrong (not the file): point at --help. */
      usage: boolean;
      checkOnly: boolean;
    };

/** Bad command line, environment or config file, as with most Unix tools. */
export const EXIT_USAGE = 2;
/** `-t` found a problem (nats-server exits 1). */
export const EXIT_CHECK_FAILED = 1;
/** The settings were fine but something needed to start was not (a port, a log file). */
export const EXIT_START_FAILED = 1;

/**
 * nats-server names its ports file and messages after its executable (`filepath.Base(
 * os.Args[0])`); a node script cannot see that, so scripts/nats-server passes its own
 * name in MQ9_PROGRAM_NAME.
 */
export function programName(env: Env = process.env): string {
  const name = env.MQ9_PROGRAM_NAME;
  return name !== undefined && /^[\w.-]+$/.test(name) ? name : "mq9";
}

export function usage(program = "mq9"): string {
  return `Usage: ${program} [options]

  npm start            broker + web console (server/main.ts)
  npm run broker       broker only (server/main-broker.ts)
  scripts/nats-server  the broker under nats-server's name, for test harnesses

Our options (each also in the environment; a flag wins over its variable, which wins
over the config file):
  --host <addr>        address to listen on            MQ9_HOST       (default 127.0.0.1)
  --port <n>           NATS client port (TCP)          MQ9_PORT       (default 4222)
  --ws-port <n|off>    standalone NATS WebSocket port  MQ9_WS_PORT    (default off)
  --http-port <n>      console port, also ws at /nats  MQ9_HTTP_PORT  (default 3000; npm start only)
  --data <dir>         data directory                  MQ9_DATA       (default ./data)

nats-server's options:
  -c, --config <file>              configuration file in nats-server's format
  -t                               check the configuration file and exit
  -a, --addr, --net <host>         same as --host
  -p, --port <port>                same as --port; -1 = any free port
  -n, --name, --server_name <name> server name in INFO (default: the server id)
  -m, --http_port <port>           monitoring port: /varz, /connz, /subsz, /healthz, /metrics
  -P, --pid <file>                 write the process id to this file
      --ports_file_dir <dir>       write <dir>/${program}_<pid>.ports with the listening URLs
      --user <user>                user required for connections
      --pass <password>            password required (plain or bcrypt)
      --auth <token>               token required
  -l, --log <file>                 append the log to this file instead of stderr
  -T, --logtime                    timestamp log lines (default true; -T=false turns off)
  -D, --debug                      debug log lines ([DBG])
  -V, --trace                      trace log lines ([TRC])
  -DV                              debug and trace
      --tls, --tlscert <file>, --tlskey <file>, --tlscacert <file>, --tlsverify
                                   TLS for client connections (mutual TLS with --tlsverify)
  -sl, --signal <cmd>=<pid>        send a running server ldm, reload, quit, term, stop or
                                   reopen (the pid or a pid file is required) and exit
      --cluster, --cluster_listen <url>
                                   route listener, nats://[user:pass@]host:port (port -1 =
                                   any free port; user:pass = what routes must present)
      --routes <url,url,...>       routes to solicit, nats-route://[user:pass@]host:port
      --cluster_name <name>        cluster name (default: generated, or a peer's)
      --cluster_advertise <addr>   host[:port] other servers are told to route to
      --no_advertise               do not tell clients about the other servers
      --connect_retries <n>        retries for routes learned from peers (default 0)
  -js, -sd, -s, -r, ...            accepted and ignored, with a warning
  -h, --help                       show this text
  -v, --version                    show the version

Ports take 0 (or -1) for "any free port"; the log shows the address actually bound.
SIGHUP reloads the config file; SIGTERM and SIGINT stop the server; SIGUSR2 enters
lame duck mode (stop accepting, close clients over lame_duck_duration, exit). See docs/config.md.
`;
}

/** Kept from before the config file existed: a host is one word. */
function badHost(host: string | undefined): boolean {
  return host !== undefined && /\s/.test(host);
}

function readConfigFile(
  file: string,
  env: Env,
  readFile: ReadFile,
):
  | { ok: true; config: FileConfig; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] } {
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [`cannot read config file: ${reason}`], warnings: [] };
  }
  try {
    const mapped = mapConfig(parseConf(text, { file, env, readInclude: readFile }), { readFile });
    const warnings = mapped.warnings.map(formatDiagnostic);
    if (mapped.errors.length > 0) {
      return { ok: false, errors: mapped.errors.map(formatDiagnostic), warnings };
    }
    return { ok: true, config: mapped.config, warnings };
  } catch (e) {
    if (!(e instanceof ConfParseError)) throw e;
    return { ok: false, errors: [e.message], warnings: [] };
  }
}

/**
 * Flags, then MQ9_* variables, then the config file (`-c`), then defaults — nats-server's
 * precedence with our variables slotted between its flags and its file. `env` also feeds
 * `$VAR` references in the file.
 */
export function resolveConfig(
  argv: readonly string[],
  env: Env,
  readFile: ReadFile = (f) => fs.readFileSync(f, "utf8"),
): ResolveResult {
  const parsed = parseFlags(argv);
  const usageError = (message: string, checkOnly = false): ResolveResult => ({
    kind: "error",
    errors: [message],
    warnings: [],
    usage: true,
    checkOnly,
  });
  if (parsed.kind === "error") return usageError(parsed.message);
  if (parsed.kind !== "run") return parsed;
  const flags: FlagValues = parsed.flags;
  if (flags.signal !== undefined) {
    // Before the config file, as nats-server does.
    const sig = parseSignalCommand(flags.signal, (name) => {
      try {
        return readFile(name);
      } catch {
        return null;
      }
    });
    return sig.ok
      ? { kind: "signal", pid: sig.pid, signal: sig.signal }
      : { kind: "error", errors: [sig.message], warnings: [], usage: false, checkOnly: false };
  }
  const checkOnly = flags.checkConfig === true;
  if (badHost(flags.host)) {
    return usageError(
      `invalid value for --host: ${JSON.stringify(flags.host)} (expected a host name or address)`,
      checkOnly,
    );
  }
  const envValues = parseEnv(env);
  if (!envValues.ok) return usageError(envValues.message, checkOnly);
  if (badHost(envValues.values.host)) {
    return usageError(
      `invalid value for MQ9_HOST: ${JSON.stringify(envValues.values.host)} (expected a host name or address)`,
      checkOnly,
    );
  }
  const configFile = flags.configFile ?? null;
  if (checkOnly && configFile === null) {
    // nats-server's wording (opts.go ConfigureOptions).
    return usageError(
      "must specify [-c, --config] option to check configuration file syntax",
      true,
    );
  }
  const warnings = [...parsed.warnings];
  let file: FileConfig | null = null;
  if (configFile !== null) {
    const loaded = readConfigFile(configFile, env, readFile);
    warnings.push(...loaded.warnings);
    if (!loaded.ok) {
      return { kind: "error", errors: loaded.errors, warnings, usage: false, checkOnly };
    }
    file = loaded.config;
  }
  const merged = mergeConfig({ flags, env: envValues.values, file, configFile });
  if (!merged.ok) {
    return { kind: "error", errors: [merged.message], warnings, usage: false, checkOnly };
  }
  warnings.push(...merged.warnings);
  return { kind: "run", config: merged.config, warnings, checkOnly };
}

export interface LoadOptions {
  argv?: readonly string[];
  env?: Env;
  /** Settings this build cannot honour yet (each a reason); non-empty = refuse to start. */
  unsupported?: (config: RunConfig) => string[];
  /** mq9's own version, for --version. */
  productVersion?: string;
  log?: ProcessLogger;
}

/**
 * For the process entries: prints help or the version (exit 0), errors (exit 2; with -t,
 * exit 1 like nats-server), or with -t "configuration file x is valid" (exit 0). Otherwise
 * points the process log at its destination, logs the warnings, and returns the settings.
 */
export function loadConfig(opts: LoadOptions = {}): RunConfig {
  const env = opts.env ?? process.env;
  const log = opts.log ?? processLog;
  const program = programName(env);
  const r = resolveConfig(opts.argv ?? process.argv.slice(2), env);
  const say = (line: string) => void process.stderr.write(`${program}: ${line}\n`);
  if (r.kind === "help") {
    process.stdout.write(usage(program));
    process.exit(0);
  }
  if (r.kind === "version") {
    const product = opts.productVersion ? ` (mq9 ${opts.productVersion})` : "";
    process.stdout.write(`${program}: v${NATS_DEFAULTS.version}${product}\n`);
    process.exit(0);
  }
  if (r.kind === "signal") {
    try {
      process.kill(r.pid, r.signal);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      say(code === "ESRCH" ? "no such process" : e instanceof Error ? e.message : String(e));
      process.exit(EXIT_START_FAILED);
    }
    process.exit(0);
  }
  if (r.kind === "error") {
    for (const w of r.warnings) say(`warning: ${w}`);
    for (const e of r.errors) say(e);
    if (r.usage) process.stderr.write("Run with --help to see the options.\n");
    process.exit(r.checkOnly ? EXIT_CHECK_FAILED : EXIT_USAGE);
  }
  const config = r.config;
  const refused = opts.unsupported?.(config) ?? [];
  if (r.checkOnly) {
    for (const w of r.warnings) say(`warning: ${w}`);
    for (const e of refused) say(e);
    if (refused.length > 0) process.exit(EXIT_CHECK_FAILED);
    say(`configuration file ${config.configFile ?? ""} is valid`);
    process.exit(0);
  }
  if (refused.length > 0) {
    for (const e of refused) say(e);
    process.exit(EXIT_USAGE);
  }
  try {
    log.configure(logSettings(config));
  } catch (e) {
    say(`cannot open log file: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(EXIT_START_FAILED);
  }
  for (const w of r.warnings) log.warn(w);
  return config;
}

/** The process log's settings; MQ9_DEBUG=1 keeps DBG lines on whatever the file says. */
export function logSettings(config: RunConfig): RunConfig["log"] {
  return { ...config.log, debug: config.log.debug || MQ9_DEBUG };
}

export type ReloadResult =
  { ok: true; config: RunConfig; warnings: string[] } | { ok: false; message: string };

/**
 * SIGHUP (nats-server Reload): the config file as it is now, under the same flags and
 * environment as at start, so `-p -1` and MQ9_* still win.
 */
export function reloadConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Env = process.env,
  readFile?: ReadFile,
): ReloadResult {
  const r = resolveConfig(argv, env, readFile);
  if (r.kind === "error") return { ok: false, message: r.errors.join("; ") };
  if (r.kind !== "run") return { ok: false, message: `unexpected ${r.kind} request` };
  if (r.config.configFile === null) {
    return {
      ok: false,
      message: "can only reload config when a file is provided using -c or --config",
    };
  }
  return { ok: true, config: r.config, warnings: r.warnings };
}
