/**
 * The byte pipe under a client connection. TCP and WebSocket are two implementations;
 * everything above it (parser, dispatcher, delivery, backpressure) is shared and never
 * learns which one it rides on (architecture.md: "a client connection writes to an
 * abstract sink").
 */
import type { CloseReason } from "./close-reason";

/** `internal`: a connection from inside the server process (internal-client.ts). */
export type TransportKind = "tcp" | "websocket" | "internal";

export interface TransportHandlers {
  /** Protocol bytes from the peer (for WebSocket: unmasked, inflated frame payloads). */
  data(chunk: Buffer): void;
  /** Everything written so far has been handed to the kernel. */
  drain(): void;
  /** The connection is gone (either side closed it, or it failed). Called exactly once. */
  close(): void;
}

export interface Transport {
  readonly kind: TransportKind;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Starts the flow of events. Called once, by the client that owns the transport. */
  attach(handlers: TransportHandlers): void;
  /**
   * Queues protocol bytes for the peer. `chunk` is not copied: the caller must not touch it
   * until `done` runs, which happens once the bytes have left the process, or with an
   * error when they never will (the transport failed or was destroyed).
   */
  write(chunk: Buffer, done?: (err?: Error | null) => void): void;
  /** Bytes accepted by write() that have not reached the kernel yet. */
  pendingBytes(): number;
  /**
   * Flushes what is queued, then closes. WebSocket sends a close frame whose code follows
   * from `reason` (nats-wire-notes §2.2).
   */
  end(reason: CloseReason): void;
  /** Closes at once, dropping whatever is still queued (slow consumers, fatal errors). */
  destroy(reason: CloseReason): void;
}
