/**
 * One route: a connection to another server of the cluster, either side may have dialled
 * it. It speaks the route protocol (route-parser.ts), keeps the interest the peer sent us
 * (RS+/RS-) and writes the messages our clients publish to it (RMSG/HMSG). Whether it is
 * kept, and what its handshake means for the cluster, is the Cluster's call.
 */
import type { Message } from "../message";
import { Outbound } from "../outbound";
import { CloseReason, dropsOutput } from "../close-reason";
import { PING_LINE, PONG_LINE, errLine } from "../protocol/errors";
import { putString, putUint } from "../protocol/wire";
import type { Transport } from "../transport";
import type { Cluster } from "./cluster";
import type { RouteUrl } from "./options";
import { decodeRouteConnect, decodeRouteInfo, type RouteInfo } from "./route-info";
import { RouteParser, type RouteOp } from "./route-parser";

/** Interest of the peer's clients, as kept in the cluster's remote index. */
export interface RemoteSub {
  readonly route: Route;
  readonly subject: string;
  readonly queue: string | null;
  /** How many members the peer has in this queue group (1 for plain interest). */
  weight: number;
}

export class Route {
  readonly out: Outbound;
  /** The peer's server id: from its CONNECT (accepted) or INFO (either side). */
  remoteId = "";
  /** Its first INFO; null until then. */
  info: RouteInfo | null = null;
  /** Kept by the cluster as the route to `remoteId`. */
  registered = false;
  closed = false;
  closeReason: CloseReason | null = null;
  /**
   * The URL to dial again when this connection ends: the configured route it was dialled
   * at, or one it took over from a duplicate (route.go addRoute "upgrade to solicited").
   */
  redial: RouteUrl | null;
  /** The peer dialled itself (its INFO had our server id): never dialled again. */
  toSelf = false;
  /** The peer takes HMSG (its INFO said headers). */
  headers = false;
  /** Keyed by `subject` or `subject queue`, like the RS- that removes them. */
  readonly subs = new Map<string, RemoteSub>();
  inMsgs = 0;
  outMsgs = 0;
  inBytes = 0;
  outBytes = 0;
  private readonly parser = new RouteParser();
  private connected = false;
  private dirty = false;
  private pingsOut = 0;
  private pingTimer: NodeJS.Timeout | null = null;
  private authTimer: NodeJS.Timeout | null = null;
  private readonly onOp = (op: RouteOp) => this.handle(op);

  constructor(
    readonly cluster: Cluster,
    readonly id: number,
    readonly transport: Transport,
    /** We dialled it (and sent CONNECT); the URL we dialled. */
    readonly dialled: RouteUrl | null,
    /** It is one of the configured routes, so it is retried for ever. */
    readonly explicit: boolean,
  ) {
    this.out = new Outbound(transport);
    this.redial = explicit ? dialled : null;
  }

  get solicited(): boolean {
    return this.dialled !== null;
  }

  /** `rid:<id> - ` style label of nats-server's route log lines. */
  get label(): string {
    return `${this.transport.remoteAddress}:${this.transport.remotePort} - rid:${this.id}`;
  }

  /** Sends our CONNECT (when we dialled) and INFO, and starts reading. */
  begin(connectLine: Buffer | null, infoLine: Buffer): void {
    if (connectLine !== null) this.out.append(connectLine);
    this.out.append(infoLine);
    this.markDirty();
    this.transport.attach({
      data: (chunk) => this.read(chunk),
      drain: () => this.out.drained(),
      close: () => this.close(CloseReason.ClientClosed),
    });
    const auth = this.cluster.options.authorization;
    if (!this.solicited && auth !== null) {
      this.authTimer = setTimeout(() => {
        if (this.connected || this.closed) return;
        this.sendErr("Authentication Timeout");
        this.close(CloseReason.AuthenticationTimeout);
      }, auth.timeoutMs);
      this.authTimer.unref();
    }
    this.armPing();
  }

  private read(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.parser.parse(chunk, this.onOp);
    } catch (err) {
      this.cluster.log.error(`${this.label} - Route handler failed: ${String(err)}`);
      this.close(CloseReason.Other);
    }
  }

  private handle(op: RouteOp): void {
    if (this.closed) return;
    switch (op.kind) {
      case "CONNECT": {
        const c = decodeRouteConnect(op.json);
        if (!c.ok) return this.protocolError(c.reason);
        this.connected = this.cluster.routeConnected(this, c.value);
        if (this.connected && this.authTimer !== null) clearTimeout(this.authTimer);
        return;
      }
      case "INFO": {
        const i = decodeRouteInfo(op.json);
        if (!i.ok) return this.protocolError(i.reason);
        if (!this.solicited && !this.connected) {
          // route.go: the side that was dialled waits for CONNECT first.
          return this.protocolError("INFO before CONNECT");
        }
        this.cluster.routeInfo(this, i.value);
        return;
      }
      case "PING":
        this.sendProto(PONG_LINE);
        return;
      case "PONG":
        this.pingsOut = 0;
        return;
      case "OK":
        return;
      case "ERR":
        // client.go processErr: a route that reports an error is closed.
        this.cluster.log.error(`${this.label} - Route Error '${op.text}'`);
        this.close(CloseReason.ParseError);
        return;
      case "FAIL":
        // parser.go parseErr: whatever could not be parsed, this is what the peer is told.
        this.cluster.log.error(`${this.label} - Route parser error: ${op.reason}`);
        this.sendErr("Unknown Protocol Operation");
        this.close(CloseReason.ParseError);
        return;
    }
    if (!this.registered) return this.protocolError(`${op.kind} before the route was registered`);
    switch (op.kind) {
      case "RS+":
        this.cluster.remoteSubscribed(this, op);
        return;
      case "RS-":
        this.cluster.remoteUnsubscribed(this, op);
        return;
      case "RMSG":
        this.inMsgs++;
        this.inBytes += op.data.length;
        this.cluster.routedMessage(op);
        return;
    }
  }

  private protocolError(reason: string): void {
    this.cluster.log.error(`${this.label} - Route protocol error: ${reason}`);
    this.sendErr("Protocol Error");
    this.close(CloseReason.ProtocolViolation);
  }

  // ---- output ----

  sendProto(bytes: Buffer): void {
    if (this.closed) return;
    this.out.append(bytes);
    this.wrote();
  }

  /** After queueing output: batch it, or hand it over, or cut off a peer that stopped reading. */
  private wrote(): void {
    const out = this.out;
    if (out.full) out.flush();
    else this.markDirty();
    // As for clients (nats-wire-notes §1.10): a route past max_pending is a slow consumer.
    if (out.pending() > this.cluster.broker.options.maxPending) {
      this.cluster.log.error(`${this.label} - Slow Consumer Detected: route pending too large`);
      this.close(CloseReason.SlowConsumerPendingBytes);
    }
  }

  sendErr(text: string): void {
    this.sendProto(errLine(text));
  }

  /** RS+ (n > 0: the interest, or a queue group's new weight) or RS- (n = 0). */
  sendInterest(account: string, subject: string, queue: string | null, n: number): void {
    let line = `${n > 0 ? "RS+" : "RS-"} ${account} ${subject}`;
    if (queue !== null) line += n > 0 ? ` ${queue} ${n}` : ` ${queue}`;
    this.sendProto(Buffer.from(`${line}\r\n`, "latin1"));
  }

  /**
   * RMSG/HMSG (client.go msgHeaderForRouteOrLeaf): `queues` are the groups this peer was
   * chosen for, marked `+ reply` or `|`; a peer without header support gets the payload.
   */
  sendMsg(account: string, msg: Message, queues: readonly string[] | null): void {
    if (this.closed) return;
    let data = msg.data;
    let hdr = msg.headerSize;
    if (hdr >= 0 && !this.headers) {
      data = data.subarray(hdr);
      hdr = -1;
    }
    const { subject, reply } = msg;
    let queueLen = 0;
    if (queues !== null) for (const q of queues) queueLen += q.length + 1;
    const size =
      5 + account.length + 1 + subject.length + 1 + (reply?.length ?? 0) + 3 + queueLen + 24 + 2;
    const out = this.out;
    const buf = out.reserve(size + data.length + 2);
    let p = out.pos;
    p = putString(buf, p, hdr >= 0 ? "HMSG " : "RMSG ");
    p = putString(buf, p, account);
    buf[p++] = 32;
    p = putString(buf, p, subject);
    buf[p++] = 32;
    if (queues !== null && queues.length > 0) {
      if (reply !== null) {
        buf[p++] = 43; // +
        buf[p++] = 32;
        p = putString(buf, p, reply);
        buf[p++] = 32;
      } else {
        buf[p++] = 124; // |
        buf[p++] = 32;
      }
      for (const q of queues) {
        p = putString(buf, p, q);
        buf[p++] = 32;
      }
    } else if (reply !== null) {
      p = putString(buf, p, reply);
      buf[p++] = 32;
    }
    if (hdr >= 0) {
      p = putUint(buf, p, hdr);
      buf[p++] = 32;
    }
    p = putUint(buf, p, data.length);
    buf[p++] = 13;
    buf[p++] = 10;
    buf.set(data, p);
    p += data.length;
    buf[p++] = 13;
    buf[p++] = 10;
    out.pos = p;
    this.outMsgs++;
    this.outBytes += data.length;
    this.wrote();
  }

  private markDirty(): void {
    if (this.dirty || this.closed) return;
    this.dirty = true;
    this.cluster.broker.scheduleFlush(this);
  }

  /** Called by the broker's flush tick. */
  flush(): void {
    this.dirty = false;
    this.out.flush();
  }

  // ---- keepalive ----

  private armPing(): void {
    const interval = this.cluster.broker.options.pingInterval;
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      if (this.closed) return;
      if (this.pingsOut + 1 > this.cluster.broker.options.maxPingsOut) {
        this.sendErr("Stale Connection");
        this.close(CloseReason.StaleConnection);
        return;
      }
      this.pingsOut++;
      this.sendProto(PING_LINE);
      this.armPing();
    }, interval);
    this.pingTimer.unref();
  }

  // ---- closing ----

  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.parser.stop();
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    if (dropsOutput(reason)) this.transport.destroy(reason);
    else {
      this.out.flush();
      this.transport.end(reason);
    }
    this.cluster.routeClosed(this);
  }
}
