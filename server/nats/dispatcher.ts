/**
 * Routes each parsed op to its handler, one small module per verb (the aedes layout).
 * Parse failures end the connection with nats-server's -ERR text, or silently where
 * nats-server is silent (nats-wire-notes §1.3, §1.9).
 */
import { CloseReason } from "./close-reason";
import type { Client } from "./client";
import { handleConnect } from "./handlers/connect";
import { handlePing } from "./handlers/ping";
import { handlePong } from "./handlers/pong";
import { handlePub } from "./handlers/pub";
import { handleSub } from "./handlers/sub";
import { handleUnsub } from "./handlers/unsub";
import { ERR } from "./protocol/errors";
import type { FailOp, Op } from "./protocol/ops";

export function dispatch(client: Client, op: Op): void {
  if (!client.connected && op.kind !== "CONNECT" && !admitBeforeConnect(client)) return;
  switch (op.kind) {
    case "PUB":
      return handlePub(client, op);
    case "SUB":
      return handleSub(client, op);
    case "UNSUB":
      return handleUnsub(client, op);
    case "PING":
      return handlePing(client);
    case "PONG":
      return handlePong(client);
    case "CONNECT":
      return handleConnect(client, op);
    case "OK":
      // Client-side ops from a client are accepted and ignored (§1.3)…
      return;
    case "INFO":
      // …as is INFO, if it is JSON at all (client.go processInfo).
      if (!isJson(op.json)) client.close(CloseReason.ParseError);
      return;
    case "ERR":
      // nats-server 2.9.10 closes a client that sends -ERR (client.go processErr),
      // silently; checked against it in the differential suite.
      return client.close(CloseReason.ParseError);
    case "FAIL":
      return handleFailure(client, op);
  }
}

/**
 * With authentication on, the first op must be CONNECT (parser.go authErr), unless a
 * no_auth_user lets a client in without one.
 */
function admitBeforeConnect(client: Client): boolean {
  const auth = client.broker.authenticator;
  if (!auth.required) return true;
  const anonymous = auth.anonymous();
  if (anonymous !== null) {
    client.setConnectOptions(client.opts, anonymous);
    return true;
  }
  client.sendErr(ERR.authViolation);
  client.close(CloseReason.AuthenticationViolation);
  return false;
}

function isJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

function handleFailure(client: Client, op: FailOp): void {
  switch (op.reason) {
    case "unknown_op":
      client.sendErr(ERR.unknownOp);
      // nats-server closes a parse error as a protocol violation (WebSocket close 1002).
      return client.close(CloseReason.ProtocolViolation);
    case "max_control_line":
      client.sendErr(ERR.maxControlLine);
      return client.close(CloseReason.MaxControlLineExceeded);
    case "max_payload":
      client.sendErr(ERR.maxPayload);
      return client.close(CloseReason.MaxPayloadExceeded);
    case "bad_args":
      return client.close(CloseReason.ProtocolViolation);
  }
}
