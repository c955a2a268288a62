/**
 * Small pieces shared by the mq9 integration suites: mailbox requests as JSON, a collecting
 * subscription, and a raw NATS peer that parses MSG/HMSG as bytes and can stop reading (to
 * hold an owner in the middle of a replay). The request and subscribe helpers take the
 * connection structurally, so they work with both `nats` (TCP) and `nats.ws`.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { connect, type NatsConnection } from "nats";
import type { CreateReply } from "../../server/mq9/handlers/create";
import type { QueryReply } from "../../server/mq9/handlers/query";
import { waitUntil } from "./clients";

export type { CreateReply, QueryReply };

/** What the suites need of a received message, common to `nats` and `nats.ws`. */
export interface ReceivedMsg {
  subject: string;
  reply?: string;
  data: Uint8Array;
  headers?: { get(k: string): string; values(k: string): string[]; has(k: string): boolean };
}

/** The parts of a `nats` or `nats.ws` connection the helpers use. */
export interface Conn {
  request(
    subject: string,
    data?: Uint8Array,
    opts?: { timeout: number },
  ): Promise<{ data: Uint8Array }>;
  subscribe(
    subject: string,
    opts?: {
      queue?: string;
      max?: number;
      callback?: (err: Error | null, msg: ReceivedMsg) => void;
    },
  ): { unsubscribe(): void };
  flush(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function text(data: Uint8Array): string {
  return dec.decode(data);
}

export function json(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

/** A TCP connection that fails fast instead of reconnecting. */
export function open(port: number, name?: string): Promise<NatsConnection> {
  return connect({
    servers: `127.0.0.1:${port}`,
    reconnect: false,
    timeout: 3000,
    ...(name === undefined ? {} : { name }),
  });
}

/** A request with a JSON body (none when `body` is undefined), the reply parsed. */
export async function requestJson(nc: Conn, subject: string, body?: unknown): Promise<unknown> {
  const data = body === undefined ? new Uint8Array(0) : json(body);
  const reply = await nc.request(subject, data, { timeout: 3000 });
  return JSON.parse(text(reply.data)) as unknown;
}

/** MAILBOX.CREATE that must succeed (mq9.md §3). */
export async function createMailbox(
  nc: Conn,
  body: { type?: "standard" | "latest"; ttl?: number; name?: string; prefix?: string } = {},
): Promise<CreateReply> {
  const reply = (await requestJson(nc, "$mq9.AI.MAILBOX.CREATE", body)) as Record<string, unknown>;
  assert.equal(reply.error, undefined, `CREATE failed: ${JSON.stringify(reply)}`);
  return reply as unknown as CreateReply;
}

/** MAILBOX.QUERY that must succeed (mq9.md §7). */
export async function queryMailbox(
  nc: Conn,
  box: { mail_id: string; token: string },
  opts: { peek?: boolean; limit?: number; after?: number } = {},
): Promise<QueryReply> {
  const reply = (await requestJson(nc, `$mq9.AI.MAILBOX.QUERY.${box.mail_id}`, {
    token: box.token,
    ...opts,
  })) as Record<string, unknown>;
  assert.equal(reply.error, undefined, `QUERY failed: ${JSON.stringify(reply)}`);
  return reply as unknown as QueryReply;
}

/** What `collect` returns. */
export interface Collector {
  readonly msgs: ReceivedMsg[];
  texts(): string[];
  /** Resolves once at least `n` messages arrived; rejects after `ms`. */
  waitFor(n: number, ms?: number): Promise<void>;
  unsubscribe(): void;
}

/** A subscription that keeps what it receives; `max` as in UNSUB max (nats-wire-notes §1.4). */
export function collect(nc: Conn, subject: string, queue?: string, max?: number): Collector {
  const msgs: ReceivedMsg[] = [];
  const sub = nc.subscribe(subject, {
    ...(queue === undefined ? {} : { queue }),
    ...(max === undefined ? {} : { max }),
    callback: (err, msg) => {
      if (err === null) msgs.push(msg);
    },
  });
  return {
    msgs,
    texts: () => msgs.map((m) => text(m.data)),
    waitFor: (n, ms = 3000) =>
      waitUntil(() => msgs.length >= n, ms, `${n} messages on ${subject} (have ${msgs.length})`),
    unsubscribe: () => sub.unsubscribe(),
  };
}

/**
 * Gives whatever might still be on its way time to arrive: a flush of each connection (a
 * PONG follows every MSG queued before it) and a short pause for anything scheduled later.
 */
export async function settle(conns: readonly Conn[], ms = 100): Promise<void> {
  for (const c of conns) await c.flush();
  await new Promise((r) => setTimeout(r, ms));
  for (const c of conns) await c.flush();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One MSG or HMSG as it came off the wire. */
export interface RawMsg {
  op: "MSG" | "HMSG";
  subject: string;
  sid: string;
  reply: string | null;
  /** The header block as text, or null for MSG. */
  headers: string | null;
  payload: Buffer;
}

/**
 * A NATS connection on a bare socket that parses MSG and HMSG as bytes. `pause()` stops
 * reading, so the broker's output to it backs up, as with a slow device.
 */
export class RawNatsPeer {
  readonly msgs: RawMsg[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private pongs = 0;
  private readonly errors: string[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number, headers: boolean): Promise<RawNatsPeer> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const peer = new RawNatsPeer(socket);
    const connectOpts = { verbose: false, pedantic: false, headers, no_responders: headers };
    peer.send(`CONNECT ${JSON.stringify(connectOpts)}\r\n`);
    await peer.roundTrip();
    return peer;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** PING, then wait for its PONG: everything the server queued before it has arrived. */
  async roundTrip(ms = 5000): Promise<void> {
    const want = this.pongs + 1;
    this.send("PING\r\n");
    await waitUntil(() => this.pongs >= want, ms, "PONG on raw peer");
    assert.deepEqual(this.errors, [], "server -ERR on raw peer");
  }

  waitFor(n: number, ms = 5000): Promise<void> {
    return waitUntil(
      () => this.msgs.length >= n,
      ms,
      `${n} raw messages (have ${this.msgs.length})`,
    );
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const eol = this.buf.indexOf("\r\n");
      if (eol < 0) return;
      const line = this.buf.subarray(0, eol).toString("latin1");
      const parts = line.split(" ");
      const op = parts[0]!.toUpperCase();
      if (op === "MSG" || op === "HMSG") {
        const total = Number(parts[parts.length - 1]);
        const need = eol + 2 + total + 2;
        if (this.buf.length < need) return;
        const body = this.buf.subarray(eol + 2, eol + 2 + total);
        const hdrLen = op === "HMSG" ? Number(parts[parts.length - 2]) : 0;
        const fixed = op === "HMSG" ? 5 : 4;
        this.msgs.push({
          op,
          subject: parts[1]!,
          sid: parts[2]!,
          reply: parts.length > fixed ? parts[3]! : null,
          headers: op === "HMSG" ? body.subarray(0, hdrLen).toString("utf8") : null,
          payload: Buffer.from(body.subarray(hdrLen)),
        });
        this.buf = this.buf.subarray(need);
        continue;
      }
      if (op === "PING") this.send("PONG\r\n");
      else if (op === "PONG") this.pongs++;
      else if (op === "-ERR") this.errors.push(line);
      this.buf = this.buf.subarray(eol + 2);
    }
  }
}
