/**
 * Maps a parsed nats-server config (parse.ts) to our settings: the options nats-server
 * has that make sense for this broker, with nats-server's names, aliases and value rules
 * (server/opts.go), plus mq9's own `mq9 { }` block. Options we cannot honour are warnings
 * when ignoring them is safe (gateways, leaf nodes, JetStream, logging extras) and errors
 * when ignoring them would open the server or change where messages go (accounts with
 * users, subject mappings, cluster TLS and route permissions). Operator (JWT) mode is
 * read with conf/operator.ts. Bad values are errors, with file:line:col.
 */
import { goDuration } from "../monitor/go-format";
import { LAME_DUCK_DEFAULTS } from "../nats/lame-duck";
import { NATS_DEFAULTS } from "../nats/options";
import { MQ9_DEFAULTS } from "../mq9/options";
import { isValidSubject } from "../nats/subjects/validate";
import { checkAdvertise, parseRouteUrl, redactUrl } from "./cluster";
import { parseGoDuration } from "./duration";
import { decodeJwtOf } from "../nats/auth/jwt";
import { isValidPublicUserKey } from "./nkey";
import {
  checkOperatorMode,
  emptyOperatorOptions,
  isMemoryResolver,
  readOperatorJwt,
} from "./operator";
import { CONNECTION_TYPES } from "../nats/auth/types";
import type { RouteUrl } from "../nats/cluster/options";
import type { ConfEntry, ConfMap, ConfPosition } from "./parse";
import type {
  Authorization,
  ClusterConfig,
  ConfDiagnostic,
  ConnectionType,
  FileConfig,
  MappedConfig,
  NatsLimits,
  Permissions,
  ResponsePermission,
  SubjectPermission,
  TlsConfig,
  WebSocketConfig,
} from "./types";
import {
  BadValue,
  asBoolean,
  asDuration,
  asInteger,
  asListen,
  asMap,
  asSeconds,
  asSize,
  asString,
  asStrings,
  bad,
  durationString,
  enabledPort,
  field,
  type Field,
} from "./values";

export * from "./types";

export interface MapOptions {
  /** Reads files an option names (`operator: /path/op.jwt`); without it, only inline JWTs. */
  readFile?: (file: string) => string;
}

export function mapConfig(root: ConfMap, io: MapOptions = {}): MappedConfig {
  return new Mapper(io).run(root);
}

/** nats-server: int32 limits (opts.go max_payload, max_control_line). */
const MAX_INT32 = 2 ** 31 - 1;
const DEFAULT_RESPONSE: ResponsePermission = { maxMsgs: 1, expiresMs: 2 * 60_000 };

/** nats-server options we do not implement and that are safe to ignore. */
const IGNORED: Readonly<Record<string, string>> = {
  gateway: "gateways",
  leaf: "leaf nodes",
  leafnodes: "leaf nodes",
  jetstream: "JetStream",
  store_dir: "JetStream",
  storedir: "JetStream",
  mqtt: "MQTT",
  server_tags: "server tags",
  default_js_domain: "JetStream",
  no_system_account: "the system account",
  no_system: "the system account",
  no_sys_acc: "the system account",
  client_advertise: "advertised client URLs",
  trace_verbose: "verbose tracing",
  syslog: "syslog",
  remote_syslog: "syslog",
  logfile_size_limit: "log rotation",
  log_size_limit: "log rotation",
  max_traced_msg_len: "trace truncation",
  prof_port: "profiling",
  connect_error_reports: "route/gateway error reports",
  reconnect_error_reports: "route/gateway error reports",
  disable_sublist_cache: "sublist cache tuning",
  no_sublist_cache: "sublist cache tuning",
  max_sub_tokens: "the subject token limit",
  max_subscription_tokens: "the subject token limit",
  no_header_support: "turning headers off",
  ocsp: "OCSP stapling",
  https: "HTTPS monitoring",
  https_port: "HTTPS monitoring",
  http_base_path: "a monitoring base path",
};

/** nats-server options whose absence would open the server or re-route messages. */
const REFUSED: Readonly<Record<string, string>> = {
  mappings: "subject mappings",
  maps: "subject mappings",
};

function checkPermissionSubject(subject: string): string | null {
  if (isValidSubject(subject)) return null;
  const parts = subject.trim().split(/\s+/);
  if (parts.length !== 2) return `subject ${JSON.stringify(subject)} is not a valid subject`;
  const [s] = parts as [string, string];
  return isValidSubject(s) ? null : `subject ${JSON.stringify(s)} is not a valid subject`;
}

class Mapper {
  private readonly warnings: ConfDiagnostic[] = [];
  private readonly errors: ConfDiagnostic[] = [];
  private readonly config: FileConfig = { limits: {}, mq9: {} };
  /** Where settings that later checks refer to were written. */
  private noAuthUserAt: ConfPosition | null = null;
  private maxPayloadAt: ConfPosition | null = null;
  private maxPendingAt: ConfPosition | null = null;
  private mq9MaxPayloadAt: ConfPosition | null = null;
  private lameDuckAt: ConfPosition | null = null;
  private readonly operator = emptyOperatorOptions();
  private authorizationAt: ConfPosition | null = null;
  /** An operator JWT could not be read: that error says enough. */
  private operatorUnreadable = false;
  private accountsAt: ConfPosition | null = null;

  constructor(private readonly io: MapOptions) {}

  run(root: ConfMap): MappedConfig {
    for (const e of root.entries.values()) this.guard(() => this.top(e));
    this.crossChecks();
    return { config: this.config, warnings: this.warnings, errors: this.errors };
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof BadValue)) throw e;
      this.errors.push({ pos: e.pos, message: e.message });
    }
  }

  private error(pos: ConfPosition, message: string): void {
    this.errors.push({ pos, message });
  }

  private unknown(e: ConfEntry, where: string | null): void {
    // A key used as `$key` is a variable, not an option (nats-server IsUsedVariable).
    if (e.usedAsVariable) return;
    this.error(e.pos, `unknown option ${JSON.stringify(e.key)}${where ? ` in ${where}` : ""}`);
  }

  private entries(map: ConfMap, each: (e: ConfEntry, key: string) => void): void {
    for (const e of map.entries.values()) this.guard(() => each(e, e.key.toLowerCase()));
  }

  private top(e: ConfEntry): void {
    const f = field(e);
    const c = this.config;
    const key = e.key.toLowerCase();
    switch (key) {
      case "listen": {
        const l = asListen(f);
        if (l.host !== undefined) c.host = l.host;
        this.port(l.port);
        return;
      }
      case "host":
      case "net":
        c.host = asString(f);
        return;
      case "port":
        this.port(asInteger(f, -1, 65535, "a port number"));
        return;
      case "server_name":
        c.serverName = asString(f);
        return;
      case "http": {
        const l = asListen(f);
        const port = enabledPort(l.port);
        if (port === null) delete c.monitor;
        else c.monitor = l.host !== undefined ? { host: l.host, port } : { port };
        return;
      }
      case "http_port":
      case "monitor_port": {
        const port = enabledPort(asInteger(f, -1, 65535, "a port number"));
        if (port === null) delete c.monitor;
        else c.monitor = { ...c.monitor, port };
        return;
      }
      case "max_payload":
        this.maxPayloadAt = f.value.pos;
        return this.limit("maxPayload", asSize(f, MAX_INT32));
      case "max_control_line":
        return this.limit("maxControlLine", asSize(f, MAX_INT32));
      case "max_pending":
        this.maxPendingAt = f.value.pos;
        return this.limit("maxPending", asSize(f));
      case "max_connections":
      case "max_conn": {
        // nats-server: 0 = its default (64K), negative = unlimited (our 0).
        const n = asInteger(f, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        if (n !== 0) c.limits.maxConnections = n < 0 ? 0 : n;
        return;
      }
      case "max_subscriptions":
      case "max_subs":
        c.limits.maxSubscriptions = Math.max(
          0,
          asInteger(f, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
        );
        return;
      case "ping_interval":
        return this.limit("pingInterval", this.natsDuration(f));
      case "write_deadline":
        return this.limit("writeDeadline", this.natsDuration(f));
      case "ping_max":
        return this.limit("maxPingsOut", asInteger(f, 0, Number.MAX_SAFE_INTEGER));
      case "ports_file_dir":
        c.portsFileDir = asString(f);
        return;
      case "pid_file":
      case "pidfile":
        c.pidFile = asString(f);
        return;
      case "log_file":
      case "logfile":
        c.logFile = asString(f);
        return;
      case "debug":
        c.debug = asBoolean(f);
        return;
      case "trace":
        c.trace = asBoolean(f);
        return;
      case "logtime":
        c.logtime = asBoolean(f);
        return;
      case "no_auth_user":
        c.noAuthUser = asString(f);
        this.noAuthUserAt = e.pos;
        return;
      case "authorization":
        this.authorizationAt = e.pos;
        c.authorization = this.authorization(f);
        return;
      case "tls":
        c.tls = this.tls(f);
        return;
      case "allow_non_tls":
        c.allowNonTls = asBoolean(f);
        return;
      case "websocket":
      case "ws":
        c.websocket = this.websocket(f);
        return;
      case "cluster":
        c.cluster = this.cluster(f);
        return;
      case "lame_duck_duration": {
        // opts.go: a duration string, and at least 30 seconds.
        const ms = this.durationText(f);
        if (ms < 30_000) {
          throw new BadValue(
            f.value.pos,
            `${f.name}: ${goDuration(ms * 1e6)} is too short, the minimum is 30 seconds`,
          );
        }
        c.lameDuckDurationMs = ms;
        this.lameDuckAt = f.value.pos;
        return;
      }
      case "lame_duck_grace_period":
        c.lameDuckGracePeriodMs = this.durationText(f);
        this.lameDuckAt ??= f.value.pos;
        return;
      case "mq9":
        return this.mq9(f);
      case "accounts":
        this.accountsAt = e.pos;
        return this.accounts(e);
      case "operator":
      case "operators":
      case "root":
      case "roots":
      case "root_operator":
      case "root_operators":
        return this.operators(f);
      case "trusted":
      case "trusted_keys":
        this.operator.trustedKeys = asStrings(f);
        this.operator.trustedAt = e.pos;
        return;
      case "resolver":
      case "account_resolver":
      case "accounts_resolver":
        return this.resolver(f);
      case "resolver_preload":
        return this.preload(f);
      case "resolver_pinned_accounts":
        this.operator.pinnedAccounts = asStrings(f);
        this.operator.pinnedAt = e.pos;
        return;
      case "resolver_tls":
        this.warnings.push({
          pos: e.pos,
          message: `${JSON.stringify(e.key)} is ignored: it is for URL resolvers, which this broker does not support`,
        });
        return;
      case "system_account":
      case "system":
        this.operator.systemAccount = asString(f);
        this.operator.systemAccountAt = e.pos;
        return;
    }
    const ignored = IGNORED[key];
    if (ignored !== undefined) {
      this.warnings.push({
        pos: e.pos,
        message: `${JSON.stringify(e.key)} is ignored: this broker does not support ${ignored}`,
      });
      return;
    }
    const refused = REFUSED[key];
    if (refused !== undefined) {
      this.error(e.pos, `${JSON.stringify(e.key)} is not supported: this broker has no ${refused}`);
      return;
    }
    this.unknown(e, null);
  }

  /** nats-server: 0 is its default port (opts.go setBaselineOptions), -1 any free port (our 0). */
  private port(raw: number): void {
    if (raw === 0) delete this.config.port;
    else this.config.port = raw === -1 ? 0 : raw;
  }

  /** nats-server treats 0 as "use the default" for these limits. */
  private limit<K extends keyof NatsLimits>(key: K, value: number): void {
    if (value !== 0) this.config.limits[key] = value;
  }

  /**
   * ping_interval, write_deadline: a duration string; a bare number still means seconds
   * but nats-server warns that it should be converted.
   */
  private natsDuration(f: Field): number {
    if (f.value.kind === "integer") {
      this.warnings.push({
        pos: f.pos,
        message: `${f.name}: a plain number is read as seconds; write it as a duration, e.g. "${f.value.raw}s"`,
      });
    }
    return asDuration(f, false);
  }

  // --- operator (JWT) mode: conf/operator.ts ---

  private operators(f: Field): void {
    this.operator.operatorsAt = f.pos;
    for (const value of asStrings(f)) {
      try {
        this.operator.operators.push({
          claims: readOperatorJwt(value, this.io.readFile),
          pos: f.value.pos,
        });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        this.error(f.value.pos, `error parsing operator JWT: ${reason}`);
        this.operatorUnreadable = true;
      }
    }
  }

  private resolver(f: Field): void {
    this.operator.resolverAt = f.pos;
    if (f.value.kind === "string" && isMemoryResolver(f.value.value)) {
      this.operator.memoryResolver = true;
      return;
    }
    this.error(
      f.value.pos,
      `${f.name}: only MEMORY is supported (URL and directory resolvers are not)`,
    );
  }

  private preload(f: Field): void {
    const map = asMap(f);
    this.operator.preloadAt = f.pos;
    const preload: Record<string, string> = {};
    this.entries(map, (e) => {
      if (e.value.kind !== "string") {
        this.error(e.value.pos, "preload map value should be a string JWT");
        return;
      }
      // opts.go: a valid account JWT or a config error (expiry is checked at use).
      if (!decodeJwtOf(e.value.value, "account").ok) {
        this.error(e.value.pos, "invalid account JWT");
        return;
      }
      preload[e.key] = e.value.value;
    });
    this.operator.preload = preload;
  }

  /** A duration that must be a string (nats-server takes no plain number here). */
  private durationText(f: Field): number {
    if (f.value.kind !== "string") bad(f, 'a duration string (e.g. "30s", "2m")');
    return durationString(f, f.value.value);
  }

  /**
   * Ignored unless an account defines users: dropping those would leave the server open
   * (no users, no authentication) or lock them out.
   */
  private accounts(e: ConfEntry): void {
    const f = field(e);
    const accounts = asMap(f);
    for (const acc of accounts.entries.values()) {
      if (acc.value.kind !== "map") continue;
      for (const [k, v] of acc.value.entries) {
        if (
          k.toLowerCase() === "users" &&
          !(v.value.kind === "array" && v.value.items.length === 0)
        ) {
          this.error(
            e.pos,
            `"accounts" is not supported: account ${JSON.stringify(acc.key)} defines users; put them in authorization { users: [...] } instead`,
          );
          return;
        }
      }
    }
    this.warnings.push({
      pos: e.pos,
      message: `"accounts" is ignored: this broker has a single account`,
    });
  }

  // --- authorization ---

  private authorization(f: Field): Authorization {
    const map = asMap(f);
    const auth: Authorization = {
      user: null,
      password: null,
      token: null,
      timeoutMs: null,
      users: [],
      nkeys: [],
      defaultPermissions: null,
    };
    let usersGiven = false;
    this.entries(map, (e, key) => {
      const g = field(e, f.name);
      switch (key) {
        case "user":
        case "username":
          auth.user = asString(g);
          return;
        case "pass":
        case "password":
          auth.password = asString(g);
          return;
        case "token":
          auth.token = asString(g);
          return;
        case "timeout":
          auth.timeoutMs = asDuration(g, true);
          return;
        case "users":
          usersGiven = true;
          this.users(g, auth);
          return;
        case "default_permission":
        case "default_permissions":
        case "permissions":
          auth.defaultPermissions = this.permissions(g);
          return;
      }
      this.unknown(e, f.name);
    });
    if ((auth.user !== null || auth.password !== null) && auth.token !== null) {
      this.error(f.pos, `${f.name}: cannot have a user/password and a token`);
    } else if (usersGiven && auth.user !== null) {
      this.error(f.pos, `${f.name}: cannot have a single user/password and a users list`);
    } else if (usersGiven && auth.token !== null) {
      this.error(f.pos, `${f.name}: cannot have a token and a users list`);
    } else if (usersGiven) {
      // A lone password next to a users list is unused by nats-server; test/configs/
      // authorization.conf even names a variable `PASS`, which matches `pass`.
      auth.password = null;
    } else if (auth.password !== null && auth.user === null) {
      // nats-server would start without any authentication here.
      this.error(f.pos, `${f.name}: a password needs a user`);
    }
    const p = auth.defaultPermissions;
    if (p) {
      for (const u of auth.users) u.permissions ??= p;
      for (const u of auth.nkeys) u.permissions ??= p;
    }
    return auth;
  }

  private users(f: Field, auth: Authorization): void {
    if (f.value.kind !== "array") bad(f, "an array of users");
    const names = new Set<string>();
    f.value.items.forEach((item, i) => {
      this.guard(() => {
        const g: Field = { name: `${f.name}[${i}]`, value: item, pos: item.pos };
        const map = asMap(g);
        const u: {
          user: string | null;
          password: string | null;
          nkey: string | null;
          permissions: Permissions | null;
          types: ConnectionType[] | null;
        } = { user: null, password: null, nkey: null, permissions: null, types: null };
        this.entries(map, (e, key) => {
          const h = field(e, g.name);
          switch (key) {
            case "user":
            case "username":
              u.user = asString(h);
              return;
            case "pass":
            case "password":
              u.password = asString(h);
              return;
            case "nkey":
              u.nkey = asString(h);
              return;
            case "permission":
            case "permissions":
            case "authorization":
              u.permissions = this.permissions(h);
              return;
            case "allowed_connection_types":
            case "connection_types":
            case "clients":
              u.types = this.connectionTypes(h);
              return;
          }
          this.unknown(e, g.name);
        });
        const { user, password, nkey, permissions, types } = u;
        if (nkey !== null) {
          if (!isValidPublicUserKey(nkey)) {
            throw new BadValue(
              item.pos,
              `${g.name}: ${JSON.stringify(nkey)} is not a valid public user nkey`,
            );
          }
          if (user !== null || password !== null) {
            throw new BadValue(item.pos, `${g.name}: an nkey user takes no user name or password`);
          }
          if (names.has(nkey))
            throw new BadValue(item.pos, `${g.name}: duplicate nkey ${JSON.stringify(nkey)}`);
          names.add(nkey);
          auth.nkeys.push({ nkey, permissions, allowedConnectionTypes: types });
          return;
        }
        if (user === null)
          throw new BadValue(item.pos, `${g.name}: a user entry needs a user or an nkey`);
        if (names.has(user))
          throw new BadValue(item.pos, `${g.name}: duplicate user ${JSON.stringify(user)}`);
        names.add(user);
        auth.users.push({ user, password, permissions, allowedConnectionTypes: types });
      });
    });
  }

  private connectionTypes(f: Field): ConnectionType[] {
    return asStrings(f).map((t) => {
      const upper = t.toUpperCase();
      const known = CONNECTION_TYPES.find((c) => c === upper);
      if (!known) {
        throw new BadValue(
          f.value.pos,
          `${f.name}: unknown connection type ${JSON.stringify(t)} (one of ${CONNECTION_TYPES.join(", ")})`,
        );
      }
      return known;
    });
  }

  private permissions(f: Field): Permissions {
    const map = asMap(f);
    const p: Permissions = { publish: null, subscribe: null, response: null };
    this.entries(map, (e, key) => {
      const g = field(e, f.name);
      switch (key) {
        case "pub":
        case "publish":
        case "import":
          p.publish = this.subjectPermission(g);
          return;
        case "sub":
        case "subscribe":
        case "export":
          p.subscribe = this.subjectPermission(g);
          return;
        case "publish_allow_responses":
        case "allow_responses":
          p.response = this.responsePermission(g);
          return;
      }
      this.unknown(e, f.name);
    });
    if (p.response) {
      // nats-server: allowing responses turns off the blanket publish allow.
      p.publish ??= { allow: null, deny: null };
      p.publish.allow ??= [];
    }
    return p;
  }

  /** A subject, a list, or `{allow, deny}`; an empty map is no restriction. */
  private subjectPermission(f: Field): SubjectPermission | null {
    if (f.value.kind !== "map") return { allow: this.subjects(f), deny: null };
    if (f.value.entries.size === 0) return null;
    const sp: SubjectPermission = { allow: null, deny: null };
    this.entries(f.value, (e, key) => {
      const g = field(e, f.name);
      if (key === "allow") sp.allow = this.subjects(g);
      else if (key === "deny") sp.deny = this.subjects(g);
      else if (!e.usedAsVariable) {
        this.error(
          e.pos,
          `unknown option ${JSON.stringify(e.key)} in ${f.name} (only allow and deny)`,
        );
      }
    });
    return sp;
  }

  private subjects(f: Field): string[] {
    const list = asStrings(f);
    for (const s of list) {
      const problem = checkPermissionSubject(s);
      if (problem) throw new BadValue(f.value.pos, `${f.name}: ${problem}`);
    }
    return list;
  }

  private responsePermission(f: Field): ResponsePermission | null {
    if (f.value.kind === "boolean") return f.value.value ? { ...DEFAULT_RESPONSE } : null;
    if (f.value.kind !== "map") bad(f, "true, false or { max, expires }");
    const rp = { ...DEFAULT_RESPONSE };
    this.entries(f.value, (e, key) => {
      const g = field(e, f.name);
      switch (key) {
        case "max":
        case "max_msgs":
        case "max_messages":
        case "max_responses": {
          // 0 = the default, negative = unlimited (opts.go parseAllowResponses).
          const n = asInteger(g, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
          if (n !== 0) rp.maxMsgs = n;
          return;
        }
        case "expires":
        case "expiration":
        case "ttl": {
          if (g.value.kind !== "string") bad(g, 'a duration string (e.g. "1m")');
          const ms = parseGoDuration(g.value.value);
          if (ms === null) bad(g, 'a duration string (e.g. "1m")');
          if (ms !== 0) rp.expiresMs = ms;
          return;
        }
      }
      this.unknown(e, f.name);
    });
    return rp;
  }

  // --- tls and websocket ---

  private tls(f: Field): TlsConfig {
    const map = asMap(f);
    const files: { cert: string | null; key: string | null } = { cert: null, key: null };
    const tls: Omit<TlsConfig, "certFile" | "keyFile"> = {
      caFile: null,
      verify: false,
      timeoutMs: null,
    };
    this.entries(map, (e, key) => {
      const g = field(e, f.name);
      switch (key) {
        case "cert_file":
          files.cert = asString(g);
          return;
        case "key_file":
          files.key = asString(g);
          return;
        case "ca_file":
          tls.caFile = asString(g);
          return;
        case "verify":
          tls.verify = asBoolean(g);
          return;
        case "timeout":
          tls.timeoutMs = asDuration(g, true);
          return;
        case "cipher_suites":
        case "curve_preferences":
          // nats-server refuses an empty list; the names themselves are not checked here.
          if (asStrings(g).length === 0)
            throw new BadValue(g.value.pos, `${g.name}: cannot be empty`);
          this.ignoredTls(e, g);
          return;
        case "insecure":
        case "connection_rate_limit":
          this.ignoredTls(e, g);
          return;
        case "verify_and_map":
        case "pinned_certs":
        case "verify_cert_and_check_known_urls":
          if (g.value.kind === "boolean" && !g.value.value) return;
          this.error(
            e.pos,
            `${g.name} is not supported: this broker does not map or pin client certificates`,
          );
          return;
      }
      this.unknown(e, f.name);
    });
    if (files.cert === null || files.key === null) {
      // nats-server GenTLSConfig: a server certificate needs both.
      throw new BadValue(f.pos, `${f.name}: needs both cert_file and key_file`);
    }
    return { certFile: files.cert, keyFile: files.key, ...tls };
  }

  private ignoredTls(e: ConfEntry, g: Field): void {
    this.warnings.push({ pos: e.pos, message: `${g.name} is ignored (Node's TLS defaults apply)` });
  }

  private websocket(f: Field): WebSocketConfig {
    const map = asMap(f);
    const ws: WebSocketConfig = {
      port: null,
      host: null,
      noTls: false,
      tls: null,
      compression: false,
      sameOrigin: false,
      allowedOrigins: [],
      handshakeTimeoutMs: null,
    };
    this.entries(map, (e, key) => {
      const g = field(e, f.name);
      switch (key) {
        case "listen": {
          const l = asListen(g);
          if (l.host !== undefined) ws.host = l.host;
          ws.port = enabledPort(l.port);
          return;
        }
        case "port":
          ws.port = enabledPort(asInteger(g, -1, 65535, "a port number"));
          return;
        case "host":
        case "net":
          ws.host = asString(g);
          return;
        case "no_tls":
          ws.noTls = asBoolean(g);
          return;
        case "tls":
          ws.tls = this.tls(g);
          return;
        case "compress":
        case "compression":
          ws.compression = asBoolean(g);
          return;
        case "same_origin":
          ws.sameOrigin = asBoolean(g);
          return;
        case "allowed_origins":
        case "allowed_origin":
        case "allow_origins":
        case "allow_origin":
        case "origins":
        case "origin":
          ws.allowedOrigins = asStrings(g);
          for (const o of ws.allowedOrigins) {
            if (!URL.canParse(o))
              throw new BadValue(g.value.pos, `${g.name}: ${JSON.stringify(o)} is not a URL`);
          }
          return;
        case "handshake_timeout":
          ws.handshakeTimeoutMs = asDuration(g, false);
          return;
        case "advertise":
          this.warnings.push({
            pos: e.pos,
            message: `${g.name} is ignored (WebSocket URLs are not advertised to the cluster)`,
          });
          return;
        case "authorization":
        case "authentication":
        case "no_auth_user":
        case "jwt_cookie":
        case "username_cookie":
        case "password_cookie":
        case "token_cookie":
          this.error(
            e.pos,
            `${g.name} is not supported: WebSocket clients use the main authorization block`,
          );
          return;
      }
      this.unknown(e, f.name);
    });
    if (ws.port !== null && !ws.tls && !ws.noTls) {
      // nats-server refuses to start here too (websocket.go validateWebsocketOptions).
      this.error(f.pos, `${f.name}: WebSocket needs a tls { } block, or no_tls: true`);
    }
    return ws;
  }

  // --- cluster ---

  /** opts.go parseCluster; what would change where messages go without it is refused. */
  private cluster(f: Field): ClusterConfig {
    const map = asMap(f);
    const cl: ClusterConfig = {
      pos: f.pos,
      name: null,
      host: null,
      port: null,
      routes: [],
      user: null,
      password: null,
      authTimeoutMs: null,
      advertise: null,
      noAdvertise: false,
      connectRetries: 0,
    };
    this.entries(map, (e, key) => {
      const g = field(e, f.name);
      switch (key) {
        case "name": {
          const name = asString(g);
          cl.name = name === "" ? null : name;
          return;
        }
        case "listen": {
          const l = asListen(g);
          if (l.host !== undefined) cl.host = l.host;
          cl.port = enabledPort(l.port);
          return;
        }
        case "port":
          cl.port = enabledPort(asInteger(g, -1, 65535, "a port number"));
          return;
        case "host":
        case "net":
          cl.host = asString(g);
          return;
        case "routes":
          cl.routes = this.routes(g);
          return;
        case "authorization":
          return this.clusterAuthorization(g, cl);
        case "advertise":
        case "cluster_advertise": {
          const adv = asString(g);
          const problem = adv === "" ? null : checkAdvertise(adv);
          if (problem) throw new BadValue(g.value.pos, `${g.name}: ${problem}`);
          cl.advertise = adv === "" ? null : adv;
          return;
        }
        case "no_advertise":
          cl.noAdvertise = asBoolean(g);
          return;
        case "connect_retries":
          cl.connectRetries = asInteger(g, 0, Number.MAX_SAFE_INTEGER);
          return;
        case "tls":
          this.error(
            e.pos,
            `${g.name} is not supported: this broker has no cluster TLS (routes would run in plain text)`,
          );
          return;
        case "permissions":
          this.error(
            e.pos,
            `${g.name} is not supported: this broker has no route permissions (import/export)`,
          );
          return;
        case "pool_size":
        case "compression":
        case "accounts":
          // nats-server 2.10's route pooling, compression and per-account routes.
          this.error(e.pos, `${g.name} is not supported (routes as in nats-server 2.9)`);
          return;
      }
      this.unknown(e, f.name);
    });
    return cl;
  }

  /** URLs, one string or a list; a repeated one is dropped with nats-server's warning. */
  private routes(f: Field): RouteUrl[] {
    const v = f.value;
    if (v.kind !== "string" && v.kind !== "array") bad(f, "a route URL or an array of them");
    const items: Field[] =
      v.kind === "array"
        ? v.items.map((item, i) => ({ name: `${f.name}[${i}]`, value: item, pos: item.pos }))
        : [{ ...f, pos: v.pos }];
    const seen = new Set<string>();
    const routes: RouteUrl[] = [];
    for (const g of items) {
      this.guard(() => {
        const text = asString(g);
        // Messages show URLs without their passwords.
        const shown = JSON.stringify(redactUrl(text));
        if (seen.has(text)) {
          this.warnings.push({
            pos: g.pos,
            message: `${g.name}: duplicate route ${shown} ignored`,
          });
          return;
        }
        seen.add(text);
        const route = parseRouteUrl(text);
        if (typeof route === "string")
          throw new BadValue(g.pos, `${g.name}: ${route}, got ${shown}`);
        routes.push(route);
      });
    }
    return routes;
  }

  /** Credentials routes present: one user (opts.go refuses users lists and tokens here). */
  private clusterAuthorization(f: Field, cl: ClusterConfig): void {
    const map = asMap(f);
    const given: { password: string | null } = { password: null };
    this.entries(map, (e, key) => {
      const g = field(e, f.name);
      switch (key) {
        case "user":
        case "username":
          cl.user = asString(g);
          return;
        case "pass":
        case "password":
          given.password = asString(g);
          return;
        case "timeout": {
          // 0 is the default, as in nats-server (setBaselineOptions).
          const ms = asDuration(g, true);
          cl.authTimeoutMs = ms === 0 ? null : ms;
          return;
        }
        // At the block, where nats-server reports these.
        case "users":
          this.error(f.pos, `${f.name}: cluster authorization does not allow multiple users`);
          return;
        case "token":
          this.error(f.pos, `${f.name}: cluster authorization does not support tokens`);
          return;
        case "default_permission":
        case "default_permissions":
        case "permissions":
          this.error(
            e.pos,
            `${g.name} is not supported: this broker has no route permissions (import/export)`,
          );
          return;
      }
      this.unknown(e, f.name);
    });
    if (cl.user === "") cl.user = null;
    const { password } = given;
    if (password !== null && cl.user === null) {
      // nats-server would take routes without any credentials here.
      this.error(f.pos, `${f.name}: a password needs a user`);
    }
    // A user alone must present an empty password (auth.go isRouterAuthorized).
    cl.password = cl.user === null ? null : (password ?? "");
  }

  // --- mq9 ---

  private mq9(f: Field): void {
    const map = asMap(f);
    const m = this.config.mq9;
    this.entries(map, (e, key) => {
      const g = field(e, f.name);
      const max = Number.MAX_SAFE_INTEGER;
      switch (key) {
        case "default_ttl":
          m.defaultTtl = asSeconds(g);
          return;
        case "max_ttl":
          m.maxTtl = this.positive(g, asSeconds(g));
          return;
        case "allow_no_expiry":
          m.allowNoExpiry = asBoolean(g);
          return;
        case "notify_ttl":
          m.notifyTtl = this.positive(g, asSeconds(g));
          return;
        case "max_messages_per_mailbox":
          m.maxMessagesPerMailbox = asInteger(g, 1, max);
          return;
        case "max_bytes_per_mailbox":
          m.maxBytesPerMailbox = this.positive(g, asSize(g));
          return;
        case "creates_per_minute":
          m.createsPerMinute = asInteger(g, 1, max);
          return;
        case "dead_letter_retention":
          m.deadLetterRetention = asSeconds(g);
          return;
        case "max_payload":
          m.maxPayload = this.positive(g, asSize(g));
          this.mq9MaxPayloadAt = g.value.pos;
          return;
        case "data_dir": {
          const dir = asString(g);
          if (dir.trim() === "") throw new BadValue(g.value.pos, `${g.name}: must not be empty`);
          this.config.dataDir = dir;
          return;
        }
      }
      this.unknown(e, f.name);
    });
    const ttl = m.defaultTtl ?? MQ9_DEFAULTS.defaultTtl;
    const maxTtl = m.maxTtl ?? MQ9_DEFAULTS.maxTtl;
    if (ttl > maxTtl)
      this.error(f.pos, `${f.name}: default_ttl (${ttl}) is above max_ttl (${maxTtl})`);
    if (ttl === 0 && !(m.allowNoExpiry ?? MQ9_DEFAULTS.allowNoExpiry)) {
      this.error(f.pos, `${f.name}: default_ttl 0 (never expires) needs allow_no_expiry: true`);
    }
  }

  private positive(f: Field, n: number): number {
    if (n <= 0) throw new BadValue(f.value.pos, `${f.name}: must be greater than 0`);
    return n;
  }

  // --- checks across options ---

  private crossChecks(): void {
    const c = this.config;
    if (c.noAuthUser !== undefined && this.noAuthUserAt) {
      // auth.go validateNoAuthUser.
      const users = c.authorization?.users ?? [];
      if (users.length === 0) {
        this.error(
          this.noAuthUserAt,
          `no_auth_user: ${JSON.stringify(c.noAuthUser)} is set, but no users are defined`,
        );
      } else if (!users.some((u) => u.user === c.noAuthUser)) {
        this.error(
          this.noAuthUserAt,
          `no_auth_user: ${JSON.stringify(c.noAuthUser)} is not a user in the authorization block`,
        );
      }
    }
    const maxPayload = c.limits.maxPayload ?? NATS_DEFAULTS.maxPayload;
    const maxPending = c.limits.maxPending ?? NATS_DEFAULTS.maxPending;
    const at = this.maxPayloadAt ?? this.maxPendingAt;
    if (maxPayload > maxPending && at) {
      // server.go validateOptions.
      this.error(
        at,
        `max_payload (${maxPayload}) cannot be higher than max_pending (${maxPending})`,
      );
    }
    const a = c.authorization;
    const hasUsers = a !== undefined && (a.users.length > 0 || a.nkeys.length > 0);
    const op = this.operatorUnreadable
      ? { auth: null, errors: [], warnings: [] }
      : checkOperatorMode(this.operator, hasUsers ? this.authorizationAt : null, this.accountsAt);
    this.errors.push(...op.errors);
    this.warnings.push(...op.warnings);
    if (op.auth !== null) {
      c.operator = op.auth;
      // Routes carry one account's traffic without account JWTs: not in operator mode.
      if (c.cluster) this.error(c.cluster.pos, "cluster is not supported in operator mode");
      if (a !== undefined && (a.user !== null || a.token !== null) && this.authorizationAt) {
        // nats-server asks every client for a user JWT then, and looks at nothing else.
        this.warnings.push({
          pos: this.authorizationAt,
          message: "authorization user, password and token are ignored in operator mode",
        });
      }
    }
    const ldmDuration = c.lameDuckDurationMs ?? LAME_DUCK_DEFAULTS.durationMs;
    const ldmGrace = c.lameDuckGracePeriodMs ?? LAME_DUCK_DEFAULTS.gracePeriodMs;
    if (ldmGrace >= ldmDuration && this.lameDuckAt) {
      // server.go validateOptions.
      this.error(
        this.lameDuckAt,
        `lame_duck_grace_period (${goDuration(ldmGrace * 1e6)}) must be shorter than lame_duck_duration (${goDuration(ldmDuration * 1e6)})`,
      );
    }
    const mq9Payload = c.mq9.maxPayload;
    if (mq9Payload !== undefined && mq9Payload > maxPayload && this.mq9MaxPayloadAt) {
      this.error(
        this.mq9MaxPayloadAt,
        `mq9.max_payload (${mq9Payload}) cannot be higher than max_payload (${maxPayload})`,
      );
    }
  }
}
