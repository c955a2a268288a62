/**
 * NATS over TLS, as nats-server does it for TCP clients (server.go createClient): INFO goes
 * out in plain text with `tls_required`, then the client starts the TLS handshake on the
 * same socket, bounded by `tls { timeout }`; with `verify` a client certificate signed by
 * `ca_file` is required. The client above never learns that its bytes are encrypted.
 */
import fs from "node:fs";
import type net from "node:net";
import tls from "node:tls";
import type { CloseReason } from "../close-reason";
import type { Logger } from "../logger";
import type { Transport, TransportHandlers } from "../transport";
import { TcpTransport } from "./tcp";

/** A `tls { }` block: file names as configured, the handshake timeout in ms. */
export interface TlsSettings {
  certFile: string;
  keyFile: string;
  caFile: string | null;
  /** Require a client certificate that `caFile` vouches for (mutual TLS). */
  verify: boolean;
  timeoutMs: number;
}

function readPem(what: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`tls: cannot read ${what} ${file}: ${reason}`);
  }
}

/**
 * Server-side options for node:tls and node:https. Reads the files now, so a missing or
 * bad certificate stops the start instead of failing every handshake later.
 */
export function tlsServerOptions(s: TlsSettings): tls.TlsOptions {
  const ca = s.caFile !== null ? readPem("ca_file", s.caFile) : null;
  const opts: tls.TlsOptions = {
    cert: readPem("cert_file", s.certFile),
    key: readPem("key_file", s.keyFile),
    // nats-server uses ca_file only to check client certificates. Given to OpenSSL without
    // verify, it would also be sent along with cert_file, which nats-server never does.
    ...(ca !== null && s.verify && { ca }),
    requestCert: s.verify,
    rejectUnauthorized: s.verify,
    handshakeTimeout: s.timeoutMs,
  };
  try {
    tls.createSecureContext(opts);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`tls: cannot use ${s.certFile} with ${s.keyFile}: ${reason}`);
  }
  return opts;
}

/**
 * A TLS server's `tlsClientError` handler: bad certificates, plain-text clients and the
 * handshake timeout are logged as nats-server does ("TLS handshake error"), with OpenSSL's
 * error code rather than its stack, and the socket is closed.
 */
export function onTlsClientError(log: Logger) {
  return (err: Error, socket: tls.TLSSocket): void => {
    // The address is gone when the peer hung up first.
    const remote = socket.remoteAddress;
    log.error("TLS handshake error", {
      remote: remote === undefined ? undefined : `${remote}:${socket.remotePort}`,
      err: (err as NodeJS.ErrnoException).code ?? err.message,
    });
    socket.destroy();
  };
}

/** One per TCP listener: turns accepted sockets into transports that upgrade after INFO. */
export class TlsUpgrader {
  /**
   * Never listens: raw sockets are handed to it once INFO is out (the documented way to
   * inject a connection), so it applies requestCert, rejectUnauthorized and the handshake
   * timeout exactly as a listening TLS server would.
   */
  private readonly server: tls.Server;
  /** Transports mid-handshake, by the connection's addresses (unique while it is open). */
  private readonly pending = new Map<string, TlsTransport>();

  constructor(settings: TlsSettings, log: Logger) {
    this.server = tls.createServer(tlsServerOptions(settings));
    this.server.on("secureConnection", (socket: tls.TLSSocket) => {
      const key = connectionKey(socket);
      const transport = this.pending.get(key);
      this.pending.delete(key);
      if (transport === undefined) socket.destroy();
      else transport.secured(socket);
    });
    this.server.on("tlsClientError", onTlsClientError(log));
  }

  transport(socket: net.Socket): Transport {
    return new TlsTransport(socket, this);
  }

  /** Starts the server side of the handshake on a socket whose INFO has gone out. */
  upgrade(socket: net.Socket, transport: TlsTransport): void {
    const key = connectionKey(socket);
    this.pending.set(key, transport);
    socket.once("close", () => {
      if (this.pending.get(key) === transport) this.pending.delete(key);
    });
    this.server.emit("connection", socket);
  }
}

function connectionKey(s: net.Socket): string {
  return `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;
}

interface QueuedWrite {
  chunk: Buffer;
  done: ((err?: Error | null) => void) | undefined;
}

/**
 * Plain until its first write (INFO) has reached the kernel, then a TLS handshake, then a
 * TcpTransport over the TLS socket. Writes made meanwhile wait and go out encrypted.
 */
export class TlsTransport implements Transport {
  readonly kind = "tcp" as const;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private state: "plain" | "handshake" | "secure" | "closed" = "plain";
  private infoSent = false;
  private ending: CloseReason | null = null;
  private handlers: TransportHandlers | undefined;
  private secure: TcpTransport | null = null;
  private queue: QueuedWrite[] = [];
  private queuedBytes = 0;

  constructor(
    private readonly raw: net.Socket,
    private readonly upgrader: TlsUpgrader,
  ) {
    this.remoteAddress = raw.remoteAddress ?? "";
    this.remotePort = raw.remotePort ?? 0;
    raw.setNoDelay(true);
  }

  attach(h: TransportHandlers): void {
    this.handlers = h;
    // Before the upgrade nothing is read from the peer: its first bytes are the handshake.
    this.raw.on("error", () => {});
    this.raw.once("close", this.onClose);
  }

  write(chunk: Buffer, done?: (err?: Error | null) => void): void {
    if (this.secure !== null) return this.secure.write(chunk, done);
    if (this.state === "closed" || this.raw.destroyed) {
      done?.(new Error("connection closed"));
      return;
    }
    if (!this.infoSent) {
      this.infoSent = true;
      // The handshake starts only once INFO has left in plain text.
      this.raw.write(chunk, (err) => {
        done?.(err);
        if (!err && this.state === "plain" && this.ending === null) {
          this.state = "handshake";
          this.upgrader.upgrade(this.raw, this);
        }
      });
      return;
    }
    this.queue.push({ chunk, done });
    this.queuedBytes += chunk.length;
  }

  pendingBytes(): number {
    if (this.secure !== null) return this.secure.pendingBytes();
    return this.raw.writableLength + this.queuedBytes;
  }

  /** Called by the upgrader when the handshake (and the client certificate check) passed. */
  secured(socket: tls.TLSSocket): void {
    if (this.state !== "handshake" || this.handlers === undefined) {
      socket.destroy();
      return;
    }
    this.state = "secure";
    this.raw.off("close", this.onClose);
    const secure = new TcpTransport(socket);
    this.secure = secure;
    const h = this.handlers;
    secure.attach({ data: h.data, drain: h.drain, close: this.onClose });
    const queued = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const w of queued) secure.write(w.chunk, w.done);
    if (queued.length > 0 && secure.pendingBytes() === 0) h.drain();
  }

  end(reason: CloseReason): void {
    if (this.secure !== null) return this.secure.end(reason);
    if (this.state === "closed") return;
    if (this.state === "handshake") {
      // Nothing queued can be sent before the handshake ends; do not wait for it.
      this.destroy(reason);
      return;
    }
    // Still plain (e.g. maximum connections): what is queued goes out in plain text before
    // any handshake, as nats-server sends its -ERR before the TLS upgrade.
    this.ending = reason;
    for (const w of this.queue) this.raw.write(w.chunk, w.done);
    this.queue = [];
    this.queuedBytes = 0;
    this.raw.end();
    setTimeout(() => this.raw.destroy(), 5000).unref();
  }

  destroy(reason: CloseReason): void {
    if (this.secure !== null) return this.secure.destroy(reason);
    this.raw.destroy();
    this.failQueued();
  }

  private failQueued(): void {
    const queued = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const w of queued) w.done?.(new Error("connection closed"));
  }

  private readonly onClose = (): void => {
    if (this.state === "closed") return;
    this.state = "closed";
    this.failQueued();
    this.handlers?.close();
  };
}
