/** nats-server-compatible monitoring over HTTP (`http_port`); the public surface. */
export { startMonitor, type Monitor, type MonitorOptions } from "./http-server";
export { ConnectionTracker } from "./tracker";
export type { VarzSettings, WebSocketVarz } from "./varz";
