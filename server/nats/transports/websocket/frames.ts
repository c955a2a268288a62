/**
 * RFC 6455 framing for the server side of NATS over WebSocket: an incremental decoder for
 * client frames and an encoder for server frames. Pure: no sockets, no zlib (compressed
 * messages are handed out whole for the caller to inflate).
 */

export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_INVALID_PAYLOAD = 1007;
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/** RFC 6455 §5.5. */
export const MAX_CONTROL_PAYLOAD = 125;
const MAX_HEADER = 14;
const FIN = 0x80;
const RSV1 = 0x40;
const RSV2 = 0x20;
const RSV3 = 0x10;
const MASK = 0x80;

/** nats-wire-notes §2.2: max_payload*8, capped at 64 MiB (wsMaxMessageSize). */
export function maxWebSocketMessageSize(maxPayload: number): number {
  return Math.min(maxPayload * 8, 64 * 1024 * 1024);
}

/** A framing violation; the connection must be closed with `closeCode`. */
export class WebSocketProtocolError extends Error {
  constructor(
    message: string,
    readonly closeCode: number = CLOSE_PROTOCOL_ERROR,
  ) {
    super(message);
    this.name = "WebSocketProtocolError";
  }
}

export interface FrameDecoderHandlers {
  /**
   * Payload bytes of an uncompressed data message (text or binary), unmasked, in order.
   * Streamed: a frame's payload may come in several pieces, before the frame is complete.
   */
  data(payload: Buffer): void;
  /** The raw (still deflated) fragments of a complete compressed message, in order. */
  compressed(parts: Buffer[]): void;
  ping(payload: Buffer): void;
  pong(payload: Buffer): void;
  /** The raw close payload (see parseClosePayload); nothing after it is decoded. */
  close(payload: Buffer): void;
}

export interface FrameDecoderOptions {
  /** permessage-deflate was negotiated, so RSV1 is allowed on a message's first frame. */
  compression: boolean;
  maxMessageSize: number;
  /** Client frames must be masked (RFC 6455 §5.1); only tests turn this off. */
  requireMask?: boolean;
}

const enum State {
  Header,
  Payload,
  Stopped,
}

/**
 * Turns client bytes into frame events. Frames may be split at any byte and many may share
 * one chunk. Chunks are taken over: payloads are unmasked in place and handed out as slices,
 * so the caller must not reuse a buffer it gave to push().
 */
export class FrameDecoder {
  private state = State.Header;
  /** Header bytes gathered so far (a header may straddle chunks). */
  private readonly header = Buffer.allocUnsafe(MAX_HEADER);
  private headerLength = 0;
  /** The first two bytes were validated and `headerNeeded` is known. */
  private headerChecked = false;
  private headerNeeded = 2;

  private opcode = 0;
  private fin = false;
  private remaining = 0;
  private readonly mask = Buffer.allocUnsafe(4);
  private masked = false;
  private maskOffset = 0;

  /** Inside a fragmented data message (a non-FIN data frame was seen). */
  private inMessage = false;
  private messageCompressed = false;
  private messageSize = 0;
  private compressedParts: Buffer[] = [];

  /** Control frame payload, gathered until complete (≤ 125 bytes). */
  private readonly control = Buffer.allocUnsafe(MAX_CONTROL_PAYLOAD);
  private controlLength = 0;

  private readonly requireMask: boolean;

  constructor(
    private readonly handlers: FrameDecoderHandlers,
    private readonly options: FrameDecoderOptions,
  ) {
    this.requireMask = options.requireMask ?? true;
  }

  /** After stop(), push() ignores everything (the connection is closing). */
  stop(): void {
    this.state = State.Stopped;
    this.compressedParts = [];
  }

  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /** Throws WebSocketProtocolError on a violation; the decoder is stopped then. */
  push(chunk: Buffer): void {
    let pos = 0;
    const end = chunk.length;
    try {
      while (pos < end) {
        if (this.state === State.Header) {
          pos = this.readHeader(chunk, pos);
        } else if (this.state === State.Payload) {
          pos = this.readPayload(chunk, pos);
        } else {
          return;
        }
      }
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  private readHeader(chunk: Buffer, pos: number): number {
    if (this.headerLength === 0 && !this.headerChecked && chunk.length - pos >= 2) {
      // Fast path: the whole header is in this chunk, so read it in place.
      const needed = this.checkFirstBytes(chunk[pos]!, chunk[pos + 1]!);
      if (chunk.length - pos >= needed) {
        this.startFrame(chunk, pos);
        return pos + needed;
      }
      this.headerNeeded = needed;
      this.headerChecked = true;
    }
    // A header split across chunks is gathered in `header` first.
    const header = this.header;
    for (;;) {
      if (!this.headerChecked && this.headerLength >= 2) {
        this.headerNeeded = this.checkFirstBytes(header[0]!, header[1]!);
        this.headerChecked = true;
      }
      const want = (this.headerChecked ? this.headerNeeded : 2) - this.headerLength;
      if (want === 0) break;
      if (pos >= chunk.length) return pos;
      const n = Math.min(want, chunk.length - pos);
      chunk.copy(header, this.headerLength, pos, pos + n);
      this.headerLength += n;
      pos += n;
    }
    this.headerLength = 0;
    this.headerChecked = false;
    this.startFrame(header, 0);
    return pos;
  }

  /** Validates bytes 0-1 in nats-server's order (wsRead) and returns the full header size. */
  private checkFirstBytes(b0: number, b1: number): number {
    const opcode = b0 & 0x0f;
    const fin = (b0 & FIN) !== 0;
    const rsv1 = (b0 & RSV1) !== 0;
    // nats-wire-notes §2.2: RSV2/RSV3 must be 0; RSV1 only with compression, first frame.
    if ((b0 & (RSV2 | RSV3)) !== 0) throw new WebSocketProtocolError("RSV2 or RSV3 bit set");
    const masked = (b1 & MASK) !== 0;
    if (!masked && this.requireMask) throw new WebSocketProtocolError("mask bit missing");
    const len7 = b1 & 0x7f;

    if (opcode >= OPCODE_CLOSE) {
      if (opcode > OPCODE_PONG) throw new WebSocketProtocolError(`unknown opcode ${opcode}`);
      if (len7 > MAX_CONTROL_PAYLOAD) {
        throw new WebSocketProtocolError(
          `control frame length bigger than maximum allowed of ${MAX_CONTROL_PAYLOAD} bytes`,
        );
      }
      if (!fin) throw new WebSocketProtocolError("control frame does not have final bit set");
      if (rsv1) throw new WebSocketProtocolError("control frame is compressed");
    } else if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      // §2.2: text is accepted like binary; like nats-server we do not check it is UTF-8.
      if (this.inMessage) {
        throw new WebSocketProtocolError(
          "new message started before final frame for previous message was received",
        );
      }
      if (rsv1 && !this.options.compression) {
        throw new WebSocketProtocolError("RSV1 bit set without compression");
      }
    } else if (opcode === OPCODE_CONTINUATION) {
      if (!this.inMessage || rsv1) throw new WebSocketProtocolError("invalid continuation frame");
    } else {
      throw new WebSocketProtocolError(`unknown opcode ${opcode}`);
    }

    this.opcode = opcode;
    this.fin = fin;
    this.masked = masked;
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) this.messageCompressed = rsv1;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  }

  /** Reads the length and mask of the header at `src[at]`, whose first bytes were checked. */
  private startFrame(src: Buffer, at: number): void {
    const len7 = src[at + 1]! & 0x7f;
    let offset = at + 2;
    let length = len7;
    if (len7 === 126) {
      length = src.readUInt16BE(offset);
      offset += 2;
    } else if (len7 === 127) {
      const high = src.readUInt32BE(offset);
      // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
      if (high & 0x80000000) throw new WebSocketProtocolError("invalid 64-bit payload length");
      length = high * 0x1_0000_0000 + src.readUInt32BE(offset + 4);
      offset += 8;
    }
    if (this.masked) {
      src.copy(this.mask, 0, offset, offset + 4);
      this.maskOffset = 0;
    }
    this.remaining = length;

    if (this.opcode >= OPCODE_CLOSE) {
      this.controlLength = 0;
      if (length === 0) this.finishControl();
      else this.state = State.Payload;
      return;
    }

    if (this.opcode !== OPCODE_CONTINUATION) this.messageSize = 0;
    this.messageSize += length;
    if (this.messageSize > this.options.maxMessageSize) {
      throw new WebSocketProtocolError("message too big", CLOSE_MESSAGE_TOO_BIG);
    }
    this.inMessage = !this.fin;
    if (length === 0) this.finishDataFrame();
    else this.state = State.Payload;
  }

  private readPayload(chunk: Buffer, pos: number): number {
    const n = Math.min(this.remaining, chunk.length - pos);
    const piece = chunk.subarray(pos, pos + n);
    if (this.masked) this.maskOffset = unmask(piece, this.mask, this.maskOffset);
    this.remaining -= n;

    if (this.opcode >= OPCODE_CLOSE) {
      piece.copy(this.control, this.controlLength);
      this.controlLength += n;
      if (this.remaining === 0) this.finishControl();
      return pos + n;
    }

    if (this.messageCompressed) this.compressedParts.push(piece);
    else this.handlers.data(piece);
    if (this.remaining === 0 && this.state === State.Payload) this.finishDataFrame();
    return pos + n;
  }

  private finishDataFrame(): void {
    if (this.state !== State.Stopped) this.state = State.Header;
    if (!this.fin || !this.messageCompressed) return;
    const parts = this.compressedParts;
    this.compressedParts = [];
    this.messageCompressed = false;
    this.handlers.compressed(parts);
  }

  private finishControl(): void {
    this.state = State.Header;
    // Copied: the handler may keep it, and `control` is reused for the next one.
    const payload = Buffer.from(this.control.subarray(0, this.controlLength));
    switch (this.opcode) {
      case OPCODE_PING:
        this.handlers.ping(payload);
        break;
      case OPCODE_PONG:
        this.handlers.pong(payload);
        break;
      default:
        // Nothing after a close frame is processed (RFC 6455 §5.5.1).
        this.state = State.Stopped;
        this.handlers.close(payload);
    }
  }
}

/** Scratch for building a 32-bit mask word in memory order (so endianness does not matter). */
const maskBytes = new Uint8Array(4);
const maskWord = new Int32Array(maskBytes.buffer);

/**
 * XORs `buf` in place with the 4-byte key, starting at key position `offset`; returns the key
 * position for the next byte. Long runs go a 32-bit word at a time.
 */
export function unmask(buf: Buffer, key: Buffer, offset: number): number {
  const len = buf.length;
  let i = 0;
  if (len >= 64) {
    while ((buf.byteOffset + i) & 3) {
      buf[i] = buf[i]! ^ key[(offset + i) & 3]!;
      i++;
    }
    for (let j = 0; j < 4; j++) maskBytes[j] = key[(offset + i + j) & 3]!;
    const m = maskWord[0]!;
    const words = (len - i) >>> 2;
    const view = new Int32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = view[w]! ^ m;
    i += words << 2;
  }
  for (; i < len; i++) buf[i] = buf[i]! ^ key[(offset + i) & 3]!;
  return (offset + len) & 3;
}

export interface ParsedClose {
  /** Undefined when the payload was empty (no status code). */
  code: number | undefined;
  reason: string;
}

/**
 * Reads a close frame payload (RFC 6455 §5.5.1, §7.4). Invalid codes and a 1-byte payload
 * are protocol errors (1002); a reason that is not UTF-8 gives 1007, as in nats-server.
 */
export function parseClosePayload(payload: Buffer): ParsedClose {
  if (payload.length === 0) return { code: undefined, reason: "" };
  if (payload.length === 1) throw new WebSocketProtocolError("invalid close frame payload");
  const code = payload.readUInt16BE(0);
  if (!isValidCloseCode(code)) throw new WebSocketProtocolError(`invalid close code ${code}`);
  const body = payload.subarray(2);
  let reason = "";
  if (body.length > 0) {
    try {
      reason = utf8Strict.decode(body);
    } catch {
      throw new WebSocketProtocolError("invalid utf8 body in close frame", CLOSE_INVALID_PAYLOAD);
    }
  }
  return { code, reason };
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** Codes a peer may put on the wire (RFC 6455 §7.4.1 and the IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/** Size of the header of an unmasked server frame carrying `length` payload bytes. */
export function frameHeaderSize(length: number): number {
  return length <= 125 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes an unmasked, FIN frame header into `target` at `offset`; returns its size. */
export function writeFrameHeader(
  target: Buffer,
  offset: number,
  opcode: number,
  length: number,
  rsv1 = false,
): number {
  target[offset] = FIN | (rsv1 ? RSV1 : 0) | opcode;
  if (length <= 125) {
    target[offset + 1] = length;
    return 2;
  }
  if (length < 65536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
    return 4;
  }
  target[offset + 1] = 127;
  target.writeUInt32BE(Math.floor(length / 0x1_0000_0000), offset + 2);
  target.writeUInt32BE(length >>> 0, offset + 6);
  return 10;
}

/** A complete unmasked FIN frame: header and a copy of `payload` in one buffer. */
export function encodeFrame(opcode: number, payload: Buffer, rsv1 = false): Buffer {
  const out = Buffer.allocUnsafe(frameHeaderSize(payload.length) + payload.length);
  const n = writeFrameHeader(out, 0, opcode, payload.length, rsv1);
  payload.copy(out, n);
  return out;
}

/**
 * A close frame with `code` and `reason`. Reasons longer than a control frame allows are cut
 * and end in "..." (as wsCreateCloseMessage does).
 */
export function encodeCloseFrame(code: number, reason = ""): Buffer {
  let body = Buffer.from(reason, "utf8");
  if (body.length > MAX_CONTROL_PAYLOAD - 2) {
    let cut = MAX_CONTROL_PAYLOAD - 5;
    // Never split a UTF-8 sequence: back up to a lead byte.
    while (cut > 0 && (body[cut]! & 0xc0) === 0x80) cut--;
    body = Buffer.concat([body.subarray(0, cut), Buffer.from("...")]);
  }
  const out = Buffer.allocUnsafe(4 + body.length);
  writeFrameHeader(out, 0, OPCODE_CLOSE, 2 + body.length);
  out.writeUInt16BE(code, 2);
  body.copy(out, 4);
  return out;
}
