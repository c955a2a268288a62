/**
 * The PUB/HPUB op as the parser hands it over. Its payload stays a range of the bytes that
 * were read, and the Buffer view `data` is only made when something asks for it: most
 * messages are just copied into subscribers' output buffers, and making a view costs more
 * than copying a small payload by hand (about 7% of a 16-byte pub→sub profile).
 *
 * `data` is an accessor, so `{ ...msg }` leaves it out: build derived messages field by field.
 */
import type { PubOp } from "./ops";
import { SHORT_COPY, copyShort, viewOf } from "./wire";

export class ParsedPub implements PubOp {
  readonly kind = "PUB";
  #src: Buffer;
  /** A DataView over `#src`, shared by the PUBs of one read (for copyShort). */
  #srcView: DataView;
  #start: number;
  #end: number;
  #view: Buffer | null = null;

  constructor(
    public subject: string,
    public reply: string | null,
    public headerSize: number,
    public sizeText: string | null,
    src: Buffer,
    srcView: DataView,
    start: number,
    end: number,
  ) {
    this.#src = src;
    this.#srcView = srcView;
    this.#start = start;
    this.#end = end;
  }

  get data(): Buffer {
    return (this.#view ??= this.#src.subarray(this.#start, this.#end));
  }

  set data(bytes: Buffer) {
    this.#view = this.#src = bytes;
    this.#srcView = viewOf(bytes);
    this.#start = 0;
    this.#end = bytes.length;
  }

  /** data.length, without making the view. */
  get size(): number {
    return this.#end - this.#start;
  }

  /**
   * Copies data from `offset` on into `dst` (`dstView` over it) at `pos`; returns the new
   * pos. Larger payloads are copied from the view, made once however many subscribers.
   */
  copyData(dst: Buffer, dstView: DataView, pos: number, offset: number): number {
    const start = this.#start + offset;
    const end = this.#end;
    if (end - start <= SHORT_COPY) return copyShort(dstView, pos, this.#srcView, start, end);
    if (offset === 0) dst.set(this.data, pos);
    else this.#src.copy(dst, pos, start, end);
    return pos + end - start;
  }
}
