/**
 * The URLs and addresses of nats-server's cluster settings, shared by the config file
 * (`cluster { routes, advertise }`) and the command line (`--routes`, `--cluster`,
 * `--cluster_advertise`): opts.go parseURL/RoutesFromStr and overrideCluster, with the
 * checks nats-server only makes when it dials (a port, a known scheme) made up front.
 */
import type { RouteUrl } from "../nats/cluster/options";
import { splitHostPort } from "./values";

/** What `--cluster`/`--cluster_listen` said: where routes connect, and their credentials. */
export interface ClusterListen {
  /** null = nats-server's default cluster host (0.0.0.0). */
  host: string | null;
  /** 0 = any free port (nats-server's -1). */
  port: number;
  user: string | null;
  pass: string | null;
}

/** nats-server's DEFAULT_HOST, which the cluster listener binds when no host is given. */
export const DEFAULT_CLUSTER_HOST = "0.0.0.0";
/** nats-server's AUTH_TIMEOUT: a route has this long to send CONNECT (no cluster TLS here). */
export const DEFAULT_CLUSTER_AUTH_TIMEOUT_MS = 2000;

const SCHEMES = ["nats-route", "nats"];

interface SplitUrl {
  scheme: string;
  /** As written (still percent-encoded), for display. */
  userRaw: string | null;
  user: string | null;
  pass: string | null;
  /** `host:port` as written. */
  hostPort: string;
}

/** `scheme://[user[:pass]@]host:port[/…]`, split the way Go's url.Parse splits an authority. */
function splitUrl(text: string): SplitUrl | string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(text);
  if (!m) return "missing the nats-route:// or nats:// scheme";
  const scheme = (m[1] as string).toLowerCase();
  if (!SCHEMES.includes(scheme)) {
    return `unsupported scheme ${JSON.stringify(`${scheme}://`)} (nats-route:// or nats://)`;
  }
  const authority = m[2] as string;
  const at = authority.lastIndexOf("@");
  const hostPort = authority.slice(at + 1);
  if (at < 0) return { scheme, userRaw: null, user: null, pass: null, hostPort };
  const userInfo = authority.slice(0, at);
  const colon = userInfo.indexOf(":");
  const userRaw = colon < 0 ? userInfo : userInfo.slice(0, colon);
  try {
    const user = decodeURIComponent(userRaw);
    const pass = colon < 0 ? null : decodeURIComponent(userInfo.slice(colon + 1));
    return { scheme, userRaw, user: user === "" ? null : user, pass, hostPort };
  } catch {
    return "bad percent-encoding in the user or password";
  }
}

/** For messages: a URL with its password replaced as nats-server's redaction does. */
export function redactUrl(text: string): string {
  const m = /^(\s*[^:/?#]+:\/\/)([^/?#]*)/.exec(text);
  if (!m) return text;
  const [, scheme = "", authority = ""] = m;
  const at = authority.lastIndexOf("@");
  const colon = authority.indexOf(":");
  if (at < 0 || colon < 0 || colon > at) return text;
  return `${scheme}${authority.slice(0, colon)}:xxxxx${text.slice(scheme.length + at)}`;
}

/** A route to solicit (cluster.routes, --routes); the reason when it is not one. */
export function parseRouteUrl(text: string): RouteUrl | string {
  const s = splitUrl(text.trim());
  if (typeof s === "string") return s;
  const hp = splitHostPort(s.hostPort);
  if (!hp) return "no port (a route needs host:port)";
  if (hp.host === "") return "no host";
  if (/\s/.test(hp.host)) return "bad host";
  if (hp.port < 1 || hp.port > 65535) return `port ${hp.port} is out of range (1 to 65535)`;
  const user = s.userRaw !== null ? `${s.userRaw}@` : "";
  return {
    host: hp.host,
    port: hp.port,
    user: s.user,
    pass: s.pass,
    display: `${s.scheme}://${user}${s.hostPort}`,
  };
}

/**
 * `--cluster nats://[user:pass@]host:port` (opts.go overrideCluster): port -1 = any free
 * port; port 0 = no route listener (returned as null, as `--cluster ""` is); user info
 * sets the credentials routes must present, and then needs a password.
 */
export function parseClusterListen(text: string): ClusterListen | null | string {
  if (text.trim() === "") return null;
  const s = splitUrl(text.trim());
  if (typeof s === "string") return s;
  const hp = splitHostPort(s.hostPort);
  if (!hp) return "no port (expected host:port)";
  if (/\s/.test(hp.host)) return "bad host";
  if (hp.port < -1 || hp.port > 65535) return `port ${hp.port} is out of range (-1 to 65535)`;
  if (hp.port === 0) return null;
  if (s.userRaw !== null) {
    // nats-server's wording; a password without a user name would leave routes open.
    if (s.pass === null || s.pass === "") return "expected cluster password to be set";
    if (s.user === null) return "a cluster password needs a user name";
  }
  return {
    host: hp.host === "" ? null : hp.host,
    port: hp.port === -1 ? 0 : hp.port,
    user: s.user,
    pass: s.pass,
  };
}

/**
 * cluster.advertise, --cluster_advertise: `host:port`, or a host alone (the listener's port
 * is added; route.go parseHostPort). The reason when it is neither.
 */
export function checkAdvertise(text: string): string | null {
  const t = text.trim();
  if (t === "") return "cannot be empty";
  const hp = splitHostPort(t);
  if (hp) {
    if (hp.host === "") return "needs a host";
    return hp.port < -1 || hp.port > 65535 ? `port ${hp.port} is out of range` : null;
  }
  // A host alone (nats-server adds the listener's port): a name, IPv4, or [IPv6].
  if (!t.includes(":") || /^\[[^\]]+\]$/.test(t)) return null;
  return `could not parse ${JSON.stringify(text)} as host or host:port`;
}
