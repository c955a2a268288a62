/** PUB and HPUB (nats-wire-notes §1.4, §1.6, §1.8). */
import type { Client } from "../client";
import { ERR } from "../protocol/errors";
import type { PubOp } from "../protocol/ops";
import { isValidLiteralSubject } from "../subjects/validate";

export function handlePub(client: Client, op: PubOp): void {
  // Pedantic clients are told about wildcards or empty tokens, but the message still goes.
  if (client.opts.pedantic && !isValidLiteralSubject(op.subject)) {
    client.sendErr(ERR.invalidPublishSubject);
  }
  client.lastActivity = client.readAt;
  client.inMsgs++;
  client.inBytes += op.size;
  const perms = client.permissions;
  if (perms !== null && !perms.canPublish(op.subject) && !client.useResponse(op.subject)) {
    // Dropped, and the connection stays open (nats-wire-notes §1.7).
    client.sendErr(ERR.publishViolation(op.subject));
    return;
  }
  // +OK goes out before the message reaches the publisher's own subscriptions.
  client.sendOK();
  client.broker.publish(client, op);
}
