/**
 * Who a CONNECT is (nats-wire-notes §1.11, auth.go): an nkey signature over the nonce,
 * a user and password (plain or bcrypt), a token, or nothing with `no_auth_user` — or, in
 * operator mode, a user JWT (operator.ts).
 */
import bcrypt from "bcryptjs";
import { createHash, timingSafeEqual } from "node:crypto";
import type { ConnectOptions } from "../protocol/connect";
import { verifyNonceSignature } from "./nkeys";
import { OperatorTrust, type JwtConnection, type JwtGrant } from "./operator";
import { Permissions } from "./permissions";
import { authRequired, type AuthConfig, type ConnectionType, type UserPermissions } from "./types";

export interface Identity {
  /** User name or public nkey; never a secret. */
  name: string;
  permissions: Permissions | null;
  /** Operator mode: the account and limits the user's JWT gives it. */
  grant?: JwtGrant;
}

/** The connection a CONNECT arrived on. */
export interface ConnectContext {
  type: "STANDARD" | "WEBSOCKET";
  ip: string;
}

const PLAIN_CONNECTION: ConnectContext = { type: "STANDARD", ip: "" };

/** auth.go connectionTypeAllowed: none listed = any. */
function typeAllowed(types: ConnectionType[] | null | undefined, type: ConnectionType): boolean {
  return types === null || types === undefined || types.length === 0 || types.includes(type);
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** bcrypt is slow by design; remember outcomes so only a client's first CONNECT pays. */
const bcryptCache = new Map<string, boolean>();

export function passwordMatches(given: string, configured: string | null): boolean {
  if (configured === null) return given === "";
  if (!/^\$2[abxy]?\$/.test(configured)) return sameSecret(given, configured);
  const key = createHash("sha256").update(`${configured}\0${given}`).digest("hex");
  let ok = bcryptCache.get(key);
  if (ok === undefined) {
    ok = bcrypt.compareSync(given, configured);
    if (bcryptCache.size > 10_000) bcryptCache.clear();
    bcryptCache.set(key, ok);
  }
  return ok;
}

function compile(p: UserPermissions | null): Permissions | null {
  return p === null ? null : new Permissions(p);
}

export class Authenticator {
  readonly required: boolean;
  /** What INFO says: with a no_auth_user, clients need no credentials (checked on 2.9.10). */
  readonly advertised: boolean;
  /** nkey users need a nonce in INFO (nonceRequired). */
  readonly needsNonce: boolean;
  private readonly users = new Map<
    string,
    { password: string | null; perms: Permissions | null; types?: ConnectionType[] | null }
  >();
  private readonly nkeys = new Map<
    string,
    { perms: Permissions | null; types?: ConnectionType[] | null }
  >();
  /** Operator mode; null otherwise. */
  readonly trust: OperatorTrust | null;

  constructor(
    private readonly config: AuthConfig | null,
    debug?: (msg: string) => void,
    /** The previous authenticator's, when the operator settings did not change (a reload). */
    trust: OperatorTrust | null = null,
  ) {
    this.required = authRequired(config);
    const operator = config?.operator ?? null;
    this.trust = operator === null ? null : (trust ?? new OperatorTrust(operator, debug));
    // server.go nonceRequired: nkey users, or trusted operators.
    this.needsNonce = (config?.nkeys.length ?? 0) > 0 || this.trust !== null;
    this.advertised = this.required && (config?.noAuthUser ?? null) === null;
    for (const u of config?.users ?? []) {
      this.users.set(u.user, {
        password: u.password,
        perms: compile(u.permissions),
        types: u.allowedConnectionTypes,
      });
    }
    for (const n of config?.nkeys ?? []) {
      this.nkeys.set(n.nkey, { perms: compile(n.permissions), types: n.allowedConnectionTypes });
    }
  }

  get timeoutMs(): number {
    return this.config?.timeoutMs ?? 2000;
  }

  /** The identity of a client that sent no CONNECT credentials, if `no_auth_user` allows. */
  anonymous(type: ConnectionType = "STANDARD"): Identity | null {
    const name = this.config?.noAuthUser ?? null;
    if (name === null) return null;
    const u = this.users.get(name);
    if (u === undefined || !typeAllowed(u.types, type)) return null;
    return { name, permissions: u.perms };
  }

  /** The CONNECT's identity, or null for an authorization violation. */
  check(
    opts: ConnectOptions,
    nonce: string | undefined,
    ctx: ConnectContext = PLAIN_CONNECTION,
  ): Identity | null {
    const c = this.config;
    if (c === null || !this.required) return { name: "", permissions: null };
    if (this.trust !== null) {
      // Operator mode: a user JWT or nothing (auth.go: trustedKeys require one).
      const conn: JwtConnection = { nonce, type: ctx.type, ip: ctx.ip };
      const grant = this.trust.authenticate(opts, conn);
      if (grant === null) return null;
      return { name: grant.userKey, permissions: compile(grant.permissions), grant };
    }
    if (opts.nkey !== "" && this.nkeys.size > 0) {
      const n = this.nkeys.get(opts.nkey);
      if (n === undefined || !typeAllowed(n.types, ctx.type) || nonce === undefined) return null;
      if (!verifyNonceSignature(opts.nkey, nonce, opts.sig)) return null;
      return { name: opts.nkey, permissions: n.perms };
    }
    if (this.users.size > 0 && opts.user !== "") {
      const u = this.users.get(opts.user);
      if (u === undefined || !typeAllowed(u.types, ctx.type)) return null;
      if (!passwordMatches(opts.pass, u.password)) return null;
      return { name: opts.user, permissions: u.perms };
    }
    if (c.token !== null) {
      return opts.authToken !== "" && sameSecret(opts.authToken, c.token)
        ? { name: "", permissions: null }
        : null;
    }
    if (c.user !== null) {
      if (opts.user === c.user && passwordMatches(opts.pass, c.password)) {
        return { name: c.user, permissions: null };
      }
      return null;
    }
    // No credentials at all: the no_auth_user, if there is one.
    if (opts.user === "" && opts.authToken === "") return this.anonymous(ctx.type);
    return null;
  }

  /** Stops timers (accounts' expiry) when this authenticator is replaced or the server stops. */
  dispose(): void {
    this.trust?.dispose();
  }
}
