/**
 * A NATS subscription whose messages are turned into mq9 messages as they are read. It is
 * its own iterator, so it can be read in parts (`next()`) or with `for await`; leaving a
 * `for await` loop early unsubscribes.
 */
import type { NatsMessage, NatsSubscription } from "./connection";

export class Mq9Subscription<T> implements AsyncIterableIterator<T> {
  /** Taken on first read: a subscription with a handler has no iterator to take. */
  private source: AsyncIterator<NatsMessage> | null = null;

  constructor(
    private readonly sub: NatsSubscription,
    private readonly convert: (msg: NatsMessage) => T,
    /** The subject subscribed to, wildcards and all. */
    readonly subject: string,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    this.source ??= this.sub[Symbol.asyncIterator]();
    const r = await this.source.next();
    if (r.done) return { done: true, value: undefined };
    return { done: false, value: this.convert(r.value) };
  }

  /** Called by `for await` on break or throw. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.unsubscribe();
    return { done: true, value: undefined };
  }

  /** Stops at once; messages still queued in the client are dropped. */
  unsubscribe(): void {
    this.sub.unsubscribe();
  }

  /** Stops after the messages already received have been read. */
  drain(): Promise<void> {
    return this.sub.drain();
  }
}
