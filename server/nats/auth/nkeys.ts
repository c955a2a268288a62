/**
 * NKEY user authentication (nats-wire-notes §1.11): a user's public key is base32 with a
 * prefix byte and a CRC16; the client signs the INFO nonce with the Ed25519 seed.
 */
import { createPublicKey, randomBytes, verify } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** Prefix byte of user public keys ('U'). */
const PREFIX_USER = 20 << 3;

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

/** The raw 32-byte Ed25519 key of a user nkey (`U…`), or null when it is not one. */
export function decodeUserNkey(nkey: string): Buffer | null {
  const raw = base32Decode(nkey);
  if (raw === null || raw.length !== 35) return null;
  const body = raw.subarray(0, 33);
  if (raw.readUInt16LE(33) !== crc16(body)) return null;
  if (body[0] !== PREFIX_USER) return null;
  return Buffer.from(body.subarray(1));
}

/** Checks a CONNECT `sig` (base64url, or std base64 as nats-server also accepts) over the nonce. */
export function verifyNonceSignature(nkey: string, nonce: string, sig: string): boolean {
  const key = decodeUserNkey(nkey);
  if (key === null || sig === "") return false;
  const signature = Buffer.from(sig.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (signature.length !== 64) return false;
  try {
    const publicKey = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: key.toString("base64url") },
      format: "jwk",
    });
    return verify(null, Buffer.from(nonce), publicKey, signature);
  } catch {
    return false;
  }
}

/** 11 random bytes, base64url without padding: 15 characters, like nats-server's nonces. */
export function newNonce(): string {
  return randomBytes(11).toString("base64url");
}
