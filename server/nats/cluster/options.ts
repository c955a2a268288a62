/**
 * How this server joins a cluster of NATS servers (nats-server's `cluster { }` block and
 * its --cluster/--routes flags): one listener for route connections, and the routes to
 * solicit. Durations are milliseconds.
 */

/** A route to solicit: `nats-route://[user:pass@]host:port`. */
export interface RouteUrl {
  host: string;
  port: number;
  /** Credentials to send in the route CONNECT (from the URL's user info). */
  user: string | null;
  pass: string | null;
  /** As written, for log lines (without the password). */
  display: string;
}

export interface ClusterOptions {
  /** null = dynamic: a generated name, adopted from a peer that has one (route.go). */
  name: string | null;
  /** Where the route listener binds. */
  host: string;
  /** 0 = any free port (nats-server's -1). */
  port: number;
  /** Routes to solicit; retried for as long as they stay configured. */
  routes: RouteUrl[];
  /** Credentials routes must present (cluster.authorization); null = none. */
  authorization: { user: string; password: string; timeoutMs: number } | null;
  /** `advertise`: the host:port other servers are told to route to; null = the listener's. */
  advertise: string | null;
  /** `no_advertise`: do not tell clients about the other servers' client URLs. */
  noAdvertise: boolean;
  /** Attempts for an implicit (gossiped) route; 0 = one attempt. */
  connectRetries: number;
}
