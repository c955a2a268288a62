/** Small helpers that write protocol text straight into an output buffer. */

/** Writes a latin1 string (subjects, sids: one byte per char) at `pos`; returns the new pos. */
export function putString(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n > 48) return pos + buf.write(s, pos, n, "latin1");
  for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + n;
}

/**
 * Below this many bytes a copy loop beats TypedArray set(), whose fixed cost is about that
 * of copying 16–32 bytes by hand (measured on node 20).
 */
export const SHORT_COPY = 24;

/** Copies `src` into `buf` at `pos`; returns the new pos. */
export function putBytes(buf: Buffer, pos: number, src: Buffer): number {
  const n = src.length;
  if (n > SHORT_COPY) buf.set(src, pos);
  else for (let i = 0; i < n; i++) buf[pos + i] = src[i]!;
  return pos + n;
}

/** Copies `src[start, end)` into `buf` at `pos`; returns the new pos. */
export function putRange(
  buf: Buffer,
  pos: number,
  src: Buffer,
  start: number,
  end: number,
): number {
  const n = end - start;
  if (n > SHORT_COPY) src.copy(buf, pos, start, end);
  else for (let i = 0; i < n; i++) buf[pos + i] = src[start + i]!;
  return pos + n;
}

/** Writes a non-negative integer in decimal at `pos`; returns the new pos. */
export function putUint(buf: Buffer, pos: number, v: number): number {
  if (v < 10) {
    buf[pos] = 48 + v;
    return pos + 1;
  }
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = pos + digits - 1;
  for (let t = v; ; t = Math.floor(t / 10)) {
    buf[p--] = 48 + (t % 10);
    if (t < 10) break;
  }
  return pos + digits;
}

/** Decimal length of a non-negative integer. */
export function uintLength(v: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  return digits;
}
