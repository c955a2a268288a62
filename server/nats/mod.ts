/** The NATS layer's public surface; everything else in server/nats/ is internal. */
export { Broker, type BrokerConfig, type BrokerStats } from "./broker";
export type { Client } from "./client";
export { CloseReason } from "./close-reason";
export { copyMessageData, messageSize, type Message } from "./message";
export type { BrokerHooks } from "./hooks";
export { SILENT_LOGGER, type Logger, type LogFields } from "./logger";
export { NATS_DEFAULTS, type BrokerOptions } from "./options";
export type { Subscription } from "./subscription";
export type { MatchResult } from "./subjects/sublist";
export { listenTcp, type Listener } from "./transports/tcp";
export type { Transport, TransportHandlers } from "./transport";
export { handleUpgrade, listenWebSocket } from "./transports/websocket/mod";
