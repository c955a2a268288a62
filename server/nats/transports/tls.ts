/**
 * NATS over TLS, as nats-server does it for TCP clients (server.go createClient): INFO goes
 * out in plain text with `tls_required`, then the client starts the TLS handshake on the
 * same socket, bounded by `tls { timeout }`; with `verify` a client certificate signed by
 * `ca_file` is required. The client above never learns that its bytes are encrypted.
 *
 * With `allow_non_tls` INFO offers TLS (`tls_available`) instead of requiring it, and the
 * client's first byte decides: a TLS record (0x16, a ClientHello) starts the handshake,
 * anything else is the plain protocol. A client that sends nothing within the TLS timeout
 * is plain too (nats-server reads up to 4 bytes under that deadline).
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

  /**
   * `allowNonTls`: clients may also stay in plain text (`allow_non_tls`); the TLS timeout
   * then also bounds the wait for the byte that tells which they chose.
   */
  constructor(
    private readonly settings: TlsSettings,
    log: Logger,
    private readonly allowNonTls = false,
  ) {
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
    return new TlsTransport(socket, this, this.allowNonTls ? this.settings.timeoutMs : null);
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

/** The first byte of a TLS record carrying a handshake message (a ClientHello). */
const TLS_HANDSHAKE_RECORD = 0x16;

/**
 * Plain until its first write (INFO) has reached the kernel, then a TLS handshake, then a
 * TcpTransport over the TLS socket. Writes made meanwhile wait and go out encrypted.
 * Optional TLS (`allow_non_tls`) waits for the client's first byte as well, and may
 * continue with a TcpTransport over the plain socket instead.
 */
export class TlsTransport implements Transport {
  readonly kind = "tcp" as const;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** `secure`: a TcpTransport carries the traffic now, over TLS or (optional TLS) not. */
  private state: "plain" | "handshake" | "secure" | "closed" = "plain";
  private infoSent = false;
  /** INFO has reached the kernel. */
  private infoDone = false;
  /** Optional TLS only: the client has not yet shown which it speaks. */
  private undecided: boolean;
  /** The client's first byte was a TLS record. */
  private wantsTls: boolean;
  private decideTimer: NodeJS.Timeout | null = null;
  private ending: CloseReason | null = null;
  private handlers: TransportHandlers | undefined;
  private secure: TcpTransport | null = null;
  private queue: QueuedWrite[] = [];
  private queuedBytes = 0;

  /** `optionalTimeoutMs`: non-null for optional TLS, how long to wait for the first byte. */
  constructor(
    private readonly raw: net.Socket,
    private readonly upgrader: TlsUpgrader,
    private readonly optionalTimeoutMs: number | null = null,
  ) {
    this.remoteAddress = raw.remoteAddress ?? "";
    this.remotePort = raw.remotePort ?? 0;
    this.undecided = optionalTimeoutMs !== null;
    this.wantsTls = optionalTimeoutMs === null;
    raw.setNoDelay(true);
  }

  attach(h: TransportHandlers): void {
    this.handlers = h;
    this.raw.on("error", () => {});
    this.raw.once("close", this.onClose);
    // Before the upgrade nothing is read from the peer: its first bytes are the handshake.
    // With optional TLS the first bytes are read to see which it is.
    if (this.optionalTimeoutMs !== null) {
      this.raw.on("data", this.onFirstData);
      this.decideTimer = setTimeout(() => this.choosePlain(null), this.optionalTimeoutMs);
      this.decideTimer.unref();
    }
  }

  private readonly onFirstData = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    if (chunk[0] === TLS_HANDSHAKE_RECORD) {
      this.decided();
      this.wantsTls = true;
      // Handed back, for the TLS socket to read first (node:tls takes what is buffered).
      this.raw.pause();
      this.raw.unshift(chunk);
      if (this.infoDone) this.startHandshake();
    } else this.choosePlain(chunk);
  };

  private decided(): void {
    this.undecided = false;
    this.raw.off("data", this.onFirstData);
    if (this.decideTimer !== null) clearTimeout(this.decideTimer);
    this.decideTimer = null;
  }

  /** Optional TLS, and the client speaks plain NATS: `first` is what it sent so far. */
  private choosePlain(first: Buffer | null): void {
    if (!this.undecided || this.state !== "plain" || this.ending !== null) return;
    this.decided();
    this.adopt(new TcpTransport(this.raw));
    if (first !== null) this.handlers?.data(first);
  }

  private startHandshake(): void {
    if (this.state !== "plain" || this.ending !== null) return;
    this.state = "handshake";
    this.upgrader.upgrade(this.raw, this);
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
        if (err) return;
        this.infoDone = true;
        if (this.wantsTls) this.startHandshake();
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
    this.adopt(new TcpTransport(socket));
  }

  /** From here on `secure` carries everything; what was queued meanwhile goes first. */
  private adopt(secure: TcpTransport): void {
    const h = this.handlers!;
    this.state = "secure";
    this.raw.off("close", this.onClose);
    this.secure = secure;
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
    if (this.undecided) this.decided();
    this.ending = reason;
    for (const w of this.queue) this.raw.write(w.chunk, w.done);
    this.queue = [];
    this.queuedBytes = 0;
    this.raw.end();
    setTimeout(() => this.raw.destroy(), 5000).unref();
  }

  destroy(reason: CloseReason): void {
    if (this.secure !== null) return this.secure.destroy(reason);
    if (this.decideTimer !== null) clearTimeout(this.decideTimer);
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
    if (this.decideTimer !== null) clearTimeout(this.decideTimer);
    this.failQueued();
    this.handlers?.close();
  };
}
