import { ParsedPub } from "./protocol/pub-op";

/** A message on its way through the broker: what PUB/HPUB carried, or what a layer above built. */
export interface Message {
  subject: string;
  reply: string | null;
  /** Length of the header block at the start of `data`; -1 when there are no headers. */
  headerSize: number;
  /** Headers then payload. For client publishes, a view valid only while it is delivered. */
  data: Buffer;
  /** Size tokens to echo instead of the computed sizes (see PubOp.sizeText); usually null. */
  sizeText: string | null;
}

/** `msg.data.length`, without making a view of a parsed PUB's data (see ParsedPub). */
export function messageSize(msg: Message): number {
  return msg instanceof ParsedPub ? msg.size : msg.data.length;
}

/**
 * Copies `msg.data` from `offset` on into `dst` (`dstView` over it) at `pos`; returns the
 * new pos. For layers that keep a message: the cheapest copy out of the read buffer.
 */
export function copyMessageData(
  msg: Message,
  dst: Buffer,
  dstView: DataView,
  pos: number,
  offset: number,
): number {
  if (msg instanceof ParsedPub) return msg.copyData(dst, dstView, pos, offset);
  const bytes = offset === 0 ? msg.data : msg.data.subarray(offset);
  dst.set(bytes, pos);
  return pos + bytes.length;
}
