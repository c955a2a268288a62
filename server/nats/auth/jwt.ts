/**
 * NATS JWTs (decentralised auth: operator → account → user), decoded and checked as
 * nats-server 2.9.10 does with nats-io/jwt v2: a `JWT` header with an `ed25519[-nkey]`
 * algorithm, the claims, and the issuer's Ed25519 signature — over `header.claims` for
 * version 2, over the claims alone for version 1, whose layout is migrated here. Fields
 * are read like Go's encoding/json: absent fields are zero, wrong types fail the decode.
 */
import { publicKeyKind, verifySignature, type NkeyKind } from "./nkeys";

/** jwt.NoLimit. */
export const NO_LIMIT = -1;

export interface ClaimsData {
  version: 1 | 2;
  /** Unix seconds; 0 = absent. */
  issuedAt: number;
  expires: number;
  notBefore: number;
  issuer: string;
  subject: string;
  name: string;
  /** `aud`. */
  audience: string;
  tags: string[];
}

export interface OperatorClaims extends ClaimsData {
  kind: "operator";
  signingKeys: string[];
  systemAccount: string;
  strictSigningKeyUsage: boolean;
  assertServerVersion: string;
}

/** null = absent (or null) in the JWT, which Go tells apart from an empty list. */
export interface JwtSubjectPermission {
  allow: string[] | null;
  deny: string[] | null;
}

export interface JwtPermissions {
  pub: JwtSubjectPermission;
  sub: JwtSubjectPermission;
  /** `resp`: max replies and their time to live in nanoseconds, or null. */
  resp: { max: number; ttlNs: number } | null;
}

export interface TimeRange {
  start: string;
  end: string;
}

/** What a user JWT (or a scoped signing key's template) says about its holder. */
export interface UserPermissionLimits {
  permissions: JwtPermissions;
  subs: number;
  data: number;
  payload: number;
  src: string[];
  times: TimeRange[];
  locale: string;
  bearerToken: boolean;
  allowedConnectionTypes: string[];
}

export interface UserScope {
  key: string;
  role: string;
  template: UserPermissionLimits;
}

export interface AccountClaims extends ClaimsData {
  kind: "account";
  limits: {
    subs: number;
    data: number;
    payload: number;
    conn: number;
    leaf: number;
    imports: number;
    exports: number;
    wildcards: boolean;
    disallowBearer: boolean;
  };
  /** Signing keys; a scoped one carries the user template it imposes. */
  signingKeys: Map<string, UserScope | null>;
  /** User key (or `*`) → unix seconds: JWTs issued at or before are revoked. */
  revocations: Map<string, number>;
  defaultPermissions: JwtPermissions;
  imports: number;
  exports: { subject: string }[];
  mappings: number;
}

export interface UserClaims extends ClaimsData, UserPermissionLimits {
  kind: "user";
  issuerAccount: string;
}

export type Claims = OperatorClaims | AccountClaims | UserClaims;
export type DecodeResult<C> = { ok: true; claims: C } | { ok: false; error: string };

class JwtError extends Error {}

type Json = Record<string, unknown>;

function obj(v: unknown, what: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new JwtError(`${what}: not an object`);
  return v as Json;
}

function str(o: Json, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new JwtError(`${key}: not a string`);
  return v;
}

function int(o: Json, key: string, absent = 0): number {
  const v = o[key];
  if (v === undefined || v === null) return absent;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new JwtError(`${key}: not an integer`);
  return v;
}

function bool(o: Json, key: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw new JwtError(`${key}: not a boolean`);
  return v;
}

/** jwt.StringList / TagList: an array of strings (null = empty). */
function strings(o: Json, key: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    throw new JwtError(`${key}: not a list of strings`);
  }
  return v as string[];
}

function permission(v: unknown, what: string): JwtSubjectPermission {
  const o = obj(v, what);
  const list = (key: string) => (o[key] === undefined || o[key] === null ? null : strings(o, key));
  return { allow: list("allow"), deny: list("deny") };
}

function permissions(o: Json): JwtPermissions {
  const resp = o.resp;
  let r: JwtPermissions["resp"] = null;
  if (resp !== undefined && resp !== null) {
    const ro = obj(resp, "resp");
    r = { max: int(ro, "max"), ttlNs: int(ro, "ttl") };
  }
  return { pub: permission(o.pub, "pub"), sub: permission(o.sub, "sub"), resp: r };
}

function userPermissionLimits(o: Json, limitsAbsent: number): UserPermissionLimits {
  const times = o.times;
  if (times !== undefined && times !== null && !Array.isArray(times)) {
    throw new JwtError("times: not a list");
  }
  return {
    permissions: permissions(o),
    subs: int(o, "subs", limitsAbsent),
    data: int(o, "data", limitsAbsent),
    payload: int(o, "payload", limitsAbsent),
    src: cidrList(o.src),
    times: ((times ?? []) as unknown[]).map((t) => {
      const to = obj(t, "times");
      return { start: str(to, "start"), end: str(to, "end") };
    }),
    locale: str(o, "times_location"),
    bearerToken: bool(o, "bearer_token"),
    allowedConnectionTypes: strings(o, "allowed_connection_types"),
  };
}

/** jwt.CIDRList: a list, or (as older encoders wrote it) one comma-separated string. */
function cidrList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") {
    return v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    throw new JwtError("src: not a list of strings");
  }
  return (v as string[]).map((s) => s.trim());
}

function signingKeys(v: unknown): Map<string, UserScope | null> {
  const keys = new Map<string, UserScope | null>();
  if (v === undefined || v === null) return keys;
  if (!Array.isArray(v)) throw new JwtError("signing_keys: not a list");
  for (const item of v) {
    if (typeof item === "string") keys.set(item, null);
    else if (typeof item === "object" && item !== null && !Array.isArray(item)) {
      const o = item as Json;
      if (o.kind !== "user_scope")
        throw new JwtError(`unknown signing key scope "${String(o.kind)}"`);
      // jwt.NewUserScope: the template's limits are unlimited unless given.
      const template = userPermissionLimits(obj(o.template, "template"), NO_LIMIT);
      keys.set(str(o, "key"), { key: str(o, "key"), role: str(o, "role"), template });
    } else throw new JwtError("signing_keys: bad entry");
  }
  return keys;
}

function revocations(v: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, t] of Object.entries(obj(v, "revocations"))) {
    if (typeof t !== "number" || !Number.isInteger(t)) throw new JwtError("revocations: bad time");
    out.set(k, t);
  }
  return out;
}

function decodePart(part: string): Buffer | null {
  // base64.RawURLEncoding: the URL alphabet, no padding.
  return /^[A-Za-z0-9_-]*$/.test(part) ? Buffer.from(part, "base64url") : null;
}

/** Which kind of key may issue each kind of claim (the JWTs' ExpectedPrefixes). */
const ISSUERS: Readonly<Record<Claims["kind"], readonly NkeyKind[]>> = {
  operator: ["operator"],
  account: ["account", "operator"],
  user: ["account"],
};

/** Decodes and verifies a JWT of any of the three kinds (jwt.Decode). */
export function decodeJwt(token: string): DecodeResult<Claims> {
  try {
    return { ok: true, claims: decode(token) };
  } catch (e) {
    if (e instanceof JwtError || e instanceof SyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}

function decode(token: string): Claims {
  const chunks = token.split(".");
  if (chunks.length !== 3) throw new JwtError("expected 3 chunks");
  const [h, c, s] = chunks as [string, string, string];
  const headerBytes = decodePart(h);
  if (headerBytes === null) throw new JwtError("bad header encoding");
  const header = obj(JSON.parse(headerBytes.toString("utf8")), "header");
  const typ = str(header, "typ");
  const alg = str(header, "alg").toLowerCase();
  if (typ.toUpperCase() !== "JWT") throw new JwtError(`not supported type "${typ}"`);
  if (alg !== "ed25519" && alg !== "ed25519-nkey") {
    throw new JwtError(`unexpected "${str(header, "alg")}" algorithm`);
  }
  const claimBytes = decodePart(c);
  if (claimBytes === null) throw new JwtError("bad claims encoding");
  const raw = obj(JSON.parse(claimBytes.toString("utf8")), "claims");
  const nats = obj(raw.nats, "nats");
  // A `type` at the top level is the version 1 layout.
  const v1Type = str(raw, "type");
  const version = v1Type !== "" ? 1 : int(nats, "version");
  if (version > 2) throw new JwtError("JWT was generated by a newer version ");
  const kind = v1Type !== "" ? v1Type : str(nats, "type");
  const data: ClaimsData = {
    version: version <= 1 ? 1 : 2,
    issuedAt: int(raw, "iat"),
    expires: int(raw, "exp"),
    notBefore: int(raw, "nbf"),
    issuer: str(raw, "iss"),
    subject: str(raw, "sub"),
    name: str(raw, "name"),
    audience: str(raw, "aud"),
    tags: v1Type !== "" ? strings(raw, "tags") : strings(nats, "tags"),
  };
  let claims: Claims;
  if (kind === "operator") {
    claims = {
      ...data,
      kind,
      signingKeys: strings(nats, "signing_keys"),
      systemAccount: str(nats, "system_account"),
      strictSigningKeyUsage: bool(nats, "strict_signing_key_usage"),
      assertServerVersion: str(nats, "assert_server_version"),
    };
  } else if (kind === "account") {
    const l = obj(nats.limits, "limits");
    const exports = nats.exports;
    if (exports !== undefined && exports !== null && !Array.isArray(exports)) {
      throw new JwtError("exports: not a list");
    }
    const imports = nats.imports;
    if (imports !== undefined && imports !== null && !Array.isArray(imports)) {
      throw new JwtError("imports: not a list");
    }
    claims = {
      ...data,
      kind,
      limits: {
        subs: int(l, "subs"),
        data: int(l, "data"),
        payload: int(l, "payload"),
        conn: int(l, "conn"),
        leaf: int(l, "leaf"),
        imports: int(l, "imports"),
        exports: int(l, "exports"),
        wildcards: bool(l, "wildcards"),
        disallowBearer: bool(l, "disallow_bearer"),
      },
      signingKeys: signingKeys(nats.signing_keys),
      revocations: revocations(nats.revocations),
      defaultPermissions: permissions(obj(nats.default_permissions, "default_permissions")),
      imports: ((imports ?? []) as unknown[]).length,
      exports: ((exports ?? []) as unknown[]).map((e) => ({
        subject: str(obj(e, "export"), "subject"),
      })),
      mappings: Object.keys(obj(nats.mappings, "mappings")).length,
    };
  } else if (kind === "user") {
    claims = {
      ...data,
      kind,
      // Version 1 limits default to unlimited; version 2's are Go zero values.
      ...userPermissionLimits(nats, version <= 1 ? NO_LIMIT : 0),
      issuerAccount: v1Type !== "" ? str(raw, "issuer_account") : str(nats, "issuer_account"),
    };
  } else {
    throw new JwtError(`unsupported claim type "${kind}"`);
  }

  const sig = decodePart(s);
  if (sig === null) throw new JwtError("bad signature encoding");
  const issuerKind = publicKeyKind(claims.issuer);
  const signed = Buffer.from(claims.version === 1 ? c : `${h}.${c}`);
  if (issuerKind === null || !verifySignature(claims.issuer, issuerKind, signed, sig)) {
    throw new JwtError(`claim failed V${claims.version} signature verification`);
  }
  if (!ISSUERS[claims.kind].includes(issuerKind)) {
    throw new JwtError(`unable to validate expected prefixes - ${ISSUERS[claims.kind].join(",")}`);
  }
  return claims;
}

/** Decodes a JWT that must be of this kind (jwt.DecodeUserClaims and its siblings). */
export function decodeJwtOf<K extends Claims["kind"]>(
  token: string,
  kind: K,
): DecodeResult<Extract<Claims, { kind: K }>> {
  const r = decodeJwt(token);
  if (!r.ok) return r;
  if (r.claims.kind !== kind) return { ok: false, error: `not ${kind} claim` };
  return { ok: true, claims: r.claims as Extract<Claims, { kind: K }> };
}

/** jwt.userConfigRE: a block between `---…---` lines. */
const DECORATED = /\s*(?:(?:-{3,}.*-{3,}\r?\n)([\w\-.=]+)(?:\r?\n-{3,}.*-{3,}(\r?\n|$)))/;

/**
 * The first decorated block of a `.jwt` or `.creds` file's text (`-----BEGIN … JWT-----`
 * lines around it), or the text unchanged when there is none (jwt.ParseDecoratedJWT).
 */
export function parseDecoratedJwt(text: string): string {
  return DECORATED.exec(text)?.[1] ?? text;
}
