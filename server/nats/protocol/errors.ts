/**
 * The exact -ERR texts of nats-server 2.9.10 (nats-wire-notes §1.9). Clients match on
 * them (nats.go closes on any text it does not know), so never invent new ones.
 */
export const ERR = {
  unknownOp: "Unknown Protocol Operation",
  authViolation: "Authorization Violation",
  authTimeout: "Authentication Timeout",
  maxControlLine: "maximum control line exceeded",
  maxPayload: "Maximum Payload Violation",
  badProtocol: "invalid client protocol",
  noRespondersNeedsHeaders: "no responders requires headers support",
  maxConnections: "maximum connections exceeded",
  staleConnection: "Stale Connection",
  invalidSubject: "Invalid Subject",
  invalidPublishSubject: "Invalid Publish Subject",
  maxSubscriptions: "maximum subscriptions exceeded",
  maxAccountConnections: "maximum account active connections exceeded",
  userExpired: "User Authentication Expired",
  accountExpired: "Account Authentication Expired",
  publishViolation: (subject: string) => `Permissions Violation for Publish to "${subject}"`,
  subscribeViolation: (subject: string, queue: string | null) =>
    `Permissions Violation for Subscription to "${subject}"` +
    (queue === null ? "" : ` using queue "${queue}"`),
} as const;

/** `-ERR '<text>'\r\n` (client.go errProto). */
export function errLine(text: string): Buffer {
  return Buffer.from(`-ERR '${text}'\r\n`, "latin1");
}

export const OK_LINE = Buffer.from("+OK\r\n");
export const PING_LINE = Buffer.from("PING\r\n");
export const PONG_LINE = Buffer.from("PONG\r\n");
