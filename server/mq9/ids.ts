/** Mailbox ids and tokens (mq9.md §2, §3): unguessable, tokens kept only as hashes. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** 130 random bits in 26 lowercase base32 characters. */
function randomToken(): string {
  const bytes = randomBytes(26);
  let s = "";
  for (const b of bytes) s += BASE32[b & 31];
  return s;
}

export function newMailId(prefix = "m-"): string {
  return prefix + randomToken();
}

/** 192 random bits. */
export function newToken(): string {
  return "tok-" + randomBytes(24).toString("hex");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function tokenMatches(token: unknown, hash: string): boolean {
  if (typeof token !== "string" || token.length === 0) return false;
  const a = Buffer.from(hashToken(token), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
