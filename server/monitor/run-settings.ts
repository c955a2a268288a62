/**
 * The /varz settings that come from the run configuration rather than the broker: the
 * authorization and TLS timeouts (in seconds, as nats-server's float fields) and the
 * WebSocket listener.
 */
import type { RunConfig } from "../conf/merge";
import type { VarzSettings, WebSocketVarz } from "./varz";
import { goNanos } from "./go-format";

/** nats-server's AUTH_TIMEOUT and TLS_TIMEOUT, which /varz shows even when unused. */
const DEFAULT_TIMEOUT_MS = 2000;

/** `wsPort`: the WebSocket listener's bound port, when it was opened on any free port. */
export function varzSettings(config: RunConfig, wsPort?: number): VarzSettings {
  const tlsMs = config.tls?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // opts.go getDefaultAuthTimeout: a second more than the TLS timeout when TLS is on.
  const authMs =
    config.authorization?.timeoutMs ?? (config.tls ? tlsMs + 1000 : DEFAULT_TIMEOUT_MS);
  const ws = config.websocket;
  let websocket: WebSocketVarz = {};
  if (ws !== null) {
    websocket = {
      host: ws.host,
      port: wsPort ?? ws.port,
      ...(ws.handshakeTimeoutMs !== null && {
        handshake_timeout: goNanos(ws.handshakeTimeoutMs),
      }),
      ...(ws.noTls && { no_tls: true }),
      ...(ws.sameOrigin && { same_origin: true }),
      ...(ws.allowedOrigins.length > 0 && { allowed_origins: [...ws.allowedOrigins] }),
      ...(ws.compression && { compression: true }),
    };
  }
  return { authTimeout: authMs / 1000, tlsTimeout: tlsMs / 1000, websocket };
}
