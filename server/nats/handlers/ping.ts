import type { Client } from "../client";
import { infoLine } from "../protocol/info";

/** PING → PONG, before CONNECT too (nats-wire-notes §1.10). Layers above may hold the PONG back. */
export function handlePing(client: Client): void {
  client.lastRemotePing = Date.now();
  // The first PING after CONNECT of a client that reads async INFO (client.go processPing).
  const first = client.connected && client.opts.protocol >= 1 && !client.asyncInfo;
  if (first) client.asyncInfo = true;
  client.broker.hooks.ping(client, () => {
    client.sendPong();
    // A JWT's limit made this connection's max payload differ from the INFO it got.
    const maxPayload = client.maxPayload;
    if (first && maxPayload !== client.broker.options.maxPayload) {
      const info = { ...client.broker.serverInfo(), maxPayload };
      client.sendProto(
        infoLine(info, { clientId: client.id, clientIp: client.transport.remoteAddress }),
      );
    }
  });
}
