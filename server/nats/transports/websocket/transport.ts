/**
 * A client connection's byte pipe over WebSocket, on the raw socket left by the upgrade.
 * Inbound frames become plain NATS protocol bytes; each outbound write becomes one binary
 * frame (nats-wire-notes §2.2).
 */
import type net from "node:net";
import { type CloseReason, webSocketCloseCode } from "../../close-reason";
import type { Transport, TransportHandlers } from "../../transport";
import { COMPRESS_THRESHOLD, deflateMessage, inflateMessage } from "./deflate";
import {
  CLOSE_PROTOCOL_ERROR,
  encodeCloseFrame,
  encodeFrame,
  FrameDecoder,
  frameHeaderSize,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_PONG,
  parseClosePayload,
  WebSocketProtocolError,
  writeFrameHeader,
} from "./frames";

export interface WebSocketTransportOptions {
  /** permessage-deflate was negotiated in the handshake. */
  compression: boolean;
  /** Largest inbound message, after inflation (maxWebSocketMessageSize). */
  maxMessageSize: number;
  /** How long to wait for the peer to go away after our close frame. */
  closeTimeoutMs?: number;
}

/**
 * Payloads up to this size are copied behind their header (one buffer, one write); larger
 * ones, such as a batch of messages, go out corked behind a separate header (one writev),
 * which saves allocating and copying the whole batch again.
 */
const COPY_LIMIT = 4 * 1024;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

export class WebSocketTransport implements Transport {
  readonly kind = "websocket" as const;
  readonly remoteAddress: string;
  readonly remotePort: number;

  private handlers: TransportHandlers | undefined;
  private readonly decoder: FrameDecoder;
  private readonly compression: boolean;
  private readonly maxMessageSize: number;
  private readonly closeTimeoutMs: number;
  /** Our close frame is queued: nothing else may be sent, and inbound data is ignored. */
  private closeSent = false;
  private closed = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: net.Socket,
    opts: WebSocketTransportOptions,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.remotePort = socket.remotePort ?? 0;
    this.compression = opts.compression;
    this.maxMessageSize = opts.maxMessageSize;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.decoder = new FrameDecoder(
      {
        data: (payload) => this.handlers?.data(payload),
        compressed: (parts) => this.handlers?.data(inflateMessage(parts, this.maxMessageSize)),
        ping: (payload) => this.sendControl(encodeFrame(OPCODE_PONG, payload)),
        pong: () => {},
        close: (payload) => this.onCloseFrame(payload),
      },
      { compression: opts.compression, maxMessageSize: opts.maxMessageSize },
    );
    // Errors always end in 'close', which is what the client learns about.
    socket.on("error", () => {});
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const socket = this.socket;
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => handlers.drain());
    // http.Server sockets allow half-open: a peer's FIN would otherwise leave ours open.
    socket.on("end", () => socket.end());
    socket.on("close", () => this.onSocketClose());
    if (socket.destroyed) process.nextTick(() => this.onSocketClose());
  }

  write(chunk: Buffer, done?: (err?: Error | null) => void): void {
    const socket = this.socket;
    if (this.closeSent || socket.destroyed) {
      if (done) process.nextTick(done, new Error("connection closed"));
      return;
    }
    let payload = chunk;
    let rsv1 = false;
    if (this.compression && chunk.length > COMPRESS_THRESHOLD) {
      payload = deflateMessage(chunk);
      rsv1 = true;
    }
    const length = payload.length;
    if (length <= COPY_LIMIT) {
      const frame = Buffer.allocUnsafe(frameHeaderSize(length) + length);
      payload.copy(frame, writeFrameHeader(frame, 0, OPCODE_BINARY, length, rsv1));
      socket.write(frame, done);
      return;
    }
    const header = Buffer.allocUnsafe(frameHeaderSize(length));
    writeFrameHeader(header, 0, OPCODE_BINARY, length, rsv1);
    socket.cork();
    socket.write(header);
    socket.write(payload, done);
    socket.uncork();
  }

  pendingBytes(): number {
    return this.socket.writableLength;
  }

  end(reason: CloseReason): void {
    this.sendClose(encodeCloseFrame(webSocketCloseCode(reason), reason));
  }

  destroy(reason: CloseReason): void {
    if (this.closed) return;
    // Only when nothing is queued can the close frame go out without waiting.
    if (!this.closeSent && this.socket.writableLength === 0 && !this.socket.destroyed) {
      this.closeSent = true;
      this.socket.write(encodeCloseFrame(webSocketCloseCode(reason), reason));
    }
    this.closeSent = true;
    this.decoder.stop();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closeSent) return;
    try {
      this.decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof WebSocketProtocolError)) throw err;
      // nats-wire-notes §2.2: framing violations close with 1002 (1009 too big) and a reason.
      this.sendClose(encodeCloseFrame(err.closeCode, err.message));
    }
  }

  /** Echoes a peer's close frame (invalid codes answered with 1002), then ends (§2.2). */
  private onCloseFrame(payload: Buffer): void {
    let frame: Buffer;
    try {
      parseClosePayload(payload);
      frame = encodeFrame(OPCODE_CLOSE, payload);
    } catch (err) {
      const code = err instanceof WebSocketProtocolError ? err.closeCode : CLOSE_PROTOCOL_ERROR;
      frame = encodeCloseFrame(code, (err as Error).message);
    }
    this.sendClose(frame);
  }

  private sendControl(frame: Buffer): void {
    if (!this.closeSent && !this.socket.destroyed) this.socket.write(frame);
  }

  /** Queues the close frame behind pending data, then half-closes; the peer has a while to go. */
  private sendClose(frame: Buffer): void {
    if (this.closeSent || this.closed) return;
    this.closeSent = true;
    this.decoder.stop();
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.end(frame);
    this.closeTimer = setTimeout(() => socket.destroy(), this.closeTimeoutMs);
    this.closeTimer.unref();
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSent = true;
    this.decoder.stop();
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.handlers?.close();
  }
}
