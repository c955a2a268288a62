/**
 * The addresses of nats-server's cluster settings, shared by the config file
 * (`cluster { listen, advertise }`) and the command line (`--cluster`,
 * `--cluster_advertise`): opts.go overrideCluster. Route URLs themselves are read by
 * nats/cluster/route-url.ts, which gossip uses too.
 */
import { splitUrl } from "../nats/cluster/route-url";
import { splitHostPort } from "../nats/host-port";

export { parseRouteUrl, redactUrl } from "../nats/cluster/route-url";

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
