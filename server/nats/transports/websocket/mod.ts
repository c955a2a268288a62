/** NATS over WebSocket (nats-wire-notes §2). */
export { listenWebSocket, handleUpgrade } from "./listener";
export type { WebSocketListenOptions, WebSocketUpgradeOptions } from "./listener";
export { WebSocketTransport } from "./transport";
export type { WebSocketTransportOptions } from "./transport";
export { acceptHandshake, acceptKey, HandshakeError } from "./handshake";
export type { HandshakeOptions, HandshakeRequest, HandshakeResult } from "./handshake";
export { maxWebSocketMessageSize, WebSocketProtocolError } from "./frames";
