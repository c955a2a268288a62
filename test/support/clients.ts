/**
 * Shared pieces of the real-client suites (test/integration/client-*.test.ts): the two
 * servers every suite runs against (ours, and Debian's nats-server as the reference that
 * proves the test itself is right), a bounded wait, and a raw-socket NATS peer for the
 * checks a client library cannot express (a subscriber that did not negotiate headers).
 */
import net from "node:net";
import { startBroker } from "./broker";
import { haveNatsServer, startNatsServer } from "./nats-server";

/** Server settings the client suites need, spelled once for both servers. */
export interface SuiteServerConfig {
  maxPayload?: number;
  /** Server keepalive PING interval. */
  pingIntervalMs?: number;
}

export interface SuiteServer {
  port: number;
  stop(): Promise<void>;
}

export interface ServerTarget {
  label: string;
  start(config: SuiteServerConfig): Promise<SuiteServer>;
}

const OURS: ServerTarget = {
  label: "mq9 broker",
  start: (config) =>
    startBroker({
      ...(config.maxPayload === undefined ? {} : { maxPayload: config.maxPayload }),
      ...(config.pingIntervalMs === undefined ? {} : { pingInterval: config.pingIntervalMs }),
    }),
};

const NATS_SERVER: ServerTarget = {
  label: "nats-server",
  start: (config) => {
    const lines: string[] = [];
    if (config.maxPayload !== undefined) lines.push(`max_payload: ${config.maxPayload}`);
    if (config.pingIntervalMs !== undefined)
      lines.push(`ping_interval: "${config.pingIntervalMs}ms"`);
    return startNatsServer(lines.join("\n"));
  },
};

/**
 * Our broker, plus nats-server when it is installed. CLIENT_SUITE_SERVERS=ours or =nats
 * narrows the run to one of them.
 */
export function serverTargets(): ServerTarget[] {
  const only = process.env.CLIENT_SUITE_SERVERS;
  const all = haveNatsServer() ? [OURS, NATS_SERVER] : [OURS];
  if (only === "ours") return [OURS];
  if (only === "nats") return all.filter((t) => t === NATS_SERVER);
  return all;
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `cond()` holds, polling; rejects naming `what` after `ms`. */
export async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A bare NATS connection driven with protocol text. Everything the server sends is kept as
 * latin1 text, so byte counts in MSG lines can be checked against the payload.
 */
export class RawPeer {
  private received = "";
  private closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.received += chunk;
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  /** Connects and waits for INFO. */
  static async connect(port: number): Promise<RawPeer> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const peer = new RawPeer(socket);
    await peer.waitFor(/^INFO .*\r\n/, 2000);
    return peer;
  }

  /** Everything received so far. */
  text(): string {
    return this.received;
  }

  send(text: string): void {
    this.socket.write(text, "latin1");
  }

  /** Sends PING and waits for the matching PONG, so everything before it has arrived. */
  async roundTrip(ms = 2000): Promise<void> {
    const pongs = (this.received.match(/PONG\r\n/g) ?? []).length;
    this.send("PING\r\n");
    await this.waitFor((t) => (t.match(/PONG\r\n/g) ?? []).length > pongs, ms);
  }

  async waitFor(pattern: RegExp | ((text: string) => boolean), ms: number): Promise<void> {
    const test = typeof pattern === "function" ? pattern : (t: string) => pattern.test(t);
    const deadline = Date.now() + ms;
    while (!test(this.received)) {
      if (this.closed)
        throw new Error(`connection closed; received: ${JSON.stringify(this.received)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}

/** CONNECT for a peer that did not negotiate headers (nats-wire-notes §1.4). */
export const NO_HEADERS_CONNECT = 'CONNECT {"verbose":false,"pedantic":false}\r\n';
