/**
 * /routez, /gatewayz and /leafz in nats-server's shapes (monitor.go Routez, Gatewayz,
 * Leafz). Routes are those of the cluster, if any; there are never gateways or leaf
 * nodes, which these answer with nothing connected, for the tools that poll every endpoint.
 */
import type { Cluster } from "../nats/cluster/cluster";
import { goTime } from "./go-format";

/** `subs=1` lists each route's interest (monitor.go RoutezOptions.Subscriptions). */
export function routez(serverId: string, cluster: Cluster | null, now: number, subs = false) {
  const routes = (cluster?.summaries() ?? []).map((r) => ({
    rid: r.rid,
    remote_id: r.remoteId,
    did_solicit: r.didSolicit,
    is_configured: r.isConfigured,
    ip: r.ip,
    port: r.port,
    pending_size: r.pendingBytes,
    in_msgs: r.inMsgs,
    out_msgs: r.outMsgs,
    in_bytes: r.inBytes,
    out_bytes: r.outBytes,
    subscriptions: r.subscriptions.length,
    ...(subs && r.subscriptions.length > 0 && { subscriptions_list: r.subscriptions }),
  }));
  return { server_id: serverId, now: goTime(now), num_routes: routes.length, routes };
}

export function gatewayz(serverId: string, now: number) {
  return { server_id: serverId, now: goTime(now), outbound_gateways: {}, inbound_gateways: {} };
}

export function leafz(serverId: string, now: number) {
  // A nil slice in nats-server, hence null.
  return { server_id: serverId, now: goTime(now), leafnodes: 0, leafs: null };
}
