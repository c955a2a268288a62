/**
 * permessage-deflate (RFC 7692) with no context takeover in either direction, which is all
 * the handshake ever agrees to (nats-wire-notes §2.1): every message is inflated and
 * deflated on its own, so no zlib state outlives a message.
 */
import zlib from "node:zlib";
import { CLOSE_INVALID_PAYLOAD, CLOSE_MESSAGE_TOO_BIG, WebSocketProtocolError } from "./frames";

/** Outbound buffers this small go uncompressed (wsCompressThreshold, nats-wire-notes §2.1). */
export const COMPRESS_THRESHOLD = 64;

/**
 * RFC 7692 §7.2.2 tail (00 00 ff ff) plus an empty final block, so the inflater sees a
 * finished stream (nats-server's compressLastBlock). Harmless after a client's own final block.
 */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff]);

const DEFLATE_OPTIONS: zlib.ZlibOptions = {
  // BestSpeed, as nats-server: the broker is latency-bound, not bandwidth-bound.
  level: 1,
  finishFlush: zlib.constants.Z_SYNC_FLUSH,
};

/** Inflates one message from its frames' payloads; at most `maxSize` bytes come out. */
export function inflateMessage(parts: Buffer[], maxSize: number): Buffer {
  const input = Buffer.concat([...parts, TAIL]);
  try {
    return zlib.inflateRawSync(input, { maxOutputLength: Math.max(1, maxSize) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new WebSocketProtocolError("message too big", CLOSE_MESSAGE_TOO_BIG);
    }
    throw new WebSocketProtocolError("invalid compressed data", CLOSE_INVALID_PAYLOAD);
  }
}

/**
 * Deflates one message with a fresh state and drops the trailing 00 00 ff ff that the sync
 * flush leaves (RFC 7692 §7.2.1). The frame carrying it needs RSV1.
 */
export function deflateMessage(payload: Buffer): Buffer {
  const out = zlib.deflateRawSync(payload, DEFLATE_OPTIONS);
  return out.subarray(0, out.length - 4);
}
