/**
 * Command-line and environment configuration for both process entries (`npm start`,
 * `npm run broker`). `parseConfig` is pure so it can be tested without a process;
 * `loadConfig` is the thin impure wrapper that prints and exits.
 */

export interface Config {
  host: string;
  port: number;
  /** A standalone WebSocket listener; null = off (the console port still serves /nats). */
  wsPort: number | null;
  /** The console's HTTP port; only `server/main.ts` listens on it. */
  httpPort: number;
  dataDir: string;
}

export type ParseResult =
  { kind: "run"; config: Config } | { kind: "help" } | { kind: "error"; message: string };

/** Bad command line or environment, as with most Unix tools. */
export const EXIT_USAGE = 2;

export const DEFAULT_CONFIG: Readonly<Config> = {
  host: "127.0.0.1",
  port: 4222,
  wsPort: null,
  httpPort: 3000,
  dataDir: "./data",
};

interface Setting {
  flag: string;
  env: string;
  /** Stores the parsed value in `config`, or returns what was expected instead. */
  apply(config: Config, raw: string): string | null;
}

const PORT_HINT = "an integer from 0 to 65535";

function parsePort(raw: string): number | null {
  if (!/^\d{1,5}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= 65535 ? n : null;
}

function isPlainText(raw: string): boolean {
  return raw !== "" && !/\s/.test(raw);
}

const SETTINGS: readonly Setting[] = [
  {
    flag: "--host",
    env: "MQ9_HOST",
    apply(c, raw) {
      if (!isPlainText(raw)) return "a host name or address";
      c.host = raw;
      return null;
    },
  },
  {
    flag: "--port",
    env: "MQ9_PORT",
    apply(c, raw) {
      const port = parsePort(raw);
      if (port === null) return PORT_HINT;
      c.port = port;
      return null;
    },
  },
  {
    flag: "--ws-port",
    env: "MQ9_WS_PORT",
    apply(c, raw) {
      if (raw === "off") {
        c.wsPort = null;
        return null;
      }
      const port = parsePort(raw);
      if (port === null) return `${PORT_HINT}, or "off"`;
      c.wsPort = port;
      return null;
    },
  },
  {
    flag: "--http-port",
    env: "MQ9_HTTP_PORT",
    apply(c, raw) {
      const port = parsePort(raw);
      if (port === null) return PORT_HINT;
      c.httpPort = port;
      return null;
    },
  },
  {
    flag: "--data",
    env: "MQ9_DATA",
    apply(c, raw) {
      if (raw.trim() === "") return "a directory path";
      c.dataDir = raw;
      return null;
    },
  },
];

export const USAGE = `Usage: mq9 [options]

  npm start         broker + web console (server/main.ts)
  npm run broker    broker only (server/main-broker.ts)

Options (each can also be set in the environment; a flag wins over its variable):
  --host <addr>        address to listen on            MQ9_HOST       (default 127.0.0.1)
  --port <n>           NATS client port (TCP)          MQ9_PORT       (default 4222)
  --ws-port <n|off>    standalone NATS WebSocket port  MQ9_WS_PORT    (default off)
  --http-port <n>      console port, also ws at /nats  MQ9_HTTP_PORT  (default 3000; npm start only)
  --data <dir>         data directory                  MQ9_DATA       (default ./data)
  -h, --help           show this text

Ports take 0 for "any free port"; the log shows the address actually bound.
`;

/**
 * Environment first, then flags, so a flag wins over its variable. Accepts `--flag value`
 * and `--flag=value`; an empty environment variable counts as unset.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseResult {
  const config: Config = { ...DEFAULT_CONFIG };
  const assign = (s: Setting, raw: string, source: string): string | null => {
    const expected = s.apply(config, raw);
    return expected === null
      ? null
      : `invalid value for ${source}: ${JSON.stringify(raw)} (expected ${expected})`;
  };

  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw === undefined || raw === "") continue;
    const err = assign(s, raw, s.env);
    if (err) return { kind: "error", message: err };
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (!arg.startsWith("--"))
      return { kind: "error", message: `unexpected argument ${JSON.stringify(arg)}` };
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const s = SETTINGS.find((x) => x.flag === flag);
    if (!s) return { kind: "error", message: `unknown option ${flag}` };
    let raw: string;
    if (eq !== -1) {
      raw = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        return { kind: "error", message: `option ${flag} needs a value` };
      }
      raw = next;
      i++;
    }
    const err = assign(s, raw, flag);
    if (err) return { kind: "error", message: err };
  }
  return { kind: "run", config };
}

/** For the process entries: prints help (exit 0) or the error (exit 2), else returns. */
export function loadConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Config {
  const r = parseConfig(argv, env);
  if (r.kind === "run") return r.config;
  if (r.kind === "help") {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  process.stderr.write(`mq9: ${r.message}\nRun with --help to see the options.\n`);
  process.exit(EXIT_USAGE);
}
