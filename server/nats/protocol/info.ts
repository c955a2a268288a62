/**
 * The INFO line sent on accept (nats-wire-notes §1.1): nats-server's field order, a
 * space before CRLF, and only the fields that are true for this server (TLS only when a
 * TLS listener is on, no cluster URLs).
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
}

export interface ClientInfo {
  clientId: number;
  clientIp: string;
  nonce?: string;
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
  if (server.lameDuck) info.ldm = true;
  return Buffer.from(`INFO ${JSON.stringify(info)} \r\n`);
}
