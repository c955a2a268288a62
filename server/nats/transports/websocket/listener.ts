/**
 * Accepting NATS clients over WebSocket: a dedicated HTTP (or, with `tls`, HTTPS) server
 * where any path upgrades (nats-wire-notes §2.1), or handleUpgrade() for mounting on an
 * existing http.Server.
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { Broker } from "../../broker";
import type { Listener } from "../tcp";
import { onTlsClientError, tlsServerOptions, type TlsSettings } from "../tls";
import {
  acceptHandshake,
  HandshakeError,
  handshakeErrorResponse,
  type HandshakeOptions,
} from "./handshake";
import { maxWebSocketMessageSize } from "./frames";
import { WebSocketTransport } from "./transport";

export type WebSocketUpgradeOptions = HandshakeOptions;

export interface WebSocketListenOptions extends WebSocketUpgradeOptions {
  host: string;
  port: number;
  /** Time allowed from TCP accept to a complete upgrade request (websocket.handshake_timeout). */
  handshakeTimeoutMs?: number;
  /** wss: TLS from the first byte, as nats-server's websocket `tls { }` (nats-wire-notes §2). */
  tls?: TlsSettings;
}

/** nats-server has no default; an idle socket that never sends its request must not stay forever. */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;

export async function listenWebSocket(
  broker: Broker,
  opts: WebSocketListenOptions,
): Promise<Listener> {
  const timeout = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  /** Sockets still in HTTP; the upgraded ones belong to the broker from then on. */
  const handshaking = new Set<net.Socket>();
  const server = opts.tls ? https.createServer(tlsServerOptions(opts.tls)) : http.createServer();
  if (opts.tls) server.on("tlsClientError", onTlsClientError(broker.log));
  // Over TLS the HTTP side starts once the handshake is done (the tls timeout bounds that).
  server.on(opts.tls ? "secureConnection" : "connection", (socket: net.Socket) => {
    handshaking.add(socket);
    socket.once("close", () => handshaking.delete(socket));
    // With no 'timeout' listener on the server, http destroys the socket when this fires.
    if (timeout > 0) socket.setTimeout(timeout);
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (socket instanceof net.Socket) handshaking.delete(socket);
    handleUpgrade(broker, req, socket, head, opts);
  });
  // A plain request (no Upgrade header) fails the same checks, with the same HTTP errors.
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    let status = 400;
    try {
      acceptHandshake({ method: req.method, headers: req.headers }, opts);
    } catch (err) {
      if (err instanceof HandshakeError) status = err.status;
    }
    res.shouldKeepAlive = false;
    res.writeHead(status, {
      "Sec-WebSocket-Version": "13",
      "Content-Type": "text/plain; charset=utf-8",
    });
    res.end(`${http.STATUS_CODES[status] ?? "Error"}\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    address: { host: address.address, port: address.port },
    close: () =>
      new Promise<void>((resolve) => {
        // Stops accepting at once; upgraded connections are left to the broker.
        server.close();
        for (const socket of handshaking) socket.destroy();
        resolve();
      }),
  };
}

/**
 * Completes (or refuses) a WebSocket upgrade and hands the connection to the broker, which
 * sends INFO as the first binary frame. Callers choose which paths lead here.
 */
export function handleUpgrade(
  broker: Broker,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  opts: WebSocketUpgradeOptions = {},
): void {
  socket.on("error", () => socket.destroy());
  if (!(socket instanceof net.Socket)) {
    socket.destroy();
    return;
  }
  let result;
  try {
    result = acceptHandshake(
      {
        method: req.method,
        headers: req.headers,
        tls: "encrypted" in socket && socket.encrypted === true,
      },
      opts,
    );
    // nats-wire-notes §2.1: bytes after the request headers are refused, as nats-server does.
    if (head.length > 0)
      throw new HandshakeError(400, "client sent data before handshake is complete");
  } catch (err) {
    if (!(err instanceof HandshakeError)) throw err;
    socket.end(handshakeErrorResponse(err.status));
    socket.destroySoon();
    return;
  }
  socket.setTimeout(0);
  socket.setNoDelay(true);
  socket.write(result.response);
  broker.accept(
    new WebSocketTransport(socket, {
      compression: result.compression,
      maxMessageSize: maxWebSocketMessageSize(broker.options.maxPayload),
    }),
  );
}
