import type { Client } from "../client";

/** A PONG answers our keepalive PING (client.go processPong). */
export function handlePong(client: Client): void {
  client.onPong();
}
