/**
 * What makes a decoded JWT unusable (nats-io/jwt v2 Validate with IsBlocking(true)): an
 * expiry or not-before outside now, and errors in its contents — subjects, CIDRs, connect
 * times, time zones, keys. Warnings, which nats-server lets pass, are not reported.
 * Account imports and exports are only counted against the limits here: this broker runs
 * one account (operator.ts), so their entries are never used.
 */
import { isIP } from "node:net";
import type {
  AccountClaims,
  Claims,
  ClaimsData,
  JwtPermissions,
  JwtSubjectPermission,
  TimeRange,
  UserPermissionLimits,
} from "./jwt";
import { NO_LIMIT } from "./jwt";
import { isPublicKey } from "./nkeys";

/** Problems that block the claims, time checks first; empty = usable at `nowSec`. */
export function blockingIssues(claims: Claims, nowSec: number): string[] {
  const issues = timeIssues(claims, nowSec);
  if (claims.kind === "user") {
    userLimitsIssues(claims, issues);
    if (claims.issuerAccount !== "" && !isPublicKey(claims.issuerAccount, "account")) {
      issues.push("account_id is not an account public key");
    }
  } else if (claims.kind === "account") {
    accountIssues(claims, issues);
  } else {
    for (const k of claims.signingKeys) {
      if (!isPublicKey(k, "operator")) issues.push(`${k} is not an operator public key`);
    }
    if (claims.systemAccount !== "" && !isPublicKey(claims.systemAccount, "account")) {
      issues.push(`${claims.systemAccount} is not an account public key`);
    }
    if (parseServerVersion(claims.assertServerVersion) === null) {
      issues.push(`assert server version error: ${claims.assertServerVersion}`);
    }
  }
  return issues;
}

/** ClaimsData.Validate. */
export function timeIssues(c: ClaimsData, nowSec: number): string[] {
  const issues: string[] = [];
  if (c.expires > 0 && nowSec > c.expires) issues.push("claim is expired");
  if (c.notBefore > 0 && c.notBefore > nowSec) issues.push("claim is not yet valid");
  return issues;
}

/** User (or scope template) permissions and limits: UserPermissionLimits' checks. */
export function userLimitsIssues(u: UserPermissionLimits, issues: string[]): void {
  permissionsIssues(u.permissions, issues);
  for (const cidr of u.src) {
    if (parseCidr(cidr) === null) issues.push(`invalid cidr "${cidr}" in user src limits`);
  }
  for (const t of u.times) timeRangeIssues(t, issues);
  if (u.locale !== "" && !isTimeZone(u.locale)) {
    issues.push(`could not parse iana time zone by name: unknown time zone ${u.locale}`);
  }
}

function permissionsIssues(p: JwtPermissions, issues: string[]): void {
  subjectListIssues(p.sub, true, issues);
  subjectListIssues(p.pub, false, issues);
}

function subjectIssues(subject: string, issues: string[]): void {
  if (subject === "") issues.push("subject cannot be empty");
  if (subject.includes(" ")) issues.push(`subject "${subject}" cannot have spaces`);
}

function subjectListIssues(p: JwtSubjectPermission, queues: boolean, issues: string[]): void {
  for (const subj of [...(p.allow ?? []), ...(p.deny ?? [])]) {
    const tk = subj.split(" ");
    if (tk.length > 2) {
      issues.push(`Permission Subject "${subj}" contains too many spaces`);
      continue;
    }
    for (const t of tk) subjectIssues(t, issues);
    if (tk.length === 2 && !queues) {
      issues.push(`Permission Subject "${subj}" is not allowed to contain queue`);
    }
  }
}

function timeRangeIssues(t: TimeRange, issues: string[]): void {
  if (t.start === "") issues.push("time ranges start must contain a start");
  else if (parseClock(t.start) === null) issues.push(`start in time range is invalid "${t.start}"`);
  if (t.end === "") issues.push("time ranges end must contain an end");
  else if (parseClock(t.end) === null) issues.push(`end in time range is invalid "${t.end}"`);
}

function accountIssues(a: AccountClaims, issues: string[]): void {
  permissionsIssues(a.defaultPermissions, issues);
  const l = a.limits;
  const limitsEmpty =
    l.subs === 0 &&
    l.data === 0 &&
    l.payload === 0 &&
    l.conn === 0 &&
    l.leaf === 0 &&
    l.imports === 0 &&
    l.exports === 0 &&
    !l.wildcards &&
    !l.disallowBearer;
  const tooManyImports = "the account contains more imports than allowed by the operator";
  if (!limitsEmpty && l.imports >= 0 && a.imports > l.imports) issues.push(tooManyImports);
  if (l.imports !== NO_LIMIT && a.imports > l.imports) issues.push(tooManyImports);
  if (l.exports !== NO_LIMIT) {
    if (a.exports.length > l.exports) {
      issues.push("the account contains more exports than allowed by the operator");
    }
    if (!l.wildcards && a.exports.some((e) => hasWildcards(e.subject))) {
      issues.push("the account contains wildcard exports that are not allowed by the operator");
    }
  }
  for (const [key, scope] of a.signingKeys) {
    if (scope === null) {
      if (!isPublicKey(key, "account")) issues.push(`"${key}" is not a valid account signing key`);
    } else if (!isPublicKey(scope.key, "account")) {
      issues.push(`${scope.key} is not an account public key`);
    }
  }
}

/** jwt.Subject.HasWildCards. */
function hasWildcards(v: string): boolean {
  return (
    v.endsWith(".>") ||
    v.includes(".*.") ||
    v.endsWith(".*") ||
    v.startsWith("*.") ||
    v === "*" ||
    v === ">"
  );
}

/** `major.minor.update` as jwt.ParseServerVersion reads it; "" is 0.0.0. */
export function parseServerVersion(v: string): [number, number, number] | null {
  if (v === "") return [0, 0, 0];
  const parts = v.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number) as [number, number, number];
}

/** Go's time.Parse("15:04:05"): seconds since midnight, or null. */
export function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,]\d+)?$/.exec(text);
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s > 59) return null;
  return h * 3600 + min * 60 + s;
}

/** An IANA zone name Go's time.LoadLocation knows ("UTC" and "Local" included). */
export function isTimeZone(name: string): boolean {
  if (name === "Local" || name === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export interface Cidr {
  family: "ipv4" | "ipv6";
  address: string;
  prefix: number;
}

/** net.ParseCIDR: `address/prefix`, IPv4 or IPv6. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf("/");
  if (slash < 0) return null;
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  const v = isIP(address);
  if (v === 0 || !/^\d{1,3}$/.test(bits)) return null;
  const prefix = Number(bits);
  if (prefix > (v === 4 ? 32 : 128)) return null;
  return { family: v === 4 ? "ipv4" : "ipv6", address, prefix };
}
