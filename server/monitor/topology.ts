/**
 * /routez, /gatewayz and /leafz: this broker never clusters, so they always answer with
 * nothing connected, in nats-server's shapes (monitor.go Routez, Gatewayz, Leafz), for
 * the tools that poll every endpoint.
 */
import { goTime } from "./go-format";

export function routez(serverId: string, now: number) {
  return { server_id: serverId, now: goTime(now), num_routes: 0, routes: [] as never[] };
}

export function gatewayz(serverId: string, now: number) {
  return { server_id: serverId, now: goTime(now), outbound_gateways: {}, inbound_gateways: {} };
}

export function leafz(serverId: string, now: number) {
  // A nil slice in nats-server, hence null.
  return { server_id: serverId, now: goTime(now), leafnodes: 0, leafs: null };
}
