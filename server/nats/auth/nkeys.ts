/**
 * NKEYs (nats-wire-notes §1.11): a public key is base32 of a prefix byte naming its kind
 * (operator `O…`, account `A…`, user `U…`), the 32-byte Ed25519 key and a CRC16. Clients
 * sign the INFO nonce with their seed; operators and accounts sign JWTs (jwt.ts).
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** nkeys' prefix bytes, which give public keys their first letter. */
export const NkeyPrefix = {
  operator: 14 << 3,
  account: 0,
  user: 20 << 3,
} as const;
export type NkeyKind = keyof typeof NkeyPrefix;

function base32Decode(s: string): Buffer | null {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** CRC-16/XMODEM, as nkeys checksums. */
function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The raw 32-byte Ed25519 key of a public nkey of this kind, or null when it is not one. */
export function decodePublicKey(nkey: string, kind: NkeyKind): Buffer | null {
  const raw = base32Decode(nkey);
  if (raw === null || raw.length !== 35) return null;
  const body = raw.subarray(0, 33);
  if (raw.readUInt16LE(33) !== crc16(body)) return null;
  if (body[0] !== NkeyPrefix[kind]) return null;
  return Buffer.from(body.subarray(1));
}

export function isPublicKey(nkey: string, kind: NkeyKind): boolean {
  return decodePublicKey(nkey, kind) !== null;
}

/** The kind of a public nkey, or null when it is none of operator, account, user. */
export function publicKeyKind(nkey: string): NkeyKind | null {
  for (const kind of ["operator", "account", "user"] as const) {
    if (isPublicKey(nkey, kind)) return kind;
  }
  return null;
}

/** The raw 32-byte Ed25519 key of a user nkey (`U…`), or null when it is not one. */
export function decodeUserNkey(nkey: string): Buffer | null {
  return decodePublicKey(nkey, "user");
}

/** Public keys are few and verified often (every JWT CONNECT): keep their key objects. */
const keyObjects = new Map<string, KeyObject>();

function keyObject(raw: Buffer): KeyObject {
  const x = raw.toString("base64url");
  let key = keyObjects.get(x);
  if (key === undefined) {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    if (keyObjects.size >= 4096) keyObjects.clear();
    keyObjects.set(x, key);
  }
  return key;
}

/** Whether `signature` is the Ed25519 signature of `data` by the public nkey `nkey`. */
export function verifySignature(
  nkey: string,
  kind: NkeyKind,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const raw = decodePublicKey(nkey, kind);
  if (raw === null || signature.length !== 64) return false;
  try {
    return verify(null, data, keyObject(raw), signature);
  } catch {
    return false;
  }
}

/** A CONNECT `sig`: base64url, or standard base64 as nats-server also accepts. */
export function decodeSignature(sig: string): Buffer | null {
  if (sig === "") return null;
  if (/^[A-Za-z0-9_-]*$/.test(sig)) return Buffer.from(sig, "base64url");
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(sig)) return Buffer.from(sig, "base64");
  return null;
}

/** Checks a CONNECT `sig` over the nonce by a user nkey. */
export function verifyNonceSignature(nkey: string, nonce: string, sig: string): boolean {
  const signature = decodeSignature(sig);
  return signature !== null && verifySignature(nkey, "user", Buffer.from(nonce), signature);
}

/** 11 random bytes, base64url without padding: 15 characters, like nats-server's nonces. */
export function newNonce(): string {
  return randomBytes(11).toString("base64url");
}
