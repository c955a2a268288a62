/**
 * The INFO line sent on accept (nats-wire-notes §1.1): nats-server's field order, a
 * space before CRLF, and only the fields that are true for this server (TLS only when a
 * TLS listener is on, cluster URLs only in a cluster).
 */

export interface ServerInfo {
  serverId: string;
  serverName: string;
  version: string;
  host: string;
  port: number;
  maxPayload: number;
  authRequired: boolean;
  /** Clients must start TLS after INFO (a `tls { }` block). */
  tlsRequired: boolean;
  /** ...and present a client certificate (`verify: true`). */
  tlsVerify: boolean;
  /** Clients may start TLS after INFO, or stay plain (`allow_non_tls`). */
  tlsAvailable: boolean;
  /** Lame duck mode: only in the INFO that announces it (server.go sendLDMToClients). */
  lameDuck?: boolean;
  /** The cluster's name, when this server is in one. */
  cluster?: string;
  /** Client URLs of every server of the cluster, once a route has formed. */
  connectUrls?: string[];
  /** ...and of their WebSocket listeners, which WebSocket clients get instead. */
  wsConnectUrls?: string[];
}

export interface ClientInfo {
  clientId: number;
  clientIp: string;
  nonce?: string;
  /** client.go generateClientInfoJSON: a WebSocket client's connect_urls are ws ones. */
  websocket?: boolean;
}

export function infoLine(server: ServerInfo, client: ClientInfo): Buffer {
  const info: Record<string, unknown> = {
    server_id: server.serverId,
    server_name: server.serverName || server.serverId,
    version: server.version,
    proto: 1,
    go: `node${process.version}`,
    host: server.host,
    port: server.port,
    headers: true,
  };
  if (server.authRequired) info.auth_required = true;
  // nats-wire-notes §1.1: omitted, not false, without TLS; nats.js rejects its tls option then.
  if (server.tlsRequired) info.tls_required = true;
  if (server.tlsVerify) info.tls_verify = true;
  if (server.tlsAvailable) info.tls_available = true;
  info.max_payload = server.maxPayload;
  info.client_id = client.clientId;
  info.client_ip = client.clientIp;
  // After client_ip, in the order of nats-server's Info struct.
  if (client.nonce !== undefined) info.nonce = client.nonce;
  if (server.cluster !== undefined) info.cluster = server.cluster;
  const urls = client.websocket ? server.wsConnectUrls : server.connectUrls;
  if (urls !== undefined && urls.length > 0) info.connect_urls = urls;
  if (server.lameDuck) info.ldm = true;
  return Buffer.from(`INFO ${JSON.stringify(info)} \r\n`);
}
