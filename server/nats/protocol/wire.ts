/** Small helpers that write protocol text straight into an output buffer. */

/** Writes a latin1 string (subjects, sids: one byte per char) at `pos`; returns the new pos. */
export function putString(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n > 48) return pos + buf.write(s, pos, n, "latin1");
  for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + n;
}

/** A DataView over exactly the bytes of `buf`, indexed like it. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * Up to this many bytes copyShort is the fastest way to copy; above it, TypedArray set()
 * (fixed cost ~20 ns, plus ~50 ns when a subarray must be made for it).
 */
export const SHORT_COPY = 64;

/**
 * Copies src[start, end) to dst at `pos` four bytes at a time, through DataViews over both
 * buffers; returns the new pos. Line heads and small payloads are a few dozen bytes, for
 * which this is ~2.5× faster than a byte loop and ~5× faster than subarray + set()
 * (measured on node 20).
 */
export function copyShort(
  dst: DataView,
  pos: number,
  src: DataView,
  start: number,
  end: number,
): number {
  let i = start;
  for (; i + 4 <= end; i += 4, pos += 4) dst.setUint32(pos, src.getUint32(i, true), true);
  for (; i < end; i++) dst.setUint8(pos++, src.getUint8(i));
  return pos;
}

/** Bytes copied into output buffers again and again (cached line heads). */
export class Snippet {
  private readonly view: DataView;

  constructor(readonly bytes: Buffer) {
    this.view = viewOf(bytes);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Copies the bytes into `dst` (`dstView` over it) at `pos`; returns the new pos. */
  copyTo(dst: Buffer, dstView: DataView, pos: number): number {
    const n = this.bytes.length;
    if (n <= SHORT_COPY) return copyShort(dstView, pos, this.view, 0, n);
    dst.set(this.bytes, pos);
    return pos + n;
  }
}

/** Writes a non-negative integer in decimal at `pos`; returns the new pos. */
export function putUint(buf: Buffer, pos: number, v: number): number {
  // Most sizes are one or two digits: written directly, without the loop.
  if (v < 10) {
    buf[pos] = 48 + v;
    return pos + 1;
  }
  if (v < 100) {
    const tens = (v / 10) | 0;
    buf[pos] = 48 + tens;
    buf[pos + 1] = 48 + v - tens * 10;
    return pos + 2;
  }
  const end = pos + uintLength(v);
  let p = end;
  do {
    buf[--p] = 48 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  return end;
}

/** Decimal length of a non-negative integer. */
export function uintLength(v: number): number {
  if (v < 10) return 1;
  if (v < 100) return 2;
  if (v < 1000) return 3;
  if (v < 10000) return 4;
  let digits = 5;
  for (let t = Math.floor(v / 100000); t > 0; t = Math.floor(t / 10)) digits++;
  return digits;
}
