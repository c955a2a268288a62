import type { Client } from "../client";

/** PING → PONG, before CONNECT too (nats-wire-notes §1.10). Layers above may hold the PONG back. */
export function handlePing(client: Client): void {
  client.lastRemotePing = Date.now();
  // The first PING after CONNECT of a client that reads async INFO (client.go processPing).
  const first = client.connected && client.opts.protocol >= 1 && !client.asyncInfo;
  if (first) client.asyncInfo = true;
  client.broker.hooks.ping(client, () => {
    client.sendPong();
    if (!first) return;
    // A JWT's limit made this connection's max payload differ from the INFO it got, or
    // the cluster's URLs changed since it connected (client.go processPing).
    const broker = client.broker;
    const maxPayload = client.maxPayload;
    if (maxPayload !== broker.options.maxPayload) {
      client.sendProto(client.infoLine({ ...broker.serverInfo(), maxPayload }));
    } else if (broker.connectUrlsChangedAt >= client.startedAt) {
      client.sendProto(client.infoLine(broker.serverInfo()));
    }
  });
}
