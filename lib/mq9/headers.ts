/**
 * NATS headers on the client side: a header block to publish (`NATS/1.0` then `Key: Value`
 * lines, as HPUB carries them) and received headers as a plain record.
 */
import type { OutgoingHeaders, ReceivedHeaders } from "./connection";

export type HeaderRecord = Record<string, string[]>;

/** Headers to send: `{key: value or [values]}` or `[key, value]` pairs. */
export type HeadersInit = Record<string, string | string[]> | [string, string][];

/** What a header key may be: visible ASCII without `:` (an HPUB header line is `Key: Value`). */
const KEY = /^[!-9;-~]+$/;

/**
 * Headers to publish. The NATS JS clients only call `encode()` on the headers they are
 * given, so this class works with any of them without importing one.
 */
export class HeaderBlock implements OutgoingHeaders, Iterable<[string, string[]]> {
  private readonly entries = new Map<string, string[]>();

  append(key: string, value: string): void {
    if (!KEY.test(key)) throw new TypeError(`invalid header name ${JSON.stringify(key)}`);
    if (/[\r\n]/.test(value)) throw new TypeError(`header ${key} has a line break in its value`);
    const list = this.entries.get(key);
    if (list === undefined) this.entries.set(key, [value.trim()]);
    else list.push(value.trim());
  }

  set(key: string, value: string): void {
    this.entries.delete(key);
    this.append(key, value);
  }

  get(key: string): string {
    return this.entries.get(key)?.[0] ?? "";
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  values(key: string): string[] {
    return [...(this.entries.get(key) ?? [])];
  }

  [Symbol.iterator](): Iterator<[string, string[]]> {
    return this.entries[Symbol.iterator]();
  }

  toString(): string {
    let s = "NATS/1.0\r\n";
    for (const [key, values] of this.entries) for (const v of values) s += `${key}: ${v}\r\n`;
    return s + "\r\n";
  }

  encode(): Uint8Array {
    return new TextEncoder().encode(this.toString());
  }
}

/** A header block from a record or `[key, value]` pairs; undefined when there are none. */
export function headerBlock(
  headers: HeadersInit | undefined,
  make: () => OutgoingHeaders = () => new HeaderBlock(),
): OutgoingHeaders | undefined {
  if (headers === undefined) return undefined;
  const pairs: [string, string][] = Array.isArray(headers)
    ? headers
    : Object.entries(headers).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((one): [string, string] => [k, one]),
      );
  if (pairs.length === 0) return undefined;
  const block = make();
  for (const [k, v] of pairs) block.append(k, v);
  return block;
}

/** Received headers as `{key: [values]}`, keys as sent; empty when the message had none. */
export function headerRecord(headers: ReceivedHeaders | undefined): HeaderRecord {
  const out: HeaderRecord = {};
  if (headers === undefined) return out;
  for (const key of headers.keys()) out[key] = headers.values(key);
  return out;
}

/**
 * One value of a header, matching its name without regard to case (as HTTP does): the
 * first, or with `last`, the last one.
 */
export function headerValue(
  headers: HeaderRecord,
  name: string,
  which: "first" | "last" = "first",
): string | undefined {
  const wanted = name.toLowerCase();
  let found: string | undefined;
  for (const [key, values] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || values.length === 0) continue;
    if (which === "first") return values[0];
    found = values[values.length - 1];
  }
  return found;
}
