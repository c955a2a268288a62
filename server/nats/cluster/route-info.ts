/**
 * The JSON of the route handshake: the INFO each server sends on a route connection and
 * the CONNECT the soliciting side sends first (route.go createRoute, sendRouteConnect).
 * Field names and order are nats-server's (server.go Info, client.go connectInfo).
 */

/** What we read from a peer's INFO; unknown fields are ignored. */
export interface RouteInfo {
  serverId: string;
  serverName: string;
  /** The peer's route listener, for the URL we would reconnect to. */
  host: string;
  port: number;
  headers: boolean;
  authRequired: boolean;
  tlsRequired: boolean;
  /** `nats-route://host:port/`: set in gossip, the address to solicit an implicit route at. */
  ip: string;
  cluster: string;
  clusterDynamic: boolean;
  connectUrls: string[];
  wsConnectUrls: string[];
  lameDuck: boolean;
}

/** What we read from a peer's CONNECT. */
export interface RouteConnect {
  /** The peer's server id. */
  name: string;
  user: string;
  pass: string;
  cluster: string;
  dynamic: boolean;
  headers: boolean;
  /** Set only by client libraries: a client dialled the route port. */
  lang: string;
  /** Set by gateways, which must not use the route port. */
  gateway: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

function object(json: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const bool = (v: unknown): boolean => v === true;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];

export function decodeRouteInfo(json: string): Decoded<RouteInfo> {
  const o = object(json);
  if (o === null) return { ok: false, reason: "INFO is not a JSON object" };
  const serverId = str(o.server_id);
  if (serverId === "") return { ok: false, reason: "INFO has no server_id" };
  return {
    ok: true,
    value: {
      serverId,
      serverName: str(o.server_name),
      host: str(o.host),
      port: typeof o.port === "number" && Number.isInteger(o.port) ? o.port : 0,
      headers: bool(o.headers),
      authRequired: bool(o.auth_required),
      tlsRequired: bool(o.tls_required),
      ip: str(o.ip),
      cluster: str(o.cluster),
      clusterDynamic: bool(o.cluster_dynamic),
      connectUrls: strings(o.connect_urls),
      wsConnectUrls: strings(o.ws_connect_urls),
      lameDuck: bool(o.ldm),
    },
  };
}

export function decodeRouteConnect(json: string): Decoded<RouteConnect> {
  const o = object(json);
  if (o === null) return { ok: false, reason: "CONNECT is not a JSON object" };
  return {
    ok: true,
    value: {
      name: str(o.name),
      user: str(o.user),
      pass: str(o.pass),
      cluster: str(o.cluster),
      dynamic: bool(o.dynamic),
      headers: bool(o.headers),
      lang: str(o.lang),
      gateway: str(o.gateway),
    },
  };
}

export interface OwnRouteInfo {
  serverId: string;
  serverName: string;
  version: string;
  host: string;
  port: number;
  authRequired: boolean;
  maxPayload: number;
  /** Our advertised route URL (`cluster.advertise`); "" = the peer works it out. */
  ip: string;
  cluster: string;
  clusterDynamic: boolean;
  connectUrls: string[];
  wsConnectUrls: string[];
  lameDuck: boolean;
}

/** route.go: RouteProtoV2, account-aware RS+/RS-/RMSG. */
const ROUTE_PROTO = 2;

export function routeInfoLine(info: OwnRouteInfo): Buffer {
  const o: Record<string, unknown> = {
    server_id: info.serverId,
    server_name: info.serverName || info.serverId,
    version: info.version,
    proto: ROUTE_PROTO,
    go: `node${process.version}`,
    host: info.host,
    port: info.port,
    headers: true,
  };
  if (info.authRequired) o.auth_required = true;
  o.max_payload = info.maxPayload;
  clusterFields(o, info);
  if (info.lameDuck) o.ldm = true;
  return Buffer.from(`INFO ${JSON.stringify(o)}\r\n`);
}

/** The fields from `ip` on that our INFO and a gossiped one share, in Info's order. */
function clusterFields(
  o: Record<string, unknown>,
  info: Pick<RouteInfo, "ip" | "cluster" | "clusterDynamic" | "connectUrls" | "wsConnectUrls">,
): void {
  if (info.ip !== "") o.ip = info.ip;
  o.cluster = info.cluster;
  if (info.clusterDynamic) o.cluster_dynamic = true;
  if (info.connectUrls.length > 0) o.connect_urls = info.connectUrls;
  if (info.wsConnectUrls.length > 0) o.ws_connect_urls = info.wsConnectUrls;
}

/** A peer's INFO passed on to the other routes (gossip), with `ip` filled in. */
export function gossipInfoLine(info: RouteInfo): Buffer {
  const o: Record<string, unknown> = {
    server_id: info.serverId,
    server_name: info.serverName,
    host: info.host,
    port: info.port,
    headers: info.headers,
  };
  if (info.authRequired) o.auth_required = true;
  clusterFields(o, info);
  return Buffer.from(`INFO ${JSON.stringify(o)}\r\n`);
}

export function routeConnectLine(c: {
  serverId: string;
  user: string | null;
  pass: string | null;
  cluster: string;
  dynamic: boolean;
}): Buffer {
  const o: Record<string, unknown> = { echo: true, verbose: false, pedantic: false };
  if (c.user !== null) o.user = c.user;
  if (c.pass !== null) o.pass = c.pass;
  o.tls_required = false;
  o.name = c.serverId;
  o.headers = true;
  o.cluster = c.cluster;
  o.dynamic = c.dynamic;
  return Buffer.from(`CONNECT ${JSON.stringify(o)}\r\n`);
}
