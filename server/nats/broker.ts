/**
 * The NATS broker: clients, the subject index, delivery, output batching and the timers
 * that enforce keepalive and write deadlines. Transports hand it connected byte pipes via
 * accept(); everything above the framing is shared by TCP and WebSocket.
 */
import { randomBytes } from "node:crypto";
import { Client } from "./client";
import { Authenticator } from "./auth/authenticator";
import type { Cluster } from "./cluster/cluster";
import type { OperatorTrust } from "./auth/operator";
import type { AuthConfig } from "./auth/types";
import { CloseReason } from "./close-reason";
import { DEFAULT_HOOKS, type BrokerHooks } from "./hooks";
import { SILENT_LOGGER, type Logger } from "./logger";
import { NATS_DEFAULTS, type BrokerOptions } from "./options";
import { ERR } from "./protocol/errors";
import type { Message } from "./message";
import type { ServerInfo } from "./protocol/info";
import { SubjectIndex, type MatchCacheStats, type MatchResult } from "./subjects/sublist";
import type { Subscription } from "./subscription";
import type { Outbound } from "./outbound";
import type { Transport } from "./transport";

export interface BrokerStats {
  serverId: string;
  serverName: string;
  version: string;
  /** ms since the epoch. */
  startedAt: number;
  connections: number;
  totalConnections: number;
  subscriptions: number;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  slowConsumers: number;
}

/** Anything with batched output the flush tick writes out: clients and routes. */
export interface Flushable {
  flush(): void;
}

export type BrokerConfig = Partial<Omit<BrokerOptions, "hooks">> & {
  hooks?: Partial<BrokerHooks>;
};

/**
 * Whether a connection's output has waited on its socket longer than `deadline` ms (and
 * clears the mark once the socket took everything).
 */
export function writeStalled(
  conn: { out: Outbound; transport: Transport },
  now: number,
  deadline: number,
): boolean {
  const since = conn.out.stalledSince;
  if (since === 0) return false;
  if (conn.transport.pendingBytes() === 0) {
    conn.out.drained();
    return false;
  }
  return now - since > deadline;
}

/** 503 "no responders" status, 2.9.10 form (nats-wire-notes §1.5, §1.8). */
const NO_RESPONDERS = Buffer.from("NATS/1.0 503\r\n\r\n");

/** Base32 of random bytes, like nats-server's 56-character server ids. */
function serverIdentity(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = randomBytes(55);
  let id = "N";
  for (const b of bytes) id += alphabet[b & 31];
  return id;
}

export class Broker {
  readonly options: BrokerOptions;
  readonly hooks: BrokerHooks;
  readonly log: Logger;
  authenticator: Authenticator;
  readonly serverId = serverIdentity();
  readonly startedAt = Date.now();
  readonly clients = new Map<number, Client>();
  private readonly subjects = new SubjectIndex<Subscription>();
  private nextClientId = 1;
  private totalConnections = 0;
  private slowConsumers = 0;
  private inMsgs = 0;
  private inBytes = 0;
  private outMsgs = 0;
  private outBytes = 0;
  private dirty: Flushable[] = [];
  private flushScheduled = false;
  private readonly housekeeping: NodeJS.Timeout;
  private stopping = false;
  /** Lame duck mode: connections that still arrive are closed at once. */
  private lameDuck = false;
  private info: ServerInfo;
  private clusterRef: Cluster | null = null;
  /** When the cluster's client URLs last changed (ms); 0 = never. */
  connectUrlsChangedAt = 0;

  constructor(config: BrokerConfig = {}) {
    const { hooks, ...rest } = config;
    this.options = {
      ...NATS_DEFAULTS,
      log: SILENT_LOGGER,
      ...rest,
      hooks: { ...DEFAULT_HOOKS, ...hooks },
    };
    this.hooks = this.options.hooks;
    this.log = this.options.log;
    this.authenticator = this.makeAuthenticator(this.options.auth);
    this.info = this.makeInfo();
    // Write deadlines are checked on a coarse tick rather than a timer per write.
    const tick = Math.max(50, Math.min(1000, Math.floor(this.options.writeDeadline / 4)));
    this.housekeeping = setInterval(() => this.checkWriteDeadlines(), tick);
    this.housekeeping.unref();
  }

  private makeAuthenticator(
    auth: AuthConfig | null,
    trust: OperatorTrust | null = null,
  ): Authenticator {
    // Why a JWT was refused goes to the debug log only, as nats-server's does.
    return new Authenticator(auth, (why) => this.log.debug(`JWT authentication: ${why}`), trust);
  }

  private makeInfo(): ServerInfo {
    const o = this.options;
    return {
      serverId: this.serverId,
      serverName: o.serverName,
      version: o.version,
      host: o.host,
      port: o.port,
      maxPayload: o.maxPayload,
      authRequired: this.authenticator.advertised,
      // Set only by a TLS listener: INFO must never offer TLS that is not there (§1.1).
      tlsRequired: false,
      tlsVerify: false,
      tlsAvailable: false,
    };
  }

  /**
   * New credentials and permissions (SIGHUP). Connected clients that are no longer
   * allowed are closed, as nats-server does on reload; the others keep their connection.
   */
  setAuth(auth: AuthConfig | null): void {
    const before = this.authenticator;
    // The same operator settings keep their accounts (connection counts, expiry timers).
    const sameOperator =
      before.trust !== null &&
      JSON.stringify(before.trust.config) === JSON.stringify(auth?.operator ?? null);
    this.options.auth = auth;
    if (!sameOperator) before.dispose();
    this.authenticator = this.makeAuthenticator(auth, sameOperator ? before.trust : null);
    this.info = { ...this.info, authRequired: this.authenticator.advertised };
    for (const client of [...this.clients.values()]) client.reauthorize();
  }

  /**
   * New limits (SIGHUP). All are read live, so they apply to open connections too, as
   * nats-server's reload does; max_payload is also advertised in the INFO of new ones.
   */
  reconfigure(limits: Partial<Omit<BrokerOptions, "hooks" | "log" | "auth" | "trace">>): void {
    Object.assign(this.options, limits);
    this.info = { ...this.info, maxPayload: this.options.maxPayload };
  }

  /** Protocol tracing on or off, for open connections too (reload.go: trace). */
  setTrace(on: boolean): void {
    this.options.trace = on;
    for (const client of this.clients.values()) client.setTrace(on);
  }

  serverInfo(): ServerInfo {
    return this.info;
  }

  /**
   * The address clients were told to use, and whether they must (or, `optional`, may)
   * upgrade to TLS after INFO; set by whoever opened the TCP listener.
   */
  setAdvertised(
    host: string,
    port: number,
    tls: { verify: boolean; optional?: boolean } | null = null,
  ): void {
    const optional = tls?.optional ?? false;
    this.info = {
      ...this.info,
      host,
      port,
      // server.go NewServer: allow_non_tls turns tls_required into tls_available.
      tlsRequired: tls !== null && !optional,
      tlsVerify: tls?.verify ?? false,
      tlsAvailable: tls !== null && optional,
    };
  }

  /** Starts serving a connected transport: INFO first, then the client protocol. */
  accept(transport: Transport): Client {
    const client = new Client(this, this.nextClientId++, transport);
    this.totalConnections++;
    this.clients.set(client.id, client);
    this.log.debug(`${client.label} - Client connection created`);
    client.begin();
    const max = this.options.maxConnections;
    if (this.stopping || this.lameDuck) {
      client.close(CloseReason.ServerShutdown);
    } else if (max > 0 && this.clients.size > max) {
      client.sendErr(ERR.maxConnections);
      client.close(CloseReason.MaxConnectionsExceeded);
    }
    return client;
  }

  /** Called by Client.close(). */
  removeClient(client: Client, reason: CloseReason): void {
    if (!this.clients.delete(client.id)) return;
    this.inMsgs += client.inMsgs;
    this.inBytes += client.inBytes;
    this.outMsgs += client.outMsgs;
    this.outBytes += client.outBytes;
    if (
      reason === CloseReason.SlowConsumerPendingBytes ||
      reason === CloseReason.SlowConsumerWriteDeadline
    ) {
      this.slowConsumers++;
      this.log.warn("slow consumer detected", { cid: client.id, reason });
    }
    this.hooks.disconnected(client);
  }

  /**
   * Lame duck mode (lame-duck.ts): from now on new connections are closed, and clients
   * that take asynchronous INFO get one with `"ldm":true` (server.go sendLDMToClients;
   * in a cluster it offers only the other servers' URLs). Returns the socket
   * clients, which the caller closes over time.
   */
  enterLameDuckMode(): Client[] {
    this.lameDuck = true;
    this.clusterRef?.enterLameDuckMode();
    const clients = [...this.clients.values()];
    const info: ServerInfo = { ...this.info, lameDuck: true };
    for (const client of clients) {
      if (!client.asyncInfo || client.closed) continue;
      client.sendProto(client.infoLine(info));
    }
    return clients;
  }

  // ---- the cluster ----

  /** The cluster this server routes to; null when it runs alone. */
  get cluster(): Cluster | null {
    return this.clusterRef;
  }

  /** Routes messages to and from the cluster from now on; its name goes into INFO. */
  attachCluster(cluster: Cluster): void {
    this.clusterRef = cluster;
    this.info = { ...this.info, cluster: cluster.name };
  }

  /** A dynamic cluster name gave way to a peer's; INFO says so from now on. */
  setClusterName(name: string): void {
    this.info = { ...this.info, cluster: name };
  }

  /**
   * The client URLs of the whole cluster changed: INFO lists them from now on, and
   * clients that take asynchronous INFO are told at once, TCP and WebSocket ones each
   * when their list changed (server.go updateServerINFOAndSendINFOToClients).
   */
  setConnectUrls(tcp: string[], ws: string[], notify: { tcp: boolean; ws: boolean }): void {
    this.info = { ...this.info, connectUrls: tcp, wsConnectUrls: ws };
    this.connectUrlsChangedAt = Date.now();
    if (this.stopping) return;
    for (const client of this.clients.values()) {
      if (!client.asyncInfo || client.closed) continue;
      const isWs = client.transport.kind === "websocket";
      if (isWs ? notify.ws : notify.tcp) client.sendProto(client.infoLine(this.info));
    }
  }

  // ---- the subject index ----

  /** Adds a subscription; false when its subject is invalid. */
  index(sub: Subscription): boolean {
    if (!this.subjects.insert(sub)) return false;
    this.clusterRef?.localInterest(sub, 1);
    return true;
  }

  /** Every subscription a published subject reaches (for layers that deliver themselves). */
  match(subject: string): MatchResult<Subscription> {
    return this.subjects.match(subject);
  }

  /** The subject index's match cache figures, for /subsz. */
  matchCacheStats(): MatchCacheStats {
    return this.subjects.cacheStats();
  }

  unindex(sub: Subscription): void {
    if (!this.subjects.remove(sub)) return;
    this.clusterRef?.localInterest(sub, -1);
    this.hooks.unsubscribed(sub);
  }

  // ---- delivery ----

  /** A client published: give layers above a chance, then deliver by NATS rules. */
  publish(from: Client, msg: Message): void {
    if (this.hooks.interceptPublish(from, msg)) return;
    const delivered = this.deliver(from, msg);
    if (!delivered && msg.reply !== null && from.opts.noResponders) {
      this.noResponders(from, msg.reply);
    }
  }

  /**
   * Delivers to every matching plain subscription and one member of each queue group
   * (nats-wire-notes §1.7), in a cluster also to the routes with interest. Returns
   * whether anyone received it. `from` is null for messages the server itself publishes.
   */
  deliver(from: Client | null, msg: Message): boolean {
    const match = this.subjects.match(msg.subject);
    const delivered = this.deliverPlain(from, match.plain, msg);
    // The cluster picks each group's member among its own and the other servers'.
    const cluster = this.clusterRef;
    if (cluster !== null) return cluster.forward(from, msg, match.groups) || delivered;
    return this.deliverGroups(from, match.groups, msg) || delivered;
  }

  /** One member of each queue group, drawn uniformly (client.go); whether any took it. */
  deliverGroups(
    from: Client | null,
    groups: readonly (readonly Subscription[])[],
    msg: Message,
  ): boolean {
    let delivered = false;
    for (let g = 0; g < groups.length; g++) {
      if (this.deliverToAnyMember(from, groups[g]!, msg)) delivered = true;
    }
    return delivered;
  }

  /** A uniformly random member, then the next one able to take it (client.go). */
  private deliverToAnyMember(
    from: Client | null,
    members: readonly Subscription[],
    msg: Message,
  ): boolean {
    const n = members.length;
    return this.deliverToGroup(from, members, n > 1 ? Math.floor(Math.random() * n) : 0, msg);
  }

  private deliverPlain(from: Client | null, plain: readonly Subscription[], msg: Message): boolean {
    let delivered = false;
    for (let i = 0; i < plain.length; i++) {
      const sub = plain[i]!;
      if (sub.client === from && !from.echo) continue;
      if (this.deliverTo(sub, msg)) delivered = true;
    }
    return delivered;
  }

  /** One member of a queue group: the one at `start`, else the next one able to take it. */
  deliverToGroup(
    from: Client | null,
    members: readonly Subscription[],
    start: number,
    msg: Message,
  ): boolean {
    const n = members.length;
    for (let k = 0; k < n; k++) {
      const sub = members[(start + k) % n]!;
      if (sub.client === from && !from.echo) continue;
      if (this.deliverTo(sub, msg)) return true;
    }
    return false;
  }

  /**
   * A message a layer above delivered here itself (choosing recipients NATS matching
   * cannot see): the other servers of the cluster get it by NATS rules, except for the
   * queue groups `served` here already.
   */
  forwardToCluster(from: Client | null, msg: Message, served: ReadonlySet<string>): void {
    this.clusterRef?.forward(from, msg, [], served);
  }

  /**
   * A message another server routed here: to our plain subscribers, and to one member of
   * each queue group the sender chose this server for (client.go processInboundRoutedMsg).
   */
  deliverRouted(msg: Message, queues: readonly string[]): void {
    const match = this.subjects.match(msg.subject);
    this.deliverPlain(null, match.plain, msg);
    if (queues.length === 0) return;
    for (const members of match.groups) {
      if (queues.includes(members[0]!.queue!)) this.deliverToAnyMember(null, members, msg);
    }
  }

  /** One delivery, honouring UNSUB max; exposed for layers that choose recipients themselves. */
  deliverTo(sub: Subscription, msg: Message): boolean {
    if (sub.closed) return false;
    if (sub.denyFiltered && !sub.client.permissions!.canReceive(msg.subject)) return false;
    const n = ++sub.delivered;
    // Auto-unsubscribe (client.go deliverMsg): deliver the max-th, then remove.
    if (sub.max > 0 && n > sub.max) {
      sub.client.removeSub(sub);
      return false;
    }
    const ok = sub.client.writeMsg(sub, msg);
    if (ok && msg.reply !== null && sub.client.tracksResponses) sub.client.allowResponse(msg.reply);
    if (sub.max > 0 && n === sub.max) sub.client.removeSub(sub);
    return ok;
  }

  /** The 503 status to the publisher's own subscription on the reply subject (§1.8). */
  private noResponders(client: Client, reply: string): void {
    for (const sub of this.subjects.match(reply).plain) {
      if (sub.client === client) {
        const status: Message = {
          subject: reply,
          reply: null,
          headerSize: NO_RESPONDERS.length,
          data: NO_RESPONDERS,
          sizeText: null,
        };
        client.writeMsg(sub, status);
        return;
      }
    }
  }

  // ---- output batching ----

  scheduleFlush(client: Flushable): void {
    this.dirty.push(client);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One write per client per turn of the event loop, whatever it received meanwhile.
      setImmediate(this.flushAll);
    }
  }

  /**
   * Writes every pending batch now instead of on the next tick: for a layer that just
   * delivered from a timer or a commit, which would otherwise wait one more turn.
   */
  flushNow(): void {
    this.flushAll();
  }

  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    const list = this.dirty;
    this.dirty = [];
    for (let i = 0; i < list.length; i++) list[i]!.flush();
  };

  private checkWriteDeadlines(): void {
    const deadline = this.options.writeDeadline;
    const now = Date.now();
    for (const client of this.clients.values()) {
      if (writeStalled(client, now, deadline)) client.close(CloseReason.SlowConsumerWriteDeadline);
    }
    this.clusterRef?.checkWriteDeadlines(now, deadline);
  }

  // ---- figures and shutdown ----

  stats(): BrokerStats {
    let inMsgs = this.inMsgs;
    let inBytes = this.inBytes;
    let outMsgs = this.outMsgs;
    let outBytes = this.outBytes;
    for (const c of this.clients.values()) {
      inMsgs += c.inMsgs;
      inBytes += c.inBytes;
      outMsgs += c.outMsgs;
      outBytes += c.outBytes;
    }
    return {
      serverId: this.serverId,
      serverName: this.options.serverName || this.serverId,
      version: this.options.version,
      startedAt: this.startedAt,
      connections: this.clients.size,
      totalConnections: this.totalConnections,
      subscriptions: this.subjects.size,
      inMsgs,
      outMsgs,
      inBytes,
      outBytes,
      slowConsumers: this.slowConsumers,
    };
  }

  /**
   * Graceful stop: flushes what every client has queued, closes them, and resolves once
   * their transports are closed (or after `timeoutMs`). Listeners are closed by whoever
   * opened them, before calling this.
   */
  async shutdown(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    clearInterval(this.housekeeping);
    this.authenticator.dispose();
    const clients = [...this.clients.values()];
    const closed = clients.map((c) => c.gone);
    for (const c of clients) c.close(CloseReason.ServerShutdown);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const c of clients) c.transport.destroy(CloseReason.ServerShutdown);
          resolve();
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
