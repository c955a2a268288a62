/**
 * A connection from inside the server process (nats-server's internal system client): it
 * publishes through the same path as a socket client, so layers above (mq9) treat what it
 * sends like anyone's, and its subscriptions are handed messages as calls instead of MSG
 * lines. The console uses it for what the server itself sends and watches: answers to
 * approval requests, dead-letter re-sends, the agents index.
 */
import { Client } from "./client";
import type { Broker } from "./broker";
import { CloseReason } from "./close-reason";
import type { Message } from "./message";
import { DEFAULT_CONNECT } from "./protocol/connect";
import { Subscription } from "./subscription";
import type { Transport, TransportHandlers } from "./transport";

/** A delivered message, copied out of the broker's buffers: the handler may keep it. */
export interface InternalMessage {
  subject: string;
  reply: string | null;
  /** The NATS header block (`NATS/1.0\r\n…\r\n\r\n`), or null. */
  headers: Buffer | null;
  payload: Buffer;
}

export type InternalHandler = (msg: InternalMessage) => void;

export interface InternalSubscription {
  readonly subject: string;
  unsubscribe(): void;
}

/** Nothing travels over it: deliveries are calls (see writeMsg) and protocol lines are dropped. */
class NoTransport implements Transport {
  readonly kind = "internal";
  readonly remoteAddress = "";
  readonly remotePort = 0;
  attach(_handlers: TransportHandlers): void {}
  write(_chunk: Buffer, done?: (err?: Error | null) => void): void {
    done?.(null);
  }
  pendingBytes(): number {
    return 0;
  }
  end(_reason: CloseReason): void {}
  destroy(_reason: CloseReason): void {}
}

export class InternalClient extends Client {
  private readonly handlers = new Map<Subscription, InternalHandler>();
  private nextSid = 1;

  constructor(broker: Broker, name: string) {
    // Id 0: never a socket client's, and not listed among them (/connz), as in nats-server.
    super(broker, 0, new NoTransport());
    this.setConnectOptions(
      { ...DEFAULT_CONNECT, verbose: false, pedantic: false, headers: true, name, lang: "mq9" },
      { name, permissions: null },
    );
  }

  /** Publishes as a client would (hooks first, then NATS delivery). */
  publish(subject: string, payload: Uint8Array, reply: string | null, headers: Buffer | null) {
    if (this.closed) throw new Error("internal connection closed");
    const head = headers?.length ?? 0;
    const data = Buffer.allocUnsafe(head + payload.length);
    if (headers !== null) headers.copy(data, 0);
    data.set(payload, head);
    const msg: Message = {
      subject,
      reply,
      headerSize: headers === null ? -1 : head,
      data,
      sizeText: null,
    };
    this.readAt = Date.now();
    this.lastActivity = this.readAt;
    this.inMsgs++;
    this.inBytes += payload.length;
    this.broker.publish(this, msg);
  }

  subscribe(
    subject: string,
    handler: InternalHandler,
    queue: string | null = null,
  ): InternalSubscription {
    if (this.closed) throw new Error("internal connection closed");
    const sub = new Subscription(this, subject, queue, String(this.nextSid++));
    if (!this.broker.index(sub)) throw new Error(`invalid subject ${JSON.stringify(subject)}`);
    this.subs.set(sub.sid, sub);
    this.handlers.set(sub, handler);
    this.broker.hooks.subscribed(sub);
    return { subject, unsubscribe: () => this.removeSub(sub) };
  }

  /**
   * Resolves once everything published so far has passed the layers' PING barrier (for mq9:
   * stored, mq9.md §4.5). Not named flush: that is the output flush the broker calls.
   */
  settled(): Promise<void> {
    return new Promise((resolve) => this.broker.hooks.ping(this, resolve));
  }

  override removeSub(sub: Subscription): void {
    super.removeSub(sub);
    this.handlers.delete(sub);
  }

  override writeMsg(sub: Subscription, msg: Message): boolean {
    const handler = this.handlers.get(sub);
    if (this.closed || handler === undefined) return false;
    // msg.data may be a view into a read buffer that is reused after this call.
    const bytes = Buffer.from(msg.data);
    const split = msg.headerSize >= 0 ? msg.headerSize : 0;
    this.outMsgs++;
    this.outBytes += bytes.length - split;
    const delivered: InternalMessage = {
      subject: msg.subject,
      reply: msg.reply,
      headers: msg.headerSize >= 0 ? bytes.subarray(0, split) : null,
      payload: bytes.subarray(split),
    };
    // A failing handler is the caller's bug; it must not break delivery to others.
    queueMicrotask(() => {
      try {
        handler(delivered);
      } catch (err) {
        this.broker.log.error("internal subscription handler failed", {
          subject: sub.subject,
          err: String(err),
        });
      }
    });
    return true;
  }

  /** Deliveries are calls, so whatever was handed over has been received. */
  override confirmReceipt(cb: (received: boolean) => void): void {
    queueMicrotask(() => cb(!this.closed));
  }

  // Protocol lines (+OK, -ERR, PING) have no reader here.
  override sendProto(_bytes: Buffer): void {}

  override close(reason: CloseReason = CloseReason.ServerShutdown): void {
    super.close(reason);
    this.handlers.clear();
  }
}
