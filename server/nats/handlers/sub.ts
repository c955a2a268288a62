/** SUB (nats-wire-notes §1.4, §1.6; client.go processSubEx). */
import type { Client } from "../client";
import { ERR } from "../protocol/errors";
import type { SubOp } from "../protocol/ops";
import { Subscription } from "../subscription";

export function handleSub(client: Client, op: SubOp): void {
  client.lastActivity = Date.now();
  const perms = client.permissions;
  // Permissions come first, then the limit (client.go processSubEx); the connection stays.
  if (perms !== null && !perms.canSubscribe(op.subject, op.queue)) {
    client.sendErr(ERR.subscribeViolation(op.subject, op.queue));
    return;
  }
  const max = client.maxSubscriptions();
  // The limit is checked before the duplicate-sid check, as nats-server does.
  if (max !== -1 && client.subs.size >= max) {
    client.sendErr(ERR.maxSubscriptions);
    return;
  }
  // A SUB with a sid already in use is ignored; the first subscription stays.
  if (client.subs.has(op.sid)) return client.sendOK();
  const sub = new Subscription(client, op.subject, op.queue, op.sid);
  // A wildcard reaching into denied subjects gets its deliveries filtered.
  sub.denyFiltered = perms?.needsDeliveryFilter(op.subject) ?? false;
  if (!client.broker.index(sub)) return client.sendErr(ERR.invalidSubject);
  client.subs.set(op.sid, sub);
  client.sendOK();
  // After the +OK, so that whatever a layer above sends to the new subscription follows it.
  client.broker.hooks.subscribed(sub);
}
