/**
 * Who may use the console: the one place sign-in will plug into (a later issue). Every
 * operator page and route, every human-inbox route, and the NATS WebSocket at /nats ask
 * here first. Today everyone is let in; the decisions and their failure responses are
 * already shaped so that adding a session check changes only this file.
 *
 * Imported by Next route handlers and by the custom server (plain Node), so it must not
 * import `server-only` or anything Next-specific.
 */
import type { IncomingMessage } from "node:http";

export type Role = "operator" | "human";

/** The error body every console route uses: `{error, code}` with a typed code. */
export interface ConsoleErrorBody<Code extends string = string> {
  error: string;
  code: Code;
}

/** The codes a refusal will carry (401 `unauthenticated`, 403 `forbidden`). */
export type GuardCode = "unauthenticated" | "forbidden";

/**
 * Null when `req` may act as `role`, else the response to send. Sign-in will read the
 * session cookie here.
 */
export function guard(_req: Request, _role: Role): Response | null {
  return null;
}

export function guardOperator(req: Request): Response | null {
  return guard(req, "operator");
}

export function guardHuman(req: Request): Response | null {
  return guard(req, "human");
}

/** For server components: whether an operator page may render (no Request object there). */
export function operatorPageAllowed(_headers: Headers): boolean {
  return true;
}

/** Whether the browser may open NATS over WebSocket at /nats (the upgrade request). */
export function webSocketAllowed(_req: IncomingMessage): boolean {
  return true;
}

/**
 * What the browser passes to nats.ws `connect()`: the same-origin path, plus credentials
 * once sign-in exists (a per-session token the broker's authorization accepts). Rendered
 * into every page by the root layout (the first connect needs no extra round trip) and
 * served by /api/session for reconnects; sign-in will read the session cookie here.
 */
export interface NatsSession {
  /** Path on the console's own origin; the browser turns it into ws:// or wss://. */
  path: string;
  token: string | null;
  /** Shown in the broker's /connz as the connection name. */
  name: string;
}

export function natsSession(role: Role): NatsSession {
  return { path: "/nats", token: null, name: `mq9-console-${role}` };
}
