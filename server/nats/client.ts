/**
 * One client connection: its parser, its CONNECT options, its subscriptions and its
 * outbound batch. It writes to a Transport and never learns whether that is TCP or
 * WebSocket. Ops are handed to the dispatcher; delivery to other clients goes through the
 * broker.
 */
import type { ConnectContext, Identity } from "./auth/authenticator";
import { NO_LIMIT } from "./auth/jwt";
import { newNonce } from "./auth/nkeys";
import { minLimit, type AccountMember, type JwtGrant } from "./auth/operator";
import type { Permissions } from "./auth/permissions";
import { CloseReason, dropsOutput } from "./close-reason";
import type { Broker } from "./broker";
import { dispatch } from "./dispatcher";
import type { Message } from "./message";
import { Outbound } from "./outbound";
import { DEFAULT_CONNECT, type ConnectOptions } from "./protocol/connect";
import { ERR, OK_LINE, PING_LINE, PONG_LINE, errLine } from "./protocol/errors";
import { infoLine, type ServerInfo } from "./protocol/info";
import type { Op } from "./protocol/ops";
import { Parser } from "./protocol/parser";
import { ParsedPub } from "./protocol/pub-op";
import { putString, putUint } from "./protocol/wire";
import type { Subscription } from "./subscription";
import { clientLabel, ProtocolTrace } from "./trace";
import type { Transport } from "./transport";

export type ReceiptCallback = (received: boolean) => void;

/** client.go DEFAULT_RTT_MEASUREMENT_INTERVAL. */
const RTT_INTERVAL = 60 * 60 * 1000;
// Room for the fixed parts of a MSG/HMSG line: op, separators, two sizes, CRLFs (a cached
// line head includes its op and separators, so this overestimates then, harmlessly).
const LINE_OVERHEAD = 5 + 4 + 20 + 4;

export class Client implements AccountMember {
  readonly id: number;
  readonly transport: Transport;
  readonly startedAt = Date.now();
  opts: ConnectOptions = { ...DEFAULT_CONNECT };
  /** A valid CONNECT was processed. */
  connected = false;
  /**
   * Takes asynchronous INFO (lame duck mode; a JWT's max payload): it sent CONNECT with
   * protocol 1, then a PING (client.go: protocol >= ClientProtoInfo and firstPongSent).
   */
  asyncInfo = false;
  closed = false;
  closeReason: CloseReason | null = null;
  readonly subs = new Map<string, Subscription>();
  readonly out: Outbound;
  // Counters, for /connz-style monitoring.
  inMsgs = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  /** Last CONNECT, message or (un)subscription from the peer, in ms (client.go c.last). */
  lastActivity = Date.now();
  /**
   * When the read being handled arrived. Ops are only ever handled inside a read, so
   * handlers use this instead of calling Date.now() per message (~60 ns each here).
   */
  readAt = Date.now();
  /** Last PING from the peer (client.go c.ping.last). */
  lastRemotePing = 0;
  /** When we last sent a PING; 0 before the first (client.go rttStart). */
  lastPingSent = 0;
  pingsOut = 0;
  /** Who this client authenticated as; null before CONNECT. */
  identity: Identity | null = null;
  /** Operator mode: the account and limits its user JWT gave it (joinAccount). */
  grant: JwtGrant | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  /** The nonce sent in INFO when nkey users are configured. */
  nonce: string | undefined;
  private authTimer: NodeJS.Timeout | null = null;
  /** Whether this client's permissions let it answer the requests it receives. */
  tracksResponses = false;
  private readonly responses = new Map<string, { left: number; expiresAt: number }>();
  /** One entry per PING we sent that awaits its PONG, oldest first. */
  private receipts: (ReceiptCallback | null)[] = [];
  private readonly parser: Parser;
  /** Non-null while protocol tracing is on (see setTrace). */
  private tracer: ProtocolTrace | null = null;
  /** The CONNECT that names this client in log lines, valid or not (see noteConnect). */
  private named: ConnectOptions | null = null;
  private dirty = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private readonly onOp = (op: Op) => this.handle(op);
  private markGone!: () => void;
  /** Resolves once the transport underneath has closed. */
  readonly gone = new Promise<void>((resolve) => (this.markGone = resolve));

  constructor(
    readonly broker: Broker,
    id: number,
    transport: Transport,
  ) {
    this.id = id;
    this.transport = transport;
    this.out = new Outbound(transport);
    // The broker's options themselves: a reload of max_payload or max_control_line
    // reaches open connections too (reload.go maxPayloadOption, maxControlLineOption).
    this.parser = new Parser(broker.options);
    if (broker.options.trace) this.setTrace(true);
  }

  /** How log lines name this client (nats-server's form; see trace.ts). */
  get label(): string {
    return clientLabel(this.transport, this.id, this.named);
  }

  /**
   * A CONNECT was read: from here on log lines name the client by its version, lang and
   * name, even if the CONNECT is then refused (client.go processConnect does it first).
   */
  noteConnect(opts: ConnectOptions): void {
    this.named = opts;
    if (this.tracer !== null) this.tracer.label = this.label;
  }

  /**
   * Turns protocol tracing on or off for this connection (at start, and when a reload
   * changes `trace`). Connections from inside the process are not traced.
   */
  setTrace(on: boolean): void {
    this.tracer =
      on && this.transport.kind !== "internal"
        ? new ProtocolTrace(this.broker.log, this.label)
        : null;
    this.parser.tracer = this.tracer;
  }

  get echo(): boolean {
    return this.opts.echo;
  }

  /** Whether MSG deliveries to this client may carry headers (HMSG). */
  get headers(): boolean {
    return this.opts.headers && this.connected;
  }

  /**
   * INFO for this client: its id and address, and in the first one the nonce it must
   * sign (later, asynchronous INFOs carry none, as nats-server's).
   */
  infoLine(server: ServerInfo, first = false): Buffer {
    return infoLine(server, {
      clientId: this.id,
      clientIp: this.transport.remoteAddress,
      ...(first && { nonce: this.nonce }),
      websocket: this.transport.kind === "websocket",
    });
  }

  /** Sends INFO and starts reading. */
  begin(): void {
    const auth = this.broker.authenticator;
    if (auth.needsNonce) this.nonce = newNonce();
    this.out.append(this.infoLine(this.broker.serverInfo(), true));
    if (auth.required) {
      // nats-wire-notes §1.3: no CONNECT within authorization.timeout.
      this.authTimer = setTimeout(() => {
        if (this.connected || this.closed) return;
        this.sendErr(ERR.authTimeout);
        this.close(CloseReason.AuthenticationTimeout);
      }, auth.timeoutMs);
      this.authTimer.unref();
    }
    this.markDirty();
    this.transport.attach({
      data: (chunk) => this.read(chunk),
      drain: () => this.out.drained(),
      close: () => {
        this.close(CloseReason.ClientClosed);
        this.markGone();
      },
    });
    this.armPingTimer(this.broker.options.pingInterval);
  }

  private read(chunk: Buffer): void {
    if (this.closed) return;
    this.readAt = Date.now();
    try {
      this.parser.parse(chunk, this.onOp);
    } catch (err) {
      // A bug in handling one connection must not take the process down.
      this.broker.log.error("client handler failed", { cid: this.id, err: String(err) });
      this.close(CloseReason.Other);
    }
  }

  private handle(op: Op): void {
    if (this.closed) return;
    dispatch(this, op);
  }

  /** Negotiated headers change how HPUB is parsed from here on. */
  setConnectOptions(opts: ConnectOptions, identity: Identity): void {
    this.opts = opts;
    this.identity = identity;
    this.tracksResponses = identity.permissions?.responses != null;
    this.connected = true;
    this.parser.headers = opts.headers;
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  get permissions(): Permissions | null {
    return this.identity?.permissions ?? null;
  }

  /** How the authenticator sees this connection (allowed connection types, JWT `src`). */
  get connectContext(): ConnectContext {
    return {
      type: this.transport.kind === "websocket" ? "WEBSOCKET" : "STANDARD",
      ip: this.transport.remoteAddress,
    };
  }

  /**
   * Operator mode, at CONNECT: joins the account of the user's JWT and takes on its limits
   * and expiry (client.go registerWithAccount, applyAccountLimits, setExpiration). False
   * when the account is full, in which case the connection is closed.
   */
  joinAccount(grant: JwtGrant): boolean {
    const account = grant.account;
    // A second CONNECT replaces what the first one granted.
    this.grant?.account.members.delete(this);
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    this.grant = null;
    if (account.connectionsFull()) {
      this.sendErr(ERR.maxAccountConnections);
      this.close(CloseReason.MaxAccountConnectionsExceeded);
      return false;
    }
    this.grant = grant;
    account.members.add(this);
    if (grant.expiresInMs !== null) {
      this.expiryTimer = setTimeout(() => {
        this.sendErr(ERR.userExpired);
        this.close(CloseReason.AuthenticationExpired);
      }, grant.expiresInMs);
      this.expiryTimer.unref();
    }
    if (grant.maxPayload !== NO_LIMIT) {
      const options = this.broker.options;
      this.parser.setLimits({
        get maxControlLine() {
          return options.maxControlLine;
        },
        get maxPayload() {
          return minLimit(grant.maxPayload, options.maxPayload);
        },
      });
    } else this.parser.setLimits(this.broker.options);
    const maxSubs = this.maxSubscriptions();
    if (maxSubs !== NO_LIMIT && this.subs.size >= maxSubs) {
      // client.go applyAccountLimits: told after what is being handled, closed 20 ms later.
      setImmediate(() => {
        this.sendErr(ERR.maxSubscriptions);
        setTimeout(() => this.close(CloseReason.MaxSubscriptionsExceeded), 20).unref();
      });
    }
    return true;
  }

  /** The account of this client's JWT expired (accounts.go expiredTimeout). */
  accountExpired(): void {
    this.sendErr(ERR.accountExpired);
    this.close(CloseReason.AuthenticationExpired);
  }

  /** Subscriptions this connection may hold; -1 = no limit. */
  maxSubscriptions(): number {
    const server = this.broker.options.maxSubscriptions;
    const limit = server > 0 ? server : NO_LIMIT;
    return this.grant === null ? limit : minLimit(this.grant.maxSubs, limit);
  }

  /** The max payload this connection works with (its JWT's may be lower than the server's). */
  get maxPayload(): number {
    const server = this.broker.options.maxPayload;
    return this.grant === null ? server : minLimit(this.grant.maxPayload, server);
  }

  /** `allow_responses`: a reply subject of a request this client received may be answered. */
  allowResponse(reply: string): void {
    const rule = this.permissions?.responses;
    if (rule === null || rule === undefined) return;
    const expiresAt = rule.expiresMs > 0 ? Date.now() + rule.expiresMs : 0;
    this.responses.set(reply, { left: rule.maxMsgs, expiresAt });
  }

  /** Uses up one allowed response to `subject`, if there is one. */
  useResponse(subject: string): boolean {
    const r = this.responses.get(subject);
    if (r === undefined) return false;
    if (r.expiresAt !== 0 && Date.now() > r.expiresAt) {
      this.responses.delete(subject);
      return false;
    }
    // A negative max means any number of responses.
    if (r.left > 0 && --r.left === 0) this.responses.delete(subject);
    return true;
  }

  /** Checks this client again against reloaded credentials; closes it if it no longer passes. */
  reauthorize(): void {
    // JWT users keep their grant: operator settings cannot change on reload.
    if (!this.connected || this.closed || this.grant !== null) return;
    const identity = this.broker.authenticator.check(this.opts, this.nonce, this.connectContext);
    if (identity === null) {
      this.sendErr(ERR.authViolation);
      this.close(CloseReason.AuthenticationViolation);
      return;
    }
    this.identity = identity;
    this.tracksResponses = identity.permissions?.responses != null;
    // Subscriptions the new permissions no longer allow are taken back, with the
    // violation sent as nats-server's reload does (it names the sid).
    const perms = identity.permissions;
    if (perms === null) return;
    for (const sub of [...this.subs.values()]) {
      if (perms.canSubscribe(sub.subject, sub.queue)) {
        sub.denyFiltered = perms.needsDeliveryFilter(sub.subject);
        continue;
      }
      this.sendErr(`${ERR.subscribeViolation(sub.subject, sub.queue)} (sid "${sub.sid}")`);
      this.removeSub(sub);
    }
  }

  // ---- output ----

  markDirty(): void {
    if (this.dirty || this.closed) return;
    this.dirty = true;
    this.broker.scheduleFlush(this);
  }

  /** Called by the broker's flush tick. */
  flush(): void {
    this.dirty = false;
    this.out.flush();
  }

  sendProto(bytes: Buffer): void {
    if (this.closed) return;
    this.out.append(bytes);
    this.markDirty();
  }

  sendOK(): void {
    if (!this.opts.verbose) return;
    if (this.tracer !== null) this.tracer.out("OK");
    this.sendProto(OK_LINE);
  }

  sendErr(text: string): void {
    if (this.tracer !== null) this.tracer.out("-ERR", text);
    this.sendProto(errLine(text));
  }

  sendPong(): void {
    if (this.tracer !== null) this.tracer.out("PONG");
    this.sendProto(PONG_LINE);
  }

  /**
   * Calls `cb(true)` once the client has read everything queued for it so far, proven by
   * its PONG to a PING sent behind it (a client answers PINGs in order); `cb(false)` if
   * the connection ends first. Layers above use it as a delivery receipt (mq9.md §6.2).
   */
  confirmReceipt(cb: ReceiptCallback): void {
    if (this.closed) return cb(false);
    this.receipts.push(cb);
    if (this.tracer !== null) this.tracer.out("PING");
    this.sendProto(PING_LINE);
  }

  /** A PONG answers the oldest PING we sent, a keepalive or a receipt. */
  onPong(): void {
    this.pingsOut = 0;
    const cb = this.receipts.shift();
    cb?.(true);
  }

  sendPing(): void {
    // A keepalive takes a place in the PONG queue too, so receipts stay matched.
    this.receipts.push(null);
    this.pingsOut++;
    this.lastPingSent = Date.now();
    if (this.tracer !== null) this.tracer.out("PING");
    this.sendProto(PING_LINE);
  }

  /**
   * Queues one MSG or HMSG for `sub` (client.go msgHeader/deliverMsg): headers are
   * stripped for a client that did not negotiate them, and the size recomputed.
   * Returns false when the client is gone or was cut off as a slow consumer.
   */
  writeMsg(sub: Subscription, msg: Message): boolean {
    if (this.closed) return false;
    const { subject, reply } = msg;
    // A message straight from the parser is copied out of the read buffer without making
    // a Buffer view of its payload (see ParsedPub).
    const parsed = msg instanceof ParsedPub ? msg : null;
    const total = parsed !== null ? parsed.size : msg.data.length;
    let hdr = msg.headerSize;
    let sizeText = msg.sizeText;
    let skip = 0;
    if (hdr >= 0 && !this.headers) {
      skip = hdr;
      hdr = -1;
      sizeText = null;
    }
    const bodyLen = total - skip;
    // A message on the subscription's own subject (always so without wildcards) starts
    // with a cached `MSG <subject> <sid> `; others have the line written out.
    const head = subject === sub.subject ? sub.msgHead() : null;
    const size =
      LINE_OVERHEAD +
      (head === null ? subject.length + sub.sid.length : head.length) +
      (reply === null ? 0 : reply.length + 1) +
      bodyLen +
      (sizeText === null ? 0 : sizeText.length);
    const out = this.out;
    const buf = out.reserve(size);
    let p = out.pos;
    if (hdr >= 0) buf[p++] = 72; // H
    if (head !== null) p = head.copyTo(buf, out.view, p);
    else {
      buf[p++] = 77; // M
      buf[p++] = 83; // S
      buf[p++] = 71; // G
      buf[p++] = 32;
      p = putString(buf, p, subject);
      buf[p++] = 32;
      p = putString(buf, p, sub.sid);
      buf[p++] = 32;
    }
    if (reply !== null) {
      p = putString(buf, p, reply);
      buf[p++] = 32;
    }
    if (sizeText !== null) p = putString(buf, p, sizeText);
    else {
      if (hdr >= 0) {
        p = putUint(buf, p, hdr);
        buf[p++] = 32;
      }
      p = putUint(buf, p, bodyLen);
    }
    buf[p++] = 13;
    buf[p++] = 10;
    if (parsed !== null) p = parsed.copyData(buf, out.view, p, skip);
    else {
      buf.set(skip === 0 ? msg.data : msg.data.subarray(skip), p);
      p += bodyLen;
    }
    buf[p++] = 13;
    buf[p++] = 10;
    out.pos = p;
    if (this.tracer !== null) this.traceMsg(hdr, subject, sub.sid, reply, sizeText, bodyLen);
    this.outMsgs++;
    this.outBytes += bodyLen;
    if (out.full) out.flush();
    else this.markDirty();
    // nats-wire-notes §1.10: past max_pending the client is cut off, silently.
    if (out.pending() > this.broker.options.maxPending) {
      this.close(CloseReason.SlowConsumerPendingBytes);
      return false;
    }
    return true;
  }

  private traceMsg(
    hdr: number,
    subject: string,
    sid: string,
    reply: string | null,
    sizeText: string | null,
    bodyLen: number,
  ): void {
    const sizes = sizeText ?? (hdr >= 0 ? `${hdr} ${bodyLen}` : String(bodyLen));
    this.tracer!.msg(hdr >= 0, subject, sid, reply, sizes);
  }

  // ---- subscriptions ----

  /** Removes a subscription from this client and from the broker's index. */
  removeSub(sub: Subscription): void {
    if (sub.closed) return;
    if (this.tracer !== null) this.tracer.delsub(sub.sid);
    sub.closed = true;
    this.subs.delete(sub.sid);
    this.broker.unindex(sub);
  }

  // ---- keepalive (nats-wire-notes §1.10) ----

  armPingTimer(ms: number): void {
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.onPingTimer(), ms);
    this.pingTimer.unref();
  }

  private onPingTimer(): void {
    this.pingTimer = null;
    if (this.closed) return;
    const interval = this.broker.options.pingInterval;
    const now = Date.now();
    // client.go processPingTimer: recent traffic or a PING from the client makes our PING
    // unnecessary, but only once a round trip was measured, i.e. after CONNECT and our
    // first PING.
    const needRtt =
      !this.connected || this.lastPingSent === 0 || now - this.lastPingSent > RTT_INTERVAL;
    const recent = now - this.lastActivity < interval || now - this.lastRemotePing < interval;
    if (needRtt || !recent) {
      if (this.pingsOut + 1 > this.broker.options.maxPingsOut) {
        this.sendErr(ERR.staleConnection);
        this.close(CloseReason.StaleConnection);
        return;
      }
      this.sendPing();
    }
    this.armPingTimer(interval);
  }

  // ---- closing ----

  /**
   * Ends the connection. Graceful reasons flush what is queued first; slow consumers and
   * transport failures are dropped at once. Safe to call more than once.
   */
  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    // Before the subscriptions' DELSUB trace lines, as client.go closeConnection logs it.
    if (this.transport.kind !== "internal")
      this.broker.log.debug(`${this.label} - Client connection closed: ${reason}`);
    this.parser.stop();
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.grant?.account.members.delete(this);
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    for (const sub of this.subs.values()) {
      if (this.tracer !== null) this.tracer.delsub(sub.sid);
      sub.closed = true;
      this.broker.unindex(sub);
    }
    this.subs.clear();
    if (dropsOutput(reason)) this.transport.destroy(reason);
    else {
      this.out.flush();
      this.transport.end(reason);
    }
    // Receipts still awaited will never come.
    const waiting = this.receipts;
    this.receipts = [];
    for (const cb of waiting) cb?.(false);
    this.broker.removeClient(this, reason);
  }
}
