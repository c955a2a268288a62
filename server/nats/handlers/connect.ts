/** CONNECT, validated in nats-server's order (nats-wire-notes §1.2, client.go processConnect). */
import { CloseReason } from "../close-reason";
import type { Client } from "../client";
import { applyConnect } from "../protocol/connect";
import { ERR } from "../protocol/errors";
import type { ConnectOp } from "../protocol/ops";

/** After CONNECT the first keepalive comes sooner (client.go firstClientPingInterval). */
const FIRST_PING_MAX = 2000;

export function handleConnect(client: Client, op: ConnectOp): void {
  const opts = applyConnect(client.opts, op.json);
  if (opts === null) {
    // Invalid JSON: closed without an -ERR.
    return client.close(CloseReason.ProtocolViolation);
  }
  client.noteConnect(opts);
  const identity = client.broker.authenticator.check(opts, client.nonce, client.connectContext);
  // An account in CONNECT is an authorization violation too (no accounts here).
  if (identity === null || opts.account !== "" || opts.newAccount) {
    client.broker.log.warn("authorization violation", { cid: client.id, user: opts.user });
    client.sendErr(ERR.authViolation);
    return client.close(CloseReason.AuthenticationViolation);
  }
  // Operator mode: the JWT's account, as part of authorizing (auth.go RegisterNkeyUser).
  if (identity.grant !== undefined && !client.joinAccount(identity.grant)) return;
  if (opts.protocol < 0 || opts.protocol > 1) {
    client.sendErr(ERR.badProtocol);
    return client.close(CloseReason.BadClientProtocolVersion);
  }
  if (opts.noResponders && !opts.headers) {
    client.sendErr(ERR.noRespondersNeedsHeaders);
    return client.close(CloseReason.ProtocolViolation);
  }
  client.lastActivity = Date.now();
  client.setConnectOptions(opts, identity);
  if (opts.verbose) client.sendOK();
  const interval = client.broker.options.pingInterval;
  const first = Math.min(interval, FIRST_PING_MAX);
  client.armPingTimer(first + Math.floor(Math.random() * (first / 5)));
}
