/**
 * NATS JWTs for tests (operator, account, user), encoded the way nsc and @nats-io/jwt do:
 * a `{"typ":"JWT","alg":"ed25519-nkey"}` header, the claims, and an Ed25519 signature by
 * the issuer's nkey over `header.claims` (version 2), or over the claims alone with the
 * older `"alg":"ed25519"` (version 1).
 */
import { createHash } from "node:crypto";
import { createAccount, createOperator, createUser, type KeyPair } from "nkeys.js";

export { createAccount, createOperator, createUser, type KeyPair };

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString("base64url");

export interface JwtOptions {
  /** Unix seconds. */
  exp?: number;
  nbf?: number;
  iat?: number;
  /** Version 1 layout and signature (the `type` at the top, `"alg":"ed25519"`). */
  v1?: boolean;
}

function encode(
  kind: "operator" | "account" | "user",
  name: string,
  subject: string,
  nats: Record<string, unknown>,
  signer: KeyPair,
  opts: JwtOptions = {},
): string {
  const claims: Record<string, unknown> = {
    jti: "",
    iat: opts.iat ?? Math.floor(Date.now() / 1000),
    iss: signer.getPublicKey(),
    name,
    sub: subject,
  };
  if (opts.exp !== undefined) claims.exp = opts.exp;
  if (opts.nbf !== undefined) claims.nbf = opts.nbf;
  if (opts.v1) {
    claims.type = kind;
    claims.nats = nats;
  } else {
    claims.nats = { ...nats, type: kind, version: 2 };
  }
  claims.jti = createHash("sha256").update(JSON.stringify(claims)).digest("base64url");
  const header = b64url(JSON.stringify({ typ: "JWT", alg: opts.v1 ? "ed25519" : "ed25519-nkey" }));
  const body = b64url(JSON.stringify(claims));
  const signed = opts.v1 ? body : `${header}.${body}`;
  return `${header}.${body}.${b64url(signer.sign(Buffer.from(signed)))}`;
}

export function operatorJwt(
  op: KeyPair,
  nats: Record<string, unknown> = {},
  opts: JwtOptions & { signer?: KeyPair } = {},
): string {
  return encode("operator", "O", op.getPublicKey(), nats, opts.signer ?? op, opts);
}

/** Unlimited connections and subscriptions unless `nats.limits` says otherwise. */
export function accountJwt(
  acc: KeyPair,
  signer: KeyPair,
  nats: Record<string, unknown> = {},
  opts: JwtOptions = {},
): string {
  const limits = { conn: -1, subs: -1, payload: -1, data: -1, ...(nats.limits ?? {}) };
  return encode("account", "A", acc.getPublicKey(), { ...nats, limits }, signer, opts);
}

/**
 * Signed by the account, or by one of its signing keys (`signer`, which sets
 * `issuer_account`). Limits are unlimited unless `nats` sets them, as @nats-io/jwt does.
 */
export function userJwt(
  user: KeyPair,
  account: KeyPair,
  nats: Record<string, unknown> = {},
  opts: JwtOptions & { signer?: KeyPair; raw?: boolean } = {},
): string {
  const body: Record<string, unknown> = opts.raw
    ? { ...nats }
    : { subs: -1, data: -1, payload: -1, ...nats };
  if (opts.signer) body.issuer_account = account.getPublicKey();
  return encode("user", "U", user.getPublicKey(), body, opts.signer ?? account, opts);
}

/** A `.creds` file's text, as nsc writes it. */
export function credsFile(jwt: string, user: KeyPair): string {
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${new TextDecoder().decode(user.getSeed())}
------END USER NKEY SEED------
`;
}
