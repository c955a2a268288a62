/**
 * Why a connection ended. nats-server's ClosedState, reduced to what we produce; the
 * WebSocket transport maps each to a close code (nats-wire-notes §2.2).
 */
export enum CloseReason {
  ClientClosed = "Client Closed",
  AuthenticationTimeout = "Authentication Timeout",
  AuthenticationViolation = "Authentication Failure",
  AuthenticationExpired = "Authentication Expired",
  SlowConsumerPendingBytes = "Slow Consumer (Pending Bytes)",
  SlowConsumerWriteDeadline = "Slow Consumer (Write Deadline)",
  MaxConnectionsExceeded = "Maximum Connections Exceeded",
  MaxAccountConnectionsExceeded = "Maximum Account Connections Exceeded",
  MaxSubscriptionsExceeded = "Maximum Subscriptions Exceeded",
  MaxControlLineExceeded = "Maximum Control Line Exceeded",
  MaxPayloadExceeded = "Maximum Message Payload Exceeded",
  ParseError = "Parse Error",
  ProtocolViolation = "Protocol Violation",
  BadClientProtocolVersion = "Bad Client Protocol Version",
  ReadError = "Read Error",
  WriteError = "Write Error",
  StaleConnection = "Stale Connection",
  ServerShutdown = "Server Shutdown",
  /** Routes (cluster/route.ts): a second connection to a server already routed to. */
  DuplicateRoute = "Duplicate Route",
  ClusterNameConflict = "Cluster Name Conflict",
  /** A client on the route port, or a route on the client port. */
  WrongPort = "Incorrect Port",
  Other = "Internal Error",
}

/**
 * Whether a connection closed for this reason is dropped at once, its queued output with
 * it (a peer that stopped reading, a failed or already closed socket), rather than
 * flushed first.
 */
export function dropsOutput(reason: CloseReason): boolean {
  switch (reason) {
    case CloseReason.SlowConsumerPendingBytes:
    case CloseReason.SlowConsumerWriteDeadline:
    case CloseReason.ReadError:
    case CloseReason.WriteError:
    case CloseReason.ClientClosed:
      return true;
    default:
      return false;
  }
}

/** RFC 6455 close codes per reason, as nats-server's wsEnqueueCloseMessage chooses them. */
export function webSocketCloseCode(reason: CloseReason): number {
  switch (reason) {
    case CloseReason.ClientClosed:
      return 1000;
    case CloseReason.AuthenticationTimeout:
    case CloseReason.AuthenticationViolation:
    case CloseReason.AuthenticationExpired:
    case CloseReason.MaxAccountConnectionsExceeded:
    case CloseReason.MaxSubscriptionsExceeded:
    case CloseReason.SlowConsumerPendingBytes:
    case CloseReason.SlowConsumerWriteDeadline:
    case CloseReason.MaxConnectionsExceeded:
    case CloseReason.MaxControlLineExceeded:
      return 1008;
    case CloseReason.ParseError:
    case CloseReason.ProtocolViolation:
    case CloseReason.BadClientProtocolVersion:
      return 1002;
    case CloseReason.MaxPayloadExceeded:
      return 1009;
    case CloseReason.ReadError:
    case CloseReason.WriteError:
    case CloseReason.StaleConnection:
    case CloseReason.ServerShutdown:
      return 1001;
    default:
      return 1011;
  }
}
