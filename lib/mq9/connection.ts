/**
 * The least of a NATS connection the mq9 client needs. `nats` (TCP), `nats.ws` (WebSocket)
 * and `@nats-io/nats-core` connections all have this shape, so any of them can be passed
 * to `Mq9Client` without this module importing a NATS client (it stays browser-safe).
 */

/** Headers as a received message carries them (`MsgHdrs` in the NATS clients). */
export interface ReceivedHeaders {
  keys(): string[];
  values(key: string): string[];
}

/**
 * Headers to publish. The NATS JS clients serialise them with `encode()` (their own
 * `MsgHdrs` has it too), so an object of this shape can stand in for theirs.
 */
export interface OutgoingHeaders {
  append(key: string, value: string): void;
  keys(): string[];
  values(key: string): string[];
}

export interface NatsMessage {
  subject: string;
  /** The NATS reply subject; the clients use "" or undefined for none. */
  reply?: string;
  data: Uint8Array;
  headers?: ReceivedHeaders;
}

export interface NatsSubscription extends AsyncIterable<NatsMessage> {
  unsubscribe(max?: number): void;
  drain(): Promise<void>;
}

export interface NatsSubscribeOptions {
  queue?: string;
  max?: number;
  /** With a callback, messages are handed over while the client reads the socket. */
  callback?: (err: Error | null, msg: NatsMessage) => void;
}

export interface NatsConnectionLike {
  publish(subject: string, payload?: Uint8Array, opts?: PublishOpts): void;
  request(subject: string, payload?: Uint8Array, opts?: { timeout: number }): Promise<NatsMessage>;
  subscribe(subject: string, opts?: NatsSubscribeOptions): NatsSubscription;
  /** Resolves on the server's PONG: on an mq9 broker, earlier sends are stored (mq9.md §4.5). */
  flush(): Promise<void>;
}

export interface PublishOpts {
  reply?: string;
  headers?: OutgoingHeaders;
}
