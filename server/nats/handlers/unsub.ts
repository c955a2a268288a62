/** UNSUB with optional max (nats-wire-notes §1.4; client.go processUnsub). */
import type { Client } from "../client";
import type { UnsubOp } from "../protocol/ops";

export function handleUnsub(client: Client, op: UnsubOp): void {
  client.lastActivity = Date.now();
  const sub = client.subs.get(op.sid);
  // +OK before the removal, as client.go processUnsub orders them (seen in a trace).
  client.sendOK();
  if (sub !== undefined) {
    // A max above what was already delivered arms auto-unsubscribe; anything else
    // (none, not a number, already reached) removes the subscription now.
    if (op.max > 0 && op.max > sub.delivered) sub.max = op.max;
    else client.removeSub(sub);
  }
}
