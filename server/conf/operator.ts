/**
 * Operator (JWT) mode in the config file, as nats-server 2.9.10 reads it (opts.go
 * `operator`, `resolver`, `resolver_preload`, `system_account`, `trusted`; jwt.go
 * readOperatorJWT and validateTrustedOperators): which operators to trust and which
 * accounts the MEMORY resolver holds. options.ts collects the values; this file turns
 * them into the NATS layer's OperatorAuth, or into errors.
 */
import { NATS_DEFAULTS } from "../nats/options";
import { decodeJwtOf, parseDecoratedJwt, type OperatorClaims } from "../nats/auth/jwt";
import { parseServerVersion } from "../nats/auth/jwt-validation";
import { isPublicKey } from "../nats/auth/nkeys";
import type { OperatorAuth } from "../nats/auth/operator";
import type { ConfPosition } from "./parse";

/** What the file said, with where, before the checks across options. */
export interface OperatorOptions {
  operators: { claims: OperatorClaims; pos: ConfPosition }[];
  operatorsAt: ConfPosition | null;
  trustedKeys: string[] | null;
  trustedAt: ConfPosition | null;
  /** `resolver: MEMORY`. */
  memoryResolver: boolean;
  resolverAt: ConfPosition | null;
  preload: Record<string, string> | null;
  preloadAt: ConfPosition | null;
  systemAccount: string | null;
  systemAccountAt: ConfPosition | null;
  pinnedAccounts: string[] | null;
  pinnedAt: ConfPosition | null;
}

export function emptyOperatorOptions(): OperatorOptions {
  return {
    operators: [],
    operatorsAt: null,
    trustedKeys: null,
    trustedAt: null,
    memoryResolver: false,
    resolverAt: null,
    preload: null,
    preloadAt: null,
    systemAccount: null,
    systemAccountAt: null,
    pinnedAccounts: null,
    pinnedAt: null,
  };
}

/** jwt.go jwtPrefix: what an inline JWT starts with. */
const JWT_PREFIX = "eyJ";

/**
 * An `operator` value: a file holding the JWT (decorated or not), or the JWT itself
 * (jwt.go readOperatorJWT). Throws with nats-server's reason.
 */
export function readOperatorJwt(
  value: string,
  readFile: ((file: string) => string) | undefined,
): OperatorClaims {
  let contents: string;
  try {
    if (readFile === undefined) throw new Error(`open ${value}: no such file or directory`);
    contents = readFile(value);
  } catch (e) {
    if (!value.startsWith(JWT_PREFIX)) throw e;
    contents = value;
  }
  const r = decodeJwtOf(parseDecoratedJwt(contents), "operator");
  if (!r.ok) throw new Error(r.error);
  return r.claims;
}

/** `resolver`: MEM or MEMORY (opts.go: matched anywhere in the text, any case). */
export function isMemoryResolver(text: string): boolean {
  return /(MEM|MEMORY)\s*/i.test(text);
}

export interface OperatorCheck {
  auth: OperatorAuth | null;
  errors: { pos: ConfPosition; message: string }[];
  warnings: { pos: ConfPosition; message: string }[];
}

/**
 * The checks across options (jwt.go validateTrustedOperators, server.go
 * configureResolver), plus this broker's own limit of one account. `hasUsers`: the
 * authorization block lists users or nkeys; `hasAccounts`: an `accounts` block is there.
 */
export function checkOperatorMode(
  o: OperatorOptions,
  hasUsers: ConfPosition | null,
  hasAccounts: ConfPosition | null,
): OperatorCheck {
  const errors: OperatorCheck["errors"] = [];
  const warnings: OperatorCheck["warnings"] = [];
  const fail = (pos: ConfPosition, message: string): OperatorCheck => {
    errors.push({ pos, message });
    return { auth: null, errors, warnings };
  };
  const at = o.operatorsAt ?? o.trustedAt;
  if (at === null) {
    // Accounts are only resolved for operators; nats-server ignores these without one.
    for (const [pos, name] of [
      [o.resolverAt, "resolver"],
      [o.preloadAt, "resolver_preload"],
      [o.pinnedAt, "resolver_pinned_accounts"],
      // Without an operator it names a config account; we have one account.
      [o.systemAccountAt, "system_account"],
    ] as const) {
      if (pos !== null) warnings.push({ pos, message: `"${name}" is ignored without an operator` });
    }
    return { auth: null, errors, warnings };
  }
  if (o.operatorsAt !== null) {
    if (!o.memoryResolver) {
      // A resolver other than MEMORY was refused where it was read.
      if (o.resolverAt !== null) return { auth: null, errors, warnings };
      return fail(o.operatorsAt, "operators require an account resolver to be configured");
    }
    if (hasAccounts !== null) {
      return fail(hasAccounts, "operators do not allow Accounts to be configured directly");
    }
    if (hasUsers !== null) {
      return fail(hasUsers, "operators do not allow users to be configured directly");
    }
    if (o.trustedAt !== null) {
      return fail(o.trustedAt, "conflicting options for 'TrustedKeys' and 'TrustedOperators'");
    }
  }
  let systemAccount = o.systemAccount;
  const operators = o.operators.map((op) => op.claims);
  if (systemAccount !== null) {
    const named = operators.filter((op) => op.systemAccount !== "");
    if (named.length > 0 && !named.some((op) => op.systemAccount === systemAccount)) {
      return fail(
        o.systemAccountAt ?? at,
        "system_account in config and operator JWT must be identical",
      );
    }
  } else if (operators.length === 1 && operators[0]!.systemAccount !== "") {
    systemAccount = operators[0]!.systemAccount;
  }
  const server = parseServerVersion(NATS_DEFAULTS.version)!;
  for (const op of o.operators) {
    const want = parseServerVersion(op.claims.assertServerVersion);
    if (want === null) {
      return fail(
        op.pos,
        `operator ${op.claims.subject} expects version ${op.claims.assertServerVersion} got error instead`,
      );
    }
    for (let i = 0; i < 3; i++) {
      if (want[i]! > server[i]!) {
        const part = ["major", "minor", "update"][i]!;
        return fail(
          op.pos,
          `operator ${op.claims.subject} expected ${part} version ${want[i]} > server ${part} version ${server[i]}`,
        );
      }
      if (want[i]! < server[i]!) break;
    }
  }
  const trustedKeys = [...(o.trustedKeys ?? [])];
  for (const op of operators) {
    if (!op.strictSigningKeyUsage) trustedKeys.push(op.subject);
    trustedKeys.push(...op.signingKeys);
  }
  for (const key of trustedKeys) {
    if (!isPublicKey(key, "operator")) {
      return fail(at, `trusted Keys "${key}" are required to be a valid public operator nkey`);
    }
  }
  let pinned = o.pinnedAccounts;
  if (pinned !== null) {
    for (const key of pinned) {
      if (!isPublicKey(key, "account")) {
        return fail(
          o.pinnedAt ?? at,
          `pinned account key "${key}" is not a valid public account nkey`,
        );
      }
    }
    // The system account can always connect.
    if (systemAccount !== null && !pinned.includes(systemAccount))
      pinned = [...pinned, systemAccount];
  }

  const accounts = o.preload ?? {};
  const preloadAt = o.preloadAt ?? at;
  if (systemAccount !== null && o.operatorsAt !== null) {
    // server.go SetSystemAccount: the account must resolve, or the server does not start.
    const sys = accounts[systemAccount];
    const r = sys === undefined ? null : decodeJwtOf(sys, "account");
    if (r === null || !r.ok || !trustedKeys.includes(r.claims.issuer)) {
      return fail(
        o.systemAccountAt ?? preloadAt,
        "error resolving system account: account missing",
      );
    }
  }
  const served = Object.keys(accounts).filter((k) => k !== systemAccount);
  if (served.length > 1) {
    return fail(
      preloadAt,
      `resolver_preload holds ${served.length} accounts besides the system account; this broker has one subject namespace and serves one account`,
    );
  }
  for (const key of served) {
    const r = decodeJwtOf(accounts[key]!, "account");
    if (!r.ok) continue; // reported where the preload was read
    if (r.claims.mappings > 0) {
      return fail(
        preloadAt,
        `account ${key} has subject mappings, which this broker does not support`,
      );
    }
    if (r.claims.imports > 0 || r.claims.exports.length > 0) {
      warnings.push({
        pos: preloadAt,
        message: `account ${key}: imports and exports are ignored (one account, nothing to share with)`,
      });
    }
  }
  if (systemAccount === null && o.operatorsAt !== null) {
    warnings.push({
      pos: o.operatorsAt,
      message: "Trusted Operators should utilize a System Account",
    });
  }
  return {
    auth: {
      trustedKeys,
      strictKeys: operators.filter((op) => op.strictSigningKeyUsage).map((op) => op.subject),
      accounts,
      systemAccount,
      pinnedAccounts: pinned,
    },
    errors,
    warnings,
  };
}
