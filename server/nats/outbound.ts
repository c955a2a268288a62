/**
 * A client's outbound side: protocol bytes are appended to one buffer and handed to the
 * transport once per batch (nats-wire-notes, "What makes a Node broker fast"), not once
 * per message. The buffer handed off is recycled when the transport is done with it.
 */
import { viewOf } from "./protocol/wire";
import type { Transport } from "./transport";

const INITIAL_SIZE = 16 * 1024;
/** Past this much batched output, hand it to the transport without waiting for the tick. */
const FLUSH_THRESHOLD = 64 * 1024;

export class Outbound {
  buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE);
  /** A DataView over `buf`, for copyShort. */
  view: DataView = viewOf(this.buf);
  pos = 0;
  /** When the transport last had bytes it could not hand to the kernel (0 = it has none). */
  stalledSince = 0;
  private spare: Buffer | null = null;
  private readonly recycle = (b: Buffer) => () => {
    if (this.spare === null && b.length === FLUSH_THRESHOLD) this.spare = b;
  };

  constructor(private readonly transport: Transport) {}

  /** Bytes queued here and in the transport: what max_pending is measured against. */
  pending(): number {
    return this.pos + this.transport.pendingBytes();
  }

  /** Makes room for `n` more bytes at `pos`; may flush to the transport first. */
  reserve(n: number): Buffer {
    if (this.pos + n <= this.buf.length) return this.buf;
    if (this.pos > 0) this.flush();
    if (n > this.buf.length) {
      // A message larger than the batch buffer gets a buffer of its own.
      this.buf = Buffer.allocUnsafe(Math.max(n, FLUSH_THRESHOLD));
      this.view = viewOf(this.buf);
    }
    return this.buf;
  }

  append(bytes: Buffer): void {
    const buf = this.reserve(bytes.length);
    buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** True when enough is batched that it should go out now. */
  get full(): boolean {
    return this.pos >= FLUSH_THRESHOLD;
  }

  /** Hands everything batched so far to the transport. */
  flush(): void {
    if (this.pos === 0) return;
    const out = this.buf;
    const chunk = out.subarray(0, this.pos);
    this.transport.write(chunk, this.recycle(out));
    this.buf = this.spare ?? Buffer.allocUnsafe(FLUSH_THRESHOLD);
    this.view = viewOf(this.buf);
    this.spare = null;
    this.pos = 0;
    if (this.stalledSince === 0 && this.transport.pendingBytes() > 0)
      this.stalledSince = Date.now();
  }

  /** The transport drained: nothing is stuck any more. */
  drained(): void {
    this.stalledSince = 0;
  }
}
