/**
 * The console server's own NATS connection: the shape lib/mq9's Mq9Client expects of a
 * `nats` connection, over an in-process InternalClient instead of a socket. So the server
 * side of the console speaks mq9 through the same typed client as the browser and agents,
 * and what it sends goes through the broker and the mq9 layer like anyone's publish.
 */
import { randomBytes } from "node:crypto";
import type {
  NatsConnectionLike,
  NatsMessage,
  NatsSubscribeOptions,
  NatsSubscription,
  PublishOpts,
  ReceivedHeaders,
} from "../../lib/mq9/connection";
import type { Broker } from "../nats/mod";
import { InternalClient, type InternalMessage } from "../nats/internal-client";

export class RequestTimeoutError extends Error {
  constructor(readonly subject: string) {
    super(`no reply from ${subject} in time`);
    this.name = "RequestTimeoutError";
  }
}

export class InternalConnection implements NatsConnectionLike {
  private readonly client: InternalClient;

  constructor(broker: Broker, name: string) {
    this.client = new InternalClient(broker, name);
  }

  publish(subject: string, payload: Uint8Array = new Uint8Array(0), opts: PublishOpts = {}): void {
    const headers = opts.headers === undefined ? null : encodeHeaders(opts.headers);
    this.client.publish(subject, payload, opts.reply || null, headers);
  }

  /** With the header block already encoded (as stored, e.g. a dead letter's). */
  publishRaw(subject: string, payload: Uint8Array, headers: Buffer | null): void {
    this.client.publish(subject, payload, null, headers);
  }

  subscribe(subject: string, opts: NatsSubscribeOptions = {}): NatsSubscription {
    return new InternalSubscription(this.client, subject, opts);
  }

  async request(
    subject: string,
    payload?: Uint8Array,
    opts: { timeout: number } = { timeout: 5000 },
  ): Promise<NatsMessage> {
    const inbox = `_INBOX.mq9console.${randomBytes(12).toString("hex")}`;
    return new Promise<NatsMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(new RequestTimeoutError(subject));
      }, opts.timeout);
      const sub = this.subscribe(inbox, {
        max: 1,
        callback: (_err, msg) => {
          clearTimeout(timer);
          resolve(msg);
        },
      });
      this.publish(subject, payload, { reply: inbox });
    });
  }

  flush(): Promise<void> {
    return this.client.settled();
  }

  close(): void {
    this.client.close();
  }
}

/** Callback or async iteration, as the NATS JS clients offer. */
class InternalSubscription implements NatsSubscription {
  private readonly queue: NatsMessage[] = [];
  private readonly waiting: ((r: IteratorResult<NatsMessage>) => void)[] = [];
  private received = 0;
  private done = false;
  private readonly sub;

  constructor(
    client: InternalClient,
    subject: string,
    private readonly opts: NatsSubscribeOptions,
  ) {
    this.sub = client.subscribe(subject, (m) => this.deliver(m), opts.queue ?? null);
  }

  private deliver(m: InternalMessage): void {
    if (this.done) return;
    const msg: NatsMessage = {
      subject: m.subject,
      reply: m.reply ?? "",
      data: m.payload,
      headers: m.headers === null ? undefined : parseHeaders(m.headers),
    };
    this.received++;
    if (this.opts.callback) this.opts.callback(null, msg);
    else {
      const w = this.waiting.shift();
      if (w) w({ done: false, value: msg });
      else this.queue.push(msg);
    }
    if (this.opts.max !== undefined && this.received >= this.opts.max) this.unsubscribe();
  }

  unsubscribe(): void {
    if (this.done) return;
    this.done = true;
    this.sub.unsubscribe();
    for (const w of this.waiting.splice(0)) w({ done: true, value: undefined });
  }

  async drain(): Promise<void> {
    this.unsubscribe();
  }

  [Symbol.asyncIterator](): AsyncIterator<NatsMessage> {
    return {
      next: () => {
        const m = this.queue.shift();
        if (m !== undefined) return Promise.resolve({ done: false, value: m });
        if (this.done) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      return: () => {
        this.unsubscribe();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

function encodeHeaders(h: { keys(): string[]; values(key: string): string[] }): Buffer {
  let s = "NATS/1.0\r\n";
  for (const key of h.keys()) for (const v of h.values(key)) s += `${key}: ${v}\r\n`;
  return Buffer.from(`${s}\r\n`, "utf8");
}

function parseHeaders(block: Buffer): ReceivedHeaders {
  const map = new Map<string, string[]>();
  for (const line of block.toString("utf8").split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    const list = map.get(key);
    const value = line.slice(colon + 1).trim();
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  }
  return { keys: () => [...map.keys()], values: (k) => map.get(k) ?? [] };
}
