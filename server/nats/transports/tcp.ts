/** NATS over plain TCP: a net.Socket as a Transport, and the listener that accepts them. */
import net from "node:net";
import type { Broker } from "../broker";
import type { CloseReason } from "../close-reason";
import type { Transport, TransportHandlers } from "../transport";
import { TlsUpgrader, type TlsSettings } from "./tls";

export interface Listener {
  address: { host: string; port: number };
  /** Stops accepting new connections; existing ones are the broker's to close. */
  close(): Promise<void>;
}

export class TcpTransport implements Transport {
  readonly kind = "tcp" as const;
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(private readonly socket: net.Socket) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.remotePort = socket.remotePort ?? 0;
    socket.setNoDelay(true);
  }

  attach(h: TransportHandlers): void {
    const s = this.socket;
    s.on("data", h.data);
    s.on("drain", h.drain);
    // Errors (resets, EPIPE) end in 'close'; the client treats both the same way.
    s.on("error", () => {});
    s.once("close", h.close);
  }

  write(chunk: Buffer, done?: (err?: Error | null) => void): void {
    if (this.socket.destroyed) {
      done?.(new Error("connection closed"));
      return;
    }
    this.socket.write(chunk, done);
  }

  pendingBytes(): number {
    return this.socket.writableLength;
  }

  end(_reason: CloseReason): void {
    this.socket.end();
    // A peer that never reads must not keep a closing socket alive forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  destroy(_reason: CloseReason): void {
    this.socket.destroy();
  }
}

export interface TcpListenOptions {
  host: string;
  port: number;
  /** Clients must upgrade to TLS after INFO (`tls { }`); absent = plain TCP. */
  tls?: TlsSettings;
  /** With `tls`: clients may also stay in plain text (nats-server `allow_non_tls`). */
  allowNonTls?: boolean;
}

export async function listenTcp(broker: Broker, opts: TcpListenOptions): Promise<Listener> {
  // Certificates are read here, so a bad one fails the listen rather than each handshake.
  const allowNonTls = opts.allowNonTls ?? false;
  const upgrader = opts.tls ? new TlsUpgrader(opts.tls, broker.log, allowNonTls) : null;
  const server = net.createServer({ noDelay: true }, (socket) => {
    broker.accept(upgrader !== null ? upgrader.transport(socket) : new TcpTransport(socket));
  });
  // "All interfaces" means both stacks, as nats-server does: `::` also takes IPv4 on
  // Linux, so clients that resolve localhost to ::1 connect too. Without IPv6, 0.0.0.0.
  if (opts.host === "0.0.0.0") {
    try {
      await listenOn(server, opts.port, "::");
    } catch {
      await listenOn(server, opts.port, opts.host);
    }
  } else await listenOn(server, opts.port, opts.host);
  const addr = server.address() as net.AddressInfo;
  broker.setAdvertised(
    opts.host,
    addr.port,
    opts.tls ? { verify: opts.tls.verify, optional: allowNonTls } : null,
  );
  return {
    address: { host: opts.host, port: addr.port },
    // server.close() stops accepting at once; its callback would wait for every open
    // connection, which the broker closes separately.
    close: async () => void server.close(),
  };
}

export function listenOn(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
