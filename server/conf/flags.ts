/**
 * The command line: nats-server's flags (main.go usage, opts.go ConfigureOptions) so that
 * harnesses that run `nats-server -c x.conf -p -1` can run us instead, next to our own
 * (`--host --port --ws-port --http-port --data`, server/config.ts), plus the MQ9_*
 * environment. Parsed like Go's `flag` package: `-name` and `--name` are the same,
 * `-name=value` or `-name value`, booleans take no separate value, and parsing stops at
 * the first argument that is not a flag.
 */

import type { RouteUrl } from "../nats/cluster/options";
import {
  checkAdvertise,
  parseClusterListen,
  parseRouteUrl,
  redactUrl,
  type ClusterListen,
} from "./cluster";

/** What the command line said; absent = not given. */
export interface FlagValues {
  configFile?: string;
  /** `-t`: check the configuration and exit. */
  checkConfig?: boolean;
  host?: string;
  /** 0 = any free port (nats-server's -1 is accepted too). */
  port?: number;
  serverName?: string;
  /** `-m/--http_port`, monitoring; 0 = any free port. */
  monitorPort?: number;
  user?: string;
  pass?: string;
  /** `--auth`. */
  token?: string;
  debug?: boolean;
  trace?: boolean;
  logtime?: boolean;
  logFile?: string;
  pidFile?: string;
  portsFileDir?: string;
  /** `--tls`: false turns off TLS configured in the file. */
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCaCert?: string;
  tlsVerify?: boolean;
  /**
   * `--cluster`/`--cluster_listen <url>`: the route listener, and with user info the
   * credentials routes must present; null = `--cluster ""` or port 0, clustering off.
   */
  cluster?: ClusterListen | null;
  /** `--routes url,url`: replaces the file's routes; `--routes ""` clears them. */
  routes?: RouteUrl[];
  clusterName?: string;
  clusterAdvertise?: string;
  noAdvertise?: boolean;
  connectRetries?: number;
  /** `-sl/--signal <command>[=<pid>]`: signal a running server and exit (see signal.ts). */
  signal?: string;
  // Our own flags (server/config.ts).
  /** null = off. */
  wsPort?: number | null;
  /** The web console's port (`--http-port`), not nats-server's monitoring `--http_port`. */
  consolePort?: number;
  dataDir?: string;
}

export type FlagsResult =
  | { kind: "run"; flags: FlagValues; warnings: string[] }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "error"; message: string };

type Kind = "bool" | "string" | "int";

interface Spec {
  names: readonly string[];
  kind: Kind;
  /** Stores the value, or returns what was expected instead. */
  apply?: (f: FlagValues, value: string | number | boolean) => string | null;
  /** Accepted and ignored with this warning. */
  ignored?: string;
  /** Refused with this reason. */
  refused?: string;
  /** How a bad value is shown in the error (URLs without their passwords). */
  shown?: (value: string) => string;
  action?: "help" | "version";
}

const PORT_HINT = "an integer from 0 to 65535";

/** Ours: 0..65535; nats-server's -1 (random) is our 0. */
function port(n: number): number | null {
  if (n === -1) return 0;
  return n >= 0 && n <= 65535 ? n : null;
}

function str(key: keyof FlagValues, what: string) {
  return (f: FlagValues, v: string | number | boolean): string | null => {
    if (typeof v !== "string" || v.trim() === "") return what;
    (f as Record<string, unknown>)[key] = v;
    return null;
  };
}

function bool(key: keyof FlagValues) {
  return (f: FlagValues, v: string | number | boolean): string | null => {
    (f as Record<string, unknown>)[key] = v === true;
    return null;
  };
}

function portOf(key: "port" | "monitorPort" | "consolePort") {
  return (f: FlagValues, v: string | number | boolean): string | null => {
    const p = typeof v === "number" ? port(v) : null;
    if (p === null) return `${PORT_HINT} (or -1 for any free port)`;
    // nats-server: `-m 0` leaves the file's http_port alone (MergeOptions skips zero).
    if (key === "monitorPort" && v === 0) return null;
    f[key] = p;
    return null;
  };
}

const SPECS: readonly Spec[] = [
  { names: ["h", "help", "help_tls"], kind: "bool", action: "help" },
  { names: ["v", "version"], kind: "bool", action: "version" },
  { names: ["c", "config"], kind: "string", apply: str("configFile", "a file name") },
  { names: ["t"], kind: "bool", apply: bool("checkConfig") },
  { names: ["p", "port"], kind: "int", apply: portOf("port") },
  {
    names: ["a", "addr", "net", "host"],
    kind: "string",
    apply: str("host", "a host name or address"),
  },
  { names: ["n", "name", "server_name"], kind: "string", apply: str("serverName", "a name") },
  { names: ["m", "http_port"], kind: "int", apply: portOf("monitorPort") },
  { names: ["user"], kind: "string", apply: str("user", "a user name") },
  { names: ["pass"], kind: "string", apply: str("pass", "a password") },
  { names: ["auth"], kind: "string", apply: str("token", "a token") },
  { names: ["D", "debug"], kind: "bool", apply: bool("debug") },
  { names: ["V", "trace"], kind: "bool", apply: bool("trace") },
  {
    names: ["DV"],
    kind: "bool",
    apply: (f, v) => {
      f.debug = f.trace = v === true;
      return null;
    },
  },
  {
    // Verbose tracing (of the system account) has no meaning here: plain tracing.
    names: ["VV"],
    kind: "bool",
    apply: bool("trace"),
  },
  {
    names: ["DVV"],
    kind: "bool",
    apply: (f, v) => {
      f.debug = f.trace = v === true;
      return null;
    },
  },
  { names: ["T", "logtime"], kind: "bool", apply: bool("logtime") },
  { names: ["l", "log"], kind: "string", apply: str("logFile", "a file name") },
  { names: ["P", "pid"], kind: "string", apply: str("pidFile", "a file name") },
  { names: ["ports_file_dir"], kind: "string", apply: str("portsFileDir", "a directory") },
  { names: ["tls"], kind: "bool", apply: bool("tls") },
  { names: ["tlscert"], kind: "string", apply: str("tlsCert", "a file name") },
  { names: ["tlskey"], kind: "string", apply: str("tlsKey", "a file name") },
  { names: ["tlscacert"], kind: "string", apply: str("tlsCaCert", "a file name") },
  { names: ["tlsverify"], kind: "bool", apply: bool("tlsVerify") },
  {
    names: ["ws-port"],
    kind: "string",
    apply: (f, v) => {
      if (v === "off") {
        f.wsPort = null;
        return null;
      }
      const p = typeof v === "string" && /^-?\d{1,5}$/.test(v) ? port(Number(v)) : null;
      if (p === null) return `${PORT_HINT}, or "off"`;
      f.wsPort = p;
      return null;
    },
  },
  { names: ["http-port"], kind: "int", apply: portOf("consolePort") },
  { names: ["data"], kind: "string", apply: str("dataDir", "a directory path") },
  { names: ["js", "jetstream"], kind: "bool", ignored: "JetStream is not supported" },
  { names: ["sd", "store_dir"], kind: "string", ignored: "JetStream is not supported" },
  { names: ["s", "syslog"], kind: "bool", ignored: "syslog is not supported" },
  { names: ["r", "remote_syslog"], kind: "string", ignored: "syslog is not supported" },
  { names: ["log_size_limit"], kind: "int", ignored: "log rotation is not supported" },
  { names: ["max_traced_msg_len"], kind: "int", ignored: "trace truncation is not supported" },
  {
    names: ["client_advertise"],
    kind: "string",
    ignored: "client URLs are advertised as the listener binds them",
  },
  { names: ["ms", "https_port"], kind: "int", ignored: "HTTPS monitoring is not supported" },
  { names: ["profile"], kind: "int", ignored: "profiling is not supported" },
  {
    names: ["cluster", "cluster_listen"],
    kind: "string",
    shown: redactUrl,
    apply: (f, v) => {
      const listen = parseClusterListen(String(v));
      if (typeof listen === "string") return `a URL such as nats://host:port; ${listen}`;
      f.cluster = listen;
      return null;
    },
  },
  {
    names: ["routes"],
    kind: "string",
    shown: (v) => v.split(",").map(redactUrl).join(","),
    apply: (f, v) => {
      // opts.go RoutesFromStr: comma-separated; an empty value clears the file's routes.
      const routes: RouteUrl[] = [];
      const list = String(v).trim() === "" ? [] : String(v).split(",");
      for (const text of list) {
        const route = parseRouteUrl(text);
        if (typeof route === "string") {
          return `route URLs such as nats-route://host:port, separated by commas; ${JSON.stringify(redactUrl(text.trim()))}: ${route}`;
        }
        routes.push(route);
      }
      f.routes = routes;
      return null;
    },
  },
  { names: ["cluster_name"], kind: "string", apply: str("clusterName", "a cluster name") },
  {
    names: ["cluster_advertise"],
    kind: "string",
    apply: (f, v) => {
      const problem = checkAdvertise(String(v));
      if (problem !== null) return `host or host:port; ${problem}`;
      f.clusterAdvertise = String(v);
      return null;
    },
  },
  { names: ["no_advertise"], kind: "bool", apply: bool("noAdvertise") },
  {
    names: ["connect_retries"],
    kind: "int",
    apply: (f, v) => {
      if (typeof v !== "number" || v < 0) return "an integer, 0 or more";
      f.connectRetries = v;
      return null;
    },
  },
  { names: ["sl", "signal"], kind: "string", apply: str("signal", "<command>[=<pid>]") },
];

const BY_NAME: ReadonlyMap<string, Spec> = new Map(
  SPECS.flatMap((s) => s.names.map((n) => [n, s])),
);

/** Go strconv.ParseBool. */
function parseBool(s: string): boolean | null {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return null;
}

export function parseFlags(argv: readonly string[]): FlagsResult {
  const flags: FlagValues = {};
  const warnings: string[] = [];
  let action: "help" | "version" | null = null;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.length < 2 || !arg.startsWith("-")) break;
    if (arg === "--") {
      i++;
      break;
    }
    const body = arg.slice(arg.startsWith("--") ? 2 : 1);
    if (body === "" || body.startsWith("-") || body.startsWith("=")) {
      return { kind: "error", message: `bad flag syntax: ${arg}` };
    }
    const eq = body.indexOf("=");
    const name = eq === -1 ? body : body.slice(0, eq);
    const shown = arg.slice(0, arg.length - body.length) + name;
    const spec = BY_NAME.get(name);
    if (!spec)
      return {
        kind: "error",
        message: `unknown option ${shown}`,
      };
    let raw: string | null = eq === -1 ? null : body.slice(eq + 1);
    let value: string | number | boolean;
    if (spec.kind === "bool") {
      const b = raw === null ? true : parseBool(raw);
      if (b === null)
        return {
          kind: "error",
          message: `invalid value ${JSON.stringify(raw)} for ${shown}: expected true or false`,
        };
      value = b;
    } else {
      if (raw === null) {
        const next = argv[i + 1];
        if (next === undefined) return { kind: "error", message: `option ${shown} needs a value` };
        raw = next;
        i++;
      }
      if (spec.kind === "int") {
        if (!/^[+-]?\d+$/.test(raw)) {
          return {
            kind: "error",
            message: `invalid value ${JSON.stringify(raw)} for ${shown}: expected an integer`,
          };
        }
        value = Number(raw);
      } else {
        value = raw;
      }
    }
    if (spec.action) {
      if (value === true) action ??= spec.action;
      continue;
    }
    if (spec.refused)
      return { kind: "error", message: `option ${shown} is not supported: ${spec.refused}` };
    if (spec.ignored) {
      warnings.push(`option ${shown} is ignored: ${spec.ignored}`);
      continue;
    }
    const expected = spec.apply?.(flags, value) ?? null;
    if (expected !== null) {
      return {
        kind: "error",
        message: `invalid value for ${shown}: ${JSON.stringify(spec.shown?.(String(value)) ?? String(value))} (expected ${expected})`,
      };
    }
  }
  if (action) return { kind: action };
  // nats-server accepts the words `version` and `help` after the flags, nothing else.
  const rest = argv[i];
  if (rest !== undefined) {
    const word = rest.toLowerCase();
    if (word === "version" || word === "help") return { kind: word };
    return { kind: "error", message: `unexpected argument ${JSON.stringify(rest)}` };
  }
  return { kind: "run", flags, warnings };
}

/** MQ9_* variables: the same settings as our flags; an empty variable counts as unset. */
export type EnvValues = Pick<FlagValues, "host" | "port" | "wsPort" | "consolePort" | "dataDir">;

export function parseEnv(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; values: EnvValues } | { ok: false; message: string } {
  const values: EnvValues = {};
  const vars: [string, Spec["apply"]][] = [
    ["MQ9_HOST", str("host", "a host name or address")],
    ["MQ9_PORT", portOf("port")],
    ["MQ9_WS_PORT", BY_NAME.get("ws-port")?.apply],
    ["MQ9_HTTP_PORT", portOf("consolePort")],
    ["MQ9_DATA", str("dataDir", "a directory path")],
  ];
  for (const [name, apply] of vars) {
    const raw = env[name];
    if (raw === undefined || raw === "" || !apply) continue;
    const isPort = name === "MQ9_PORT" || name === "MQ9_HTTP_PORT";
    if (isPort && !/^\d{1,5}$/.test(raw)) {
      return {
        ok: false,
        message: `invalid value for ${name}: ${JSON.stringify(raw)} (expected ${PORT_HINT})`,
      };
    }
    const expected = apply(values, isPort ? Number(raw) : raw);
    if (expected !== null) {
      return {
        ok: false,
        message: `invalid value for ${name}: ${JSON.stringify(raw)} (expected ${expected})`,
      };
    }
  }
  return { ok: true, values };
}
