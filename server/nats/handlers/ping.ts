import type { Client } from "../client";

/** PING → PONG, before CONNECT too (nats-wire-notes §1.10). Layers above may hold the PONG back. */
export function handlePing(client: Client): void {
  client.lastRemotePing = Date.now();
  client.broker.hooks.ping(client, () => client.sendPong());
}
