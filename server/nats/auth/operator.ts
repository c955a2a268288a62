/**
 * Operator (decentralised, JWT) authentication, as nats-server 2.9.10 does it
 * (auth.go processClientOrLeafAuthentication, accounts.go, jwt.go): an operator trusts
 * account JWTs it (or one of its signing keys) signed; an account trusts user JWTs it (or
 * one of its signing keys) signed; a client presents its user JWT in CONNECT and, unless
 * the JWT is a bearer token, signs the INFO nonce with the user's key. Accounts come from
 * the MEMORY resolver, preloaded by the config file.
 *
 * This broker has one subject namespace, so it serves one account: the config may preload
 * that account and the system account, whose users it refuses (conf/options.ts checks).
 */
import type { ConnectOptions } from "../protocol/connect";
import { isValidSubject } from "../subjects/validate";
import {
  decodeJwtOf,
  NO_LIMIT,
  type AccountClaims,
  type JwtPermissions,
  type UserClaims,
  type UserPermissionLimits,
  type UserScope,
} from "./jwt";
import { blockingIssues, parseCidr, parseClock } from "./jwt-validation";
import { decodeSignature, verifySignature } from "./nkeys";
import { CONNECTION_TYPES, type UserPermissions } from "./types";

export interface OperatorAuth {
  /** Keys whose account JWTs are trusted: the operators (unless strict) and their signing keys. */
  trustedKeys: string[];
  /** Operators with `strict_signing_key_usage`: their accounts' own keys cannot sign users. */
  strictKeys: string[];
  /** `resolver_preload`: account public key → account JWT. */
  accounts: Readonly<Record<string, string>>;
  /** The system account's public key, whose users are refused here; null = none. */
  systemAccount: string | null;
  /** `resolver_pinned_accounts`: only users of these accounts; null = any. */
  pinnedAccounts: string[] | null;
}

/** The connection a CONNECT came on, as the JWT's restrictions look at it. */
export interface JwtConnection {
  nonce: string | undefined;
  type: "STANDARD" | "WEBSOCKET";
  ip: string;
}

/** A JWT user's entry into an account, from a successful CONNECT. */
export interface JwtGrant {
  userKey: string;
  account: JwtAccount;
  /** What /connz shows with auth=1: the key that signed the user, its name and tags. */
  issuerKey: string;
  nameTag: string;
  tags: string[];
  permissions: UserPermissions | null;
  /** Per-connection limits from the user (or its scope) and the account; -1 = none. */
  maxPayload: number;
  maxSubs: number;
  /** How long the authorization lasts (JWT expiry, connect times); null = no end. */
  expiresInMs: number | null;
}

/** Something an account can expire: a connection registered with it. */
export interface AccountMember {
  accountExpired(): void;
}

/** An account in use, with its connections (accounts.go Account). */
export class JwtAccount {
  readonly members = new Set<AccountMember>();
  expired = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly key: string,
    readonly claims: AccountClaims,
    /** Keys that may sign its users: signing keys (scoped or not) and its own key. */
    readonly signers: ReadonlyMap<string, UserScope | null>,
    nowMs: number,
  ) {
    const exp = claims.expires;
    if (exp > 0) {
      const nowSec = Math.floor(nowMs / 1000);
      if (exp <= nowSec) this.expired = true;
      else {
        // Whole seconds, as accounts.go checkExpiration computes it.
        this.timer = setTimeout(() => this.expire(), (exp - nowSec) * 1000);
        this.timer.unref();
      }
    }
  }

  private expire(): void {
    this.expired = true;
    this.timer = null;
    for (const m of [...this.members]) m.accountExpired();
  }

  /** accounts.go MaxTotalConnectionsReached: one more would go over `conn`. */
  connectionsFull(): boolean {
    const max = this.claims.limits.conn;
    return max !== NO_LIMIT && this.members.size >= max;
  }

  /** accounts.go isRevoked: revoked when a revocation for it (or `*`) is at or after `iat`. */
  revoked(userKey: string, issuedAt: number): boolean {
    const r = this.claims.revocations;
    if (r.size === 0) return false;
    const t = r.get(userKey);
    if (t !== undefined && t >= issuedAt) return true;
    const all = r.get("*");
    return all !== undefined && all >= issuedAt;
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** client.go minLimit: the lower of two limits where -1 means none. */
export function minLimit(value: number, limit: number): number {
  if (value !== NO_LIMIT) return limit !== NO_LIMIT && limit < value ? limit : value;
  return limit !== NO_LIMIT ? limit : value;
}

const KNOWN_CONNECTION_TYPES: ReadonlySet<string> = new Set(CONNECTION_TYPES);

export class OperatorTrust {
  private readonly accounts = new Map<string, JwtAccount>();

  constructor(
    readonly config: OperatorAuth,
    private readonly debug: (msg: string) => void = () => {},
  ) {}

  /**
   * The CONNECT's grant, or null for an authorization violation (the reason goes to the
   * debug log, as nats-server's does).
   */
  authenticate(opts: ConnectOptions, conn: JwtConnection, nowMs = Date.now()): JwtGrant | null {
    const fail = (why: string): null => {
      this.debug(why);
      return null;
    };
    if (opts.jwt === "") return fail("Authentication requires a user JWT");
    const decoded = decodeJwtOf(opts.jwt, "user");
    if (!decoded.ok) return fail(`User JWT not valid: ${decoded.error}`);
    let juc: UserClaims = decoded.claims;
    const nowSec = Math.floor(nowMs / 1000);
    const issues = blockingIssues(juc, nowSec);
    if (issues.length > 0) return fail(`User JWT no longer valid: ${issues.join("; ")}`);

    const types = juc.allowedConnectionTypes.map((t) => t.toUpperCase());
    const known = types.filter((t) => KNOWN_CONNECTION_TYPES.has(t));
    // Unknown types are dropped; if none is left, the user was meant for those only.
    if (types.length > 0 && known.length === 0) return fail("invalid connection types");
    if (known.length > 0 && !known.includes(conn.type)) return fail("Connection type not allowed");

    const issuer = juc.issuerAccount !== "" ? juc.issuerAccount : juc.issuer;
    const pinned = this.config.pinnedAccounts;
    if (pinned !== null && !pinned.includes(issuer)) {
      return fail(`Account ${issuer} not listed as operator pinned account`);
    }
    const acc = this.lookup(issuer, nowMs);
    if (acc === null) return fail("Account JWT lookup error");
    if (issuer === this.config.systemAccount) {
      // One subject namespace: system account users would share it with the others.
      return fail("System account users are not supported by this broker");
    }
    if (!this.config.trustedKeys.includes(acc.claims.issuer)) {
      return fail("Account JWT not signed by trusted operator");
    }
    if (!acc.signers.has(juc.issuer)) return fail("User JWT issuer is not known");
    const scope = acc.signers.get(juc.issuer) ?? null;
    if (scope !== null) {
      if (!emptyPermissionLimits(juc)) {
        return fail("User JWT is not valid: scoped users require no permissions or limits set");
      }
      const template = applyTemplates(scope.template, juc, acc.claims);
      if (template === null) return fail("User JWT generated invalid permissions");
      // The scope's template takes the place of the user's own (empty) permissions.
      juc = { ...juc, ...template, allowedConnectionTypes: juc.allowedConnectionTypes };
    }
    if (acc.expired) return fail("Account JWT has expired");
    if (juc.bearerToken && acc.claims.limits.disallowBearer) {
      return fail("Account does not allow bearer token");
    }
    if (!juc.bearerToken) {
      if (opts.sig === "") return fail("Signature missing");
      const sig = decodeSignature(opts.sig);
      if (sig === null) return fail("Signature not valid base64");
      const nonce = Buffer.from(conn.nonce ?? "");
      if (!verifySignature(juc.subject, "user", nonce, sig)) return fail("Signature not verified");
    }
    if (acc.revoked(juc.subject, juc.issuedAt)) return fail("User authentication revoked");
    if (!srcAllowed(juc.src, conn.ip)) return fail(`Bad src Ip ${conn.ip}`);
    const times = connectTimes(juc, nowMs);
    if (!times.allowed) return fail("Outside connect times");

    let expiresInMs: number | null = times.validForMs || null;
    if (juc.expires > 0) {
      // Whole seconds (client.go setExpiration).
      const untilExpiry = juc.expires > nowSec ? (juc.expires - nowSec) * 1000 : 0;
      if (expiresInMs === null || untilExpiry <= expiresInMs) expiresInMs = untilExpiry;
    }
    const a = acc.claims.limits;
    return {
      userKey: juc.subject,
      account: acc,
      // events.go issuerForClient: the signing key, else the account.
      issuerKey: juc.issuerAccount !== "" ? juc.issuer : acc.key,
      nameTag: juc.name,
      tags: juc.tags,
      permissions:
        fromJwtPermissions(juc.permissions) ?? fromJwtPermissions(acc.claims.defaultPermissions),
      maxPayload: minLimit(juc.payload, a.payload),
      maxSubs: minLimit(juc.subs, a.subs),
      expiresInMs,
    };
  }

  /** The account, built on first use from its preloaded JWT (server.go fetchAccount). */
  private lookup(key: string, nowMs: number): JwtAccount | null {
    const known = this.accounts.get(key);
    if (known !== undefined) return known;
    const token = this.config.accounts[key];
    if (token === undefined) return null;
    const decoded = decodeJwtOf(token, "account");
    if (!decoded.ok) return null;
    const claims = decoded.claims;
    if (claims.subject !== key || !this.config.trustedKeys.includes(claims.issuer)) return null;
    if (blockingIssues(claims, Math.floor(nowMs / 1000)).length > 0) return null;
    const signers = new Map(claims.signingKeys);
    if (!this.config.strictKeys.includes(claims.issuer)) signers.set(key, null);
    const acc = new JwtAccount(key, claims, signers, nowMs);
    this.accounts.set(key, acc);
    return acc;
  }

  /** Stops the accounts' expiry timers. */
  dispose(): void {
    for (const acc of this.accounts.values()) acc.dispose();
  }
}

/** jwt UserClaims.HasEmptyPermissions: a scoped user may not set any of its own. */
function emptyPermissionLimits(u: UserPermissionLimits): boolean {
  const p = u.permissions;
  const none = (l: string[] | null) => l === null || l.length === 0;
  return (
    none(p.pub.allow) &&
    none(p.pub.deny) &&
    none(p.sub.allow) &&
    none(p.sub.deny) &&
    p.resp === null &&
    u.subs === 0 &&
    u.data === 0 &&
    u.payload === 0 &&
    u.src.length === 0 &&
    u.times.length === 0 &&
    u.locale === "" &&
    !u.bearerToken &&
    u.allowedConnectionTypes.length === 0
  );
}

/**
 * auth.go buildPermissionsFromJwt and client.go setPermissions: null when the JWT
 * restricts nothing. A publish allow list that is there but empty allows nothing, as in
 * nats-server; empty subscribe and deny lists are no lists.
 */
export function fromJwtPermissions(p: JwtPermissions): UserPermissions | null {
  const some = (l: string[] | null): l is string[] => l !== null && l.length > 0;
  const pub = some(p.pub.allow) || some(p.pub.deny);
  const sub = some(p.sub.allow) || some(p.sub.deny);
  if (!pub && !sub && p.resp === null) return null;
  const out: UserPermissions = {
    publish: pub ? { allow: p.pub.allow, deny: some(p.pub.deny) ? p.pub.deny : null } : null,
    subscribe: sub
      ? {
          allow: some(p.sub.allow) ? p.sub.allow : null,
          deny: some(p.sub.deny) ? p.sub.deny : null,
        }
      : null,
    response: null,
  };
  if (p.resp !== null) {
    // auth.go validateResponsePermissions: responses turn off the blanket publish allow,
    // and zero means the defaults (1 reply, 2 minutes).
    out.publish ??= { allow: null, deny: null };
    out.publish.allow ??= [];
    out.response = {
      maxMsgs: p.resp.max === 0 ? 1 : p.resp.max,
      expiresMs: p.resp.ttlNs === 0 ? 2 * 60_000 : p.resp.ttlNs / 1e6,
    };
  }
  return out;
}

/** jwt.go validateSrc: no list allows any address; otherwise one CIDR must contain it. */
function srcAllowed(src: string[], ip: string): boolean {
  if (src.length === 0) return true;
  if (ip === "") return false;
  for (const text of src) {
    const cidr = parseCidr(text);
    if (cidr === null) return false;
    if (cidrContains(cidr.address, cidr.prefix, ip)) return true;
  }
  return false;
}

function ipBytes(ip: string): number[] | null {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (v4) return v4.slice(1).map(Number);
  if (!ip.includes(":")) return null;
  // An IPv4-mapped IPv6 address is the IPv4 address (Go's net.IP.To4).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return ipBytes(mapped[1]!);
  const [head = "", tail = ""] = ip.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = groups(tail);
  const all = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  if (all.length !== 8) return null;
  return all.flatMap((g: string) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function cidrContains(network: string, prefix: number, ip: string): boolean {
  const net = ipBytes(network);
  const addr = ipBytes(ip);
  if (net === null || addr === null || net.length !== addr.length) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((net[byte]! & mask) !== (addr[byte]! & mask)) return false;
  }
  return true;
}

/** The wall clock in a time zone (or the server's own), in seconds since midnight. */
function secondsOfDay(nowMs: number, zone: string): number {
  if (zone === "" || zone === "Local") {
    const d = new Date(nowMs);
    return d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds() + d.getMilliseconds() / 1000;
  }
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(nowMs);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 3600 + get("minute") * 60 + get("second") + (nowMs % 1000) / 1000;
}

/**
 * jwt.go validateTimes: inside one of the ranges now, and for how long. A range whose start
 * is after its end runs to the next day — from its start only, as nats-server computes it.
 */
function connectTimes(u: UserClaims, nowMs: number): { allowed: boolean; validForMs: number } {
  if (u.times.length === 0) return { allowed: true, validForMs: 0 };
  const now = secondsOfDay(nowMs, u.locale);
  for (const range of u.times) {
    const start = parseClock(range.start);
    let end = parseClock(range.end);
    if (start === null || end === null) return { allowed: false, validForMs: 0 };
    if (start > end) end += 86_400;
    if (start < now && end > now) return { allowed: true, validForMs: (end - now) * 1000 };
  }
  return { allowed: false, validForMs: 0 };
}

/**
 * A scoped signing key's template with its `{{…}}` tokens filled in from the user and the
 * account (auth.go processUserPermissionsTemplate); null when a deny list comes out invalid.
 */
function applyTemplates(
  template: UserPermissionLimits,
  user: UserClaims,
  account: AccountClaims,
): UserPermissionLimits | null {
  const p = template.permissions;
  const subAllow = expand(p.sub.allow, false, user, account);
  const subDeny = expand(p.sub.deny, true, user, account);
  const pubAllow = expand(p.pub.allow, false, user, account);
  const pubDeny = expand(p.pub.deny, true, user, account);
  if (subDeny === false || pubDeny === false || subAllow === false || pubAllow === false) {
    return null;
  }
  // An allow list that came out empty must not turn into "allow everything".
  const emptied = (before: string[] | null, after: string[] | null) =>
    (before?.length ?? 0) > 0 && (after?.length ?? 0) === 0;
  const denyAll = (deny: string[] | null) => (deny?.includes(">") ? deny : [...(deny ?? []), ">"]);
  return {
    ...template,
    permissions: {
      pub: { allow: pubAllow, deny: emptied(p.pub.allow, pubAllow) ? denyAll(pubDeny) : pubDeny },
      sub: { allow: subAllow, deny: emptied(p.sub.allow, subAllow) ? denyAll(subDeny) : subDeny },
      resp: p.resp,
    },
  };
}

function isTemplate(token: string): boolean {
  return token.startsWith("{{") && token.endsWith("}}");
}

/** The list with its templates filled in; false when `failOnBad` and a subject is invalid. */
function expand(
  list: string[] | null,
  failOnBad: boolean,
  user: UserClaims,
  account: AccountClaims,
): string[] | null | false {
  if (list === null || !list.some((s) => s.split(".").some(isTemplate))) return list;
  const out: string[] = [];
  for (const entry of list) {
    const tokens = entry.split(".");
    // null marks a token filled from a tag's values.
    const filled: (string | null)[] = [];
    const tagValues: string[][] = [];
    for (const tk of tokens) {
      if (!isTemplate(tk)) {
        filled.push(tk);
        continue;
      }
      const op = tk.slice(2, -2).toLowerCase();
      if (op === "name()") filled.push(user.name);
      else if (op === "subject()") filled.push(user.subject);
      else if (op === "account-name()") filled.push(account.name);
      else if (op === "account-subject()") filled.push(user.issuerAccount);
      else if ((op.startsWith("tag(") || op.startsWith("account-tag(")) && op.endsWith(")")) {
        const accountTag = op.startsWith("account-tag(");
        const name = op.slice(accountTag ? 12 : 4, -1).toLowerCase();
        const tags = accountTag ? account.tags : user.tags;
        const values = tags
          .filter((t) => t.startsWith(`${name}:`))
          .map((t) => t.slice(name.length + 1));
        // No value leaves an empty token, which makes the subject invalid.
        if (values.length > 0) {
          tagValues.push(values);
          filled.push(null);
        } else filled.push("");
      } else {
        // An unknown function spoils the subject on purpose.
        filled.push(" ");
      }
    }
    for (const combo of cartesian(tagValues)) {
      let i = 0;
      const subject = filled.map((t) => (t === null ? combo[i++]! : t)).join(".");
      if (isValidSubject(subject)) out.push(subject);
      else if (failOnBad) return false;
    }
  }
  return out;
}

function cartesian(lists: string[][]): string[][] {
  let out: string[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return out;
}
