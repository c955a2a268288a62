/**
 * Checks that a string is a public user nkey (`U…`), as nats-server does for
 * `authorization.users[].nkey`: base32 of a prefix byte, the 32-byte Ed25519 key and a
 * CRC-16 (XMODEM, little-endian) of the first 33 bytes.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** nkeys PrefixByteUser: 20 << 3, which is why user keys start with `U`. */
const PREFIX_USER = 20 << 3;

function base32Decode(s: string): Uint8Array | null {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function isValidPublicUserKey(key: string): boolean {
  if (key.length !== 56) return false;
  const raw = base32Decode(key);
  if (!raw || raw.length !== 35 || raw[0] !== PREFIX_USER) return false;
  const body = raw.subarray(0, 33);
  const stored = (raw[33] as number) | ((raw[34] as number) << 8);
  return crc16(body) === stored;
}
