/**
 * The PUB/HPUB op as the parser hands it over. Its payload stays a range of the bytes that
 * were read, and the Buffer view `data` is only made when something asks for it: most
 * messages are just copied into subscribers' output buffers, and making a view costs more
 * than copying a small payload by hand (about 7% of a 16-byte pub→sub profile).
 *
 * Each parser reuses one ParsedPub for all its PUBs: allocating one per message caused
 * five times as many scavenges (about 7% of the broker's CPU at 16 B). So the object, like
 * its data, is only valid until the op handler returns; whoever keeps a message keeps
 * copies of its fields (as mq9's send does).
 *
 * `data` is an accessor, so `{ ...msg }` leaves it out: build derived messages field by field.
 */
import type { PubOp } from "./ops";
import { SHORT_COPY, copyShort, viewOf } from "./wire";

const NO_BYTES = Buffer.alloc(0);
const NO_VIEW = viewOf(NO_BYTES);

export class ParsedPub implements PubOp {
  readonly kind = "PUB";

  #src: Buffer = NO_BYTES;
  /** A DataView over `#src`, shared by the PUBs of one read (for copyShort). */
  #srcView: DataView = NO_VIEW;
  #start = 0;
  #end = 0;
  #view: Buffer | null = null;
  subject = "";
  reply: string | null = null;
  headerSize = -1;
  sizeText: string | null = null;

  /** Makes this the next PUB; returns it. */
  set(
    subject: string,
    reply: string | null,
    headerSize: number,
    sizeText: string | null,
    src: Buffer,
    srcView: DataView,
    start: number,
    end: number,
  ): this {
    this.subject = subject;
    this.reply = reply;
    this.headerSize = headerSize;
    this.sizeText = sizeText;
    this.#src = src;
    this.#srcView = srcView;
    this.#start = start;
    this.#end = end;
    this.#view = null;
    return this;
  }

  /** Lets go of the read buffer, once the read is handled. */
  release(): void {
    this.#src = NO_BYTES;
    this.#srcView = NO_VIEW;
    this.#start = this.#end = 0;
    this.#view = null;
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
