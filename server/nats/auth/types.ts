/**
 * Authentication and authorization settings of the NATS layer (nats-wire-notes §1.11):
 * what a config file's `authorization {…}` block becomes. Durations are milliseconds.
 */
import type { OperatorAuth } from "./operator";

/** Subjects a user may use. `allow: null` = anything not denied; `allow: []` = nothing. */
export interface SubjectPermission {
  allow: string[] | null;
  deny: string[] | null;
}

/** `allow_responses`: may publish to the reply subjects of requests it received. */
export interface ResponsePermission {
  /** Replies allowed per request; negative = unlimited (nats-server default 1). */
  maxMsgs: number;
  /** How long a reply subject stays usable; negative = forever. */
  expiresMs: number;
}

export interface UserPermissions {
  publish: SubjectPermission | null;
  subscribe: SubjectPermission | null;
  response: ResponsePermission | null;
}

/** `allowed_connection_types` names (auth.go connectionTypeAllowed). */
export const CONNECTION_TYPES = [
  "STANDARD",
  "WEBSOCKET",
  "LEAFNODE",
  "LEAFNODE_WS",
  "MQTT",
  "MQTT_WS",
] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export interface PasswordUser {
  user: string;
  /** Plain text or a bcrypt hash (`$2a$…`); null = none. */
  password: string | null;
  permissions: UserPermissions | null;
  /** null or absent = any kind of connection. */
  allowedConnectionTypes?: ConnectionType[] | null;
}

export interface NkeyUser {
  /** Public user key, `U…`. */
  nkey: string;
  permissions: UserPermissions | null;
  allowedConnectionTypes?: ConnectionType[] | null;
}

export interface AuthConfig {
  /** Single user (exclusive with `token` and with `users`). */
  user: string | null;
  password: string | null;
  token: string | null;
  /** How long a client has to send CONNECT. */
  timeoutMs: number;
  users: PasswordUser[];
  nkeys: NkeyUser[];
  /** A client that sends no credentials is this user (must be one of `users`). */
  noAuthUser: string | null;
  /** Operator (JWT) mode: users are the accounts' JWT users, and nothing else above applies. */
  operator?: OperatorAuth | null;
}

export function authRequired(auth: AuthConfig | null): boolean {
  if (auth === null) return false;
  return (
    (auth.operator ?? null) !== null ||
    auth.user !== null ||
    auth.token !== null ||
    auth.users.length > 0 ||
    auth.nkeys.length > 0
  );
}
