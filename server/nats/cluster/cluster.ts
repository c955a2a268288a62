/**
 * This server's part in a cluster of NATS servers (nats-server's route.go, reduced to
 * one account): the route listener, the routes it dials and redials, which server a
 * connection belongs to, the interest each side sends the other, and the client URLs of
 * the other servers, which clients learn through INFO so they can fail over.
 *
 * The cluster is a full mesh: a message crosses at most one route. A server that joins
 * through one seed learns of the others by gossip (the seed passes the newcomer's INFO
 * on) and they dial it (implicit routes).
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import { passwordMatches } from "../auth/authenticator";
import { writeStalled, type Broker } from "../broker";
import type { Client } from "../client";
import { CloseReason } from "../close-reason";
import type { Logger } from "../logger";
import type { Message } from "../message";
import { SubjectIndex } from "../subjects/sublist";
import type { Subscription } from "../subscription";
import { joinHostPort, reachableHosts, splitHostPort } from "../host-port";
import { TcpTransport, listenOn } from "../transports/tcp";
import type { ClusterOptions, RouteUrl } from "./options";
import { Route, type RemoteSub } from "./route";
import { parseRouteUrl } from "./route-url";
import {
  gossipInfoLine,
  routeConnectLine,
  routeInfoLine,
  type RouteConnect,
  type RouteInfo,
} from "./route-info";
import type { RouteMsgOp, RouteSubOp, RouteUnsubOp } from "./route-parser";

/** The one account of this broker, by nats-server's name for the global account. */
export const ACCOUNT = "$G";
/** const.go DEFAULT_ROUTE_RECONNECT, DEFAULT_ROUTE_CONNECT, DEFAULT_ROUTE_DIAL. */
const RECONNECT_MS = 1000;
const RETRY_MS = 1000;
const DIAL_TIMEOUT_MS = 1000;

/** A route's figures, for /routez and /varz. */
export interface RouteSummary {
  rid: number;
  remoteId: string;
  remoteName: string;
  didSolicit: boolean;
  isConfigured: boolean;
  ip: string;
  port: number;
  pendingBytes: number;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  subscriptions: string[];
}

/** Generated like nats-server's dynamic cluster names (a nuid). */
function generatedName(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let name = "";
  for (const b of randomBytes(22)) name += alphabet[b % alphabet.length];
  return name;
}

/**
 * `host:port` for each address clients can reach a listener at: every non-loopback
 * interface address when it listens on all of them (server.go getConnectURLs).
 */
export function connectUrls(host: string, port: number): string[] {
  return reachableHosts(host, false).map((h) => joinHostPort(h, port));
}

/** Reference-counted URLs: several routes may name the same one. */
class UrlSet {
  private readonly counts = new Map<string, number>();

  /** True when the set of URLs changed. */
  add(urls: readonly string[]): boolean {
    let changed = false;
    for (const u of urls) {
      const n = this.counts.get(u) ?? 0;
      this.counts.set(u, n + 1);
      if (n === 0) changed = true;
    }
    return changed;
  }

  remove(urls: readonly string[]): boolean {
    let changed = false;
    for (const u of urls) {
      const n = this.counts.get(u);
      if (n === undefined) continue;
      if (n > 1) this.counts.set(u, n - 1);
      else {
        this.counts.delete(u);
        changed = true;
      }
    }
    return changed;
  }

  list(): string[] {
    return [...this.counts.keys()];
  }
}

export class Cluster {
  readonly log: Logger;
  /** The cluster's name; a dynamic one gives way to a peer's (route.go processRouteInfo). */
  name: string;
  dynamic: boolean;
  /** Interest of every other server's clients. */
  readonly remote = new SubjectIndex<RemoteSub>();
  /** Bound route listener; null before listen(). */
  address: { host: string; port: number } | null = null;
  /** Registered routes by the peer's server id. */
  private readonly routes = new Map<string, Route>();
  /** Every route connection, registered or still in its handshake. */
  private readonly live = new Set<Route>();
  /** Our clients' interest: `subject` or `subject queue` → subscriptions (route.go acc.rm). */
  private readonly interest = new Map<string, number>();
  private readonly peerUrls = new UrlSet();
  private readonly peerWsUrls = new UrlSet();
  private ownUrls: string[] = [];
  private ownWsUrls: string[] = [];
  private server: net.Server | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dialling = new Set<net.Socket>();
  private nextId = 1;
  private stopping = false;
  private lameDuck = false;

  constructor(
    readonly broker: Broker,
    readonly options: ClusterOptions,
  ) {
    this.log = broker.log;
    this.dynamic = options.name === null;
    this.name = options.name ?? generatedName();
  }

  /** Opens the route listener. */
  async listen(): Promise<{ host: string; port: number }> {
    const server = net.createServer({ noDelay: true }, (socket) => {
      this.open(new TcpTransport(socket), null, false);
    });
    await listenOn(server, this.options.port, this.options.host);
    this.server = server;
    const port = (server.address() as net.AddressInfo).port;
    this.address = { host: this.options.host, port };
    this.log.info(`Cluster name is ${this.name}`);
    if (this.dynamic) this.log.warn("Cluster name was dynamically generated, consider setting one");
    this.log.info(`Listening for route connections on ${joinHostPort(this.options.host, port)}`);
    return this.address;
  }

  /**
   * The client URLs this server advertises (its TCP and WebSocket listeners), then the
   * configured routes are dialled. Call after listen() and after the client listeners
   * are open, as nats-server does.
   */
  start(clientUrls: string[], wsUrls: string[]): void {
    this.ownUrls = clientUrls;
    this.ownWsUrls = wsUrls;
    for (const url of this.options.routes) this.dial(url, true, 0);
  }

  // ---- connections ----

  private open(transport: TcpTransport, dialled: RouteUrl | null, explicit: boolean): void {
    const route = new Route(this, this.nextId++, transport, dialled, explicit);
    this.live.add(route);
    if (this.stopping) {
      route.close(CloseReason.ServerShutdown);
      return;
    }
    const connect =
      dialled === null
        ? null
        : routeConnectLine({
            serverId: this.broker.serverId,
            user: dialled.user,
            pass: dialled.pass,
            cluster: this.name,
            dynamic: this.dynamic,
          });
    route.begin(connect, this.infoLine());
    this.log.info(`${route.label} - Route connection created`);
  }

  /** Our route INFO, as sent when a route connects (and in lame duck mode). */
  private infoLine(): Buffer {
    const o = this.options;
    const port = this.address?.port ?? o.port;
    // `advertise` is host:port, or a host alone with the listener's port (route.go).
    const adv =
      o.advertise === null
        ? null
        : (splitHostPort(o.advertise) ?? { host: o.advertise.replace(/^\[(.*)\]$/, "$1"), port });
    const advertise = !o.noAdvertise;
    return routeInfoLine({
      serverId: this.broker.serverId,
      serverName: this.broker.options.serverName,
      version: this.broker.options.version,
      host: adv?.host ?? o.host,
      port: adv?.port ?? port,
      authRequired: o.authorization !== null,
      maxPayload: this.broker.options.maxPayload,
      ip: adv !== null ? `nats-route://${joinHostPort(adv.host, adv.port)}/` : "",
      cluster: this.name,
      clusterDynamic: this.dynamic,
      connectUrls: advertise ? this.ownUrls : [],
      wsConnectUrls: advertise ? this.ownWsUrls : [],
      lameDuck: this.lameDuck,
    });
  }

  /**
   * Dials a route (route.go connectToRoute): configured ones until they answer, implicit
   * ones `connect_retries` more times.
   */
  private dial(url: RouteUrl, explicit: boolean, attempt: number): void {
    if (this.stopping) return;
    const socket = net.connect({ host: url.host, port: url.port });
    this.dialling.add(socket);
    socket.setTimeout(DIAL_TIMEOUT_MS, () => socket.destroy(new Error("i/o timeout")));
    socket.once("connect", () => {
      this.dialling.delete(socket);
      socket.setTimeout(0);
      if (this.stopping) socket.destroy();
      else this.open(new TcpTransport(socket), url, explicit);
    });
    socket.once("error", (err) => {
      this.dialling.delete(socket);
      const n = attempt + 1;
      const text = `Error trying to connect to route (attempt ${n}): ${err.message}`;
      // server.go shouldReportConnectErr: the first failure, then every so often.
      if (n === 1) this.log.error(`${url.display} - ${text}`);
      else this.log.debug(`${url.display} - ${text}`);
      if (!explicit && n > this.options.connectRetries) return;
      if (explicit && !this.options.routes.includes(url)) return;
      this.later(RETRY_MS, () => this.dial(url, explicit, n));
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopping) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  // ---- the handshake (called by Route) ----

  /** The CONNECT of a route that dialled us (route.go processRouteConnect); false = closed. */
  routeConnected(route: Route, c: RouteConnect): boolean {
    if (route.solicited) return true;
    if (c.lang !== "") {
      // A client library on the route port (ErrClientConnectedToRoutePort).
      route.sendErr("attempted to connect to route port");
      route.close(CloseReason.WrongPort);
      return false;
    }
    if (c.gateway !== "") {
      const text = `Rejecting connection from gateway "${c.gateway}" on the Route port`;
      this.log.error(`${route.label} - ${text}`);
      route.sendErr(text);
      route.close(CloseReason.WrongPort);
      return false;
    }
    const auth = this.options.authorization;
    if (auth !== null && !(c.user === auth.user && passwordMatches(c.pass, auth.password))) {
      // Credentials are never logged, only that they did not match.
      this.log.error(`${route.label} - Router authentication error`);
      route.sendErr("Authorization Violation");
      route.close(CloseReason.AuthenticationViolation);
      return false;
    }
    if (c.cluster !== this.name && !this.adoptName(c.cluster, c.dynamic, route)) {
      const text = `Rejecting connection, cluster name "${c.cluster}" does not match "${this.name}"`;
      this.log.error(`${route.label} - ${text}`);
      route.sendErr(text);
      route.close(CloseReason.ClusterNameConflict);
      return false;
    }
    route.remoteId = c.name;
    route.headers = c.headers;
    return true;
  }

  /**
   * A dynamic name gives way to a configured one, or to a greater dynamic one, and the
   * routes formed under the old name are dropped (route.go removeAllRoutesExcept).
   */
  private adoptName(theirs: string, theirsDynamic: boolean, via: Route): boolean {
    if (theirs === "") return true;
    if (!this.dynamic || (theirsDynamic && this.name >= theirs)) return false;
    this.name = theirs;
    if (!theirsDynamic) this.dynamic = false;
    this.broker.setClusterName(theirs);
    for (const r of [...this.live]) if (r !== via) r.close(CloseReason.ClusterNameConflict);
    return true;
  }

  /** A peer's INFO: the first registers the route, later ones are gossip or updates. */
  routeInfo(route: Route, info: RouteInfo): void {
    if (info.serverId === this.broker.serverId) {
      this.log.debug(`${route.label} - Detected route to self, ignoring`);
      route.toSelf = true;
      route.close(CloseReason.DuplicateRoute);
      return;
    }
    if (info.cluster !== "" && info.cluster !== this.name) {
      if (!this.adoptName(info.cluster, info.clusterDynamic, route)) {
        route.close(CloseReason.ClusterNameConflict);
        return;
      }
    }
    if (route.info !== null) {
      // An INFO about another server: dial it, unless we know it already.
      if (info.serverId !== route.remoteId) return this.implicitRoute(info);
      // The peer entered lame duck mode: its clients' URLs are no longer offered.
      if (info.lameDuck && route.registered) this.withdrawUrls(route.info);
      return;
    }
    route.info = info;
    route.remoteId = info.serverId;
    route.headers = info.headers;
    this.register(route, info);
  }

  /**
   * Keeps one route per peer. When both servers dialled each other, both keep the
   * connection dialled by the server with the smaller id, so they never drop opposite
   * ones (nats-server keeps whichever it registered first and retries after a clash).
   */
  private register(route: Route, info: RouteInfo): void {
    const existing = this.routes.get(info.serverId);
    if (existing !== undefined) {
      const keepNew = this.dialler(route) < this.dialler(existing);
      const [keep, drop] = keepNew ? [route, existing] : [existing, route];
      // route.go addRoute "upgrade to solicited": the kept one redials a configured URL.
      keep.redial ??= drop.redial;
      this.log.debug(`${drop.label} - Detected duplicate remote route "${info.serverId}"`);
      if (!keepNew) {
        drop.close(CloseReason.DuplicateRoute);
        return;
      }
      this.unregister(existing);
      existing.close(CloseReason.DuplicateRoute);
    }
    const others = [...this.routes.values()];
    route.registered = true;
    this.routes.set(info.serverId, route);
    this.log.debug(`${route.label} - Registering remote route "${info.serverId}"`);
    // route.go sendSubsToRoute: all of our interest, queue groups with their weights.
    for (const [key, n] of this.interest) {
      const space = key.indexOf(" ");
      if (space < 0) route.sendInterest(ACCOUNT, key, null, n);
      else route.sendInterest(ACCOUNT, key.slice(0, space), key.slice(space + 1), n);
    }
    // route.go forwardNewRouteInfoToKnownServers: the others dial the newcomer.
    if (others.length > 0) {
      const ip =
        info.ip !== ""
          ? info.ip
          : `nats-route://${joinHostPort(route.transport.remoteAddress, info.port)}/`;
      const line = gossipInfoLine({ ...info, ip });
      for (const r of others) r.sendProto(line);
    }
    this.offerUrls(info);
  }

  /** The server id of whoever dialled this connection. */
  private dialler(route: Route): string {
    return route.solicited ? this.broker.serverId : route.remoteId;
  }

  /** route.go processImplicitRoute. */
  private implicitRoute(info: RouteInfo): void {
    if (info.serverId === this.broker.serverId || this.routes.has(info.serverId)) return;
    const at = parseRouteUrl(info.ip);
    if (typeof at === "string") {
      this.log.debug(`Ignoring a gossiped route with a bad URL: ${at}`);
      return;
    }
    // A configured route to it is being dialled already.
    if (this.options.routes.some((r) => r.host === at.host && r.port === at.port)) return;
    const auth = this.options.authorization;
    const url: RouteUrl =
      info.authRequired && auth !== null ? { ...at, user: auth.user, pass: auth.password } : at;
    this.dial(url, false, 0);
  }

  routeClosed(route: Route): void {
    this.live.delete(route);
    const reason = route.closeReason ?? CloseReason.ClientClosed;
    if (route.registered) {
      this.unregister(route);
      this.log.info(`${route.label} - Router connection closed: ${reason}`);
    } else this.log.debug(`${route.label} - Router connection closed: ${reason}`);
    // client.go closeConnection: a configured route is dialled again, unless another
    // connection to the same server remains.
    const url = route.redial;
    if (url === null || route.toSelf || this.stopping) return;
    if (route.remoteId !== "" && this.routes.has(route.remoteId)) return;
    this.later(RECONNECT_MS + Math.floor(Math.random() * 100), () => this.dial(url, true, 0));
  }

  private unregister(route: Route): void {
    if (!route.registered) return;
    route.registered = false;
    if (this.routes.get(route.remoteId) === route) this.routes.delete(route.remoteId);
    for (const sub of route.subs.values()) this.remote.remove(sub);
    route.subs.clear();
    if (route.info !== null) this.withdrawUrls(route.info);
  }

  // ---- client URLs (server.go updateServerINFOAndSendINFOToClients) ----

  private offerUrls(info: RouteInfo): void {
    if (this.options.noAdvertise) return;
    const tcp = this.peerUrls.add(info.connectUrls);
    const ws = this.peerWsUrls.add(info.wsConnectUrls);
    // The first route makes the INFO list URLs at all (ours first).
    if (tcp || ws || this.broker.serverInfo().connectUrls === undefined) this.publishUrls(tcp, ws);
  }

  private withdrawUrls(info: RouteInfo): void {
    if (this.options.noAdvertise) return;
    const tcp = this.peerUrls.remove(info.connectUrls);
    const ws = this.peerWsUrls.remove(info.wsConnectUrls);
    if (tcp || ws) this.publishUrls(tcp, ws);
  }

  private publishUrls(tcp: boolean, ws: boolean): void {
    // Shutting down: clients keep the list they have, to fail over with (server.go
    // sendAsyncInfoToClients sends nothing once shutdown began).
    if (this.stopping) return;
    // In lame duck mode only the other servers are offered (server.go sendLDMToClients).
    const own = this.lameDuck ? [] : this.ownUrls;
    const ownWs = this.lameDuck ? [] : this.ownWsUrls;
    this.broker.setConnectUrls(
      [...own, ...this.peerUrls.list()],
      [...ownWs, ...this.peerWsUrls.list()],
      { tcp, ws },
    );
  }

  // ---- interest ----

  /** One of our clients' subscriptions was added (+1) or removed (-1). */
  localInterest(sub: Subscription, delta: 1 | -1): void {
    const { subject, queue } = sub;
    const key = interestKey(subject, queue);
    const before = this.interest.get(key) ?? 0;
    const n = Math.max(0, before + delta);
    if (n === 0) this.interest.delete(key);
    else this.interest.set(key, n);
    // route.go updateRouteSubscriptionMap: plain interest on 0↔1 only, queue weights always.
    if (queue === null && before > 0 && n > 0) return;
    if (before === n) return;
    for (const r of this.routes.values()) r.sendInterest(ACCOUNT, subject, queue, n);
  }

  remoteSubscribed(route: Route, op: RouteSubOp): void {
    // Interest in other accounts (nats-server's $SYS) cannot match our clients' messages.
    if (op.account !== ACCOUNT) return;
    const key = interestKey(op.subject, op.queue);
    const known = route.subs.get(key);
    if (known !== undefined) {
      known.weight = op.weight;
      return;
    }
    const sub: RemoteSub = { route, subject: op.subject, queue: op.queue, weight: op.weight };
    if (this.remote.insert(sub)) route.subs.set(key, sub);
    else this.log.debug(`${route.label} - Invalid remote subject "${op.subject}"`);
  }

  remoteUnsubscribed(route: Route, op: RouteUnsubOp): void {
    const key = interestKey(op.subject, op.queue);
    const sub = route.subs.get(key);
    if (sub === undefined) return;
    route.subs.delete(key);
    this.remote.remove(sub);
  }

  // ---- messages ----

  /** A message from a route: for our clients only, never for another route. */
  routedMessage(op: RouteMsgOp): void {
    if (op.account !== ACCOUNT) return;
    const msg: Message = {
      subject: op.subject,
      reply: op.reply,
      headerSize: op.headerSize,
      data: op.data,
      sizeText: null,
    };
    this.broker.deliverRouted(msg, op.queues);
  }

  /**
   * A message one of our clients published: one member of each queue group across the
   * cluster, chosen by weight (client.go processMsgResults), and one copy per route with
   * interest, naming the groups it was chosen for. Returns whether anyone got it.
   */
  forward(
    from: Client | null,
    msg: Message,
    groups: readonly (readonly Subscription[])[],
    /** Queue groups a member here already got it from (a layer that delivers itself). */
    served: ReadonlySet<string> | null = null,
  ): boolean {
    const remote = this.remote.match(msg.subject);
    // No interest elsewhere (the usual case for most subjects): local groups only.
    if (remote.plain.length === 0 && remote.groups.length === 0) {
      return this.broker.deliverGroups(from, groups, msg);
    }
    let delivered = false;
    let targets: Map<Route, string[]> | null = null;
    const target = (route: Route): string[] => {
      targets ??= new Map();
      let queues = targets.get(route);
      if (queues === undefined) targets.set(route, (queues = []));
      return queues;
    };
    for (const sub of remote.plain) target(sub.route);
    const remoteGroups = remote.groups;
    const taken = remoteGroups.length > 0 ? new Uint8Array(remoteGroups.length) : null;
    for (let g = 0; g < groups.length; g++) {
      const members = groups[g]!;
      const name = members[0]!.queue!;
      let r = -1;
      for (let i = 0; i < remoteGroups.length; i++) {
        if (remoteGroups[i]![0]!.queue === name) {
          r = i;
          taken![i] = 1;
          break;
        }
      }
      const weight = r < 0 ? 0 : totalWeight(remoteGroups[r]!);
      const pick = Math.floor(Math.random() * (members.length + weight));
      if (pick < members.length && this.broker.deliverToGroup(from, members, pick, msg)) {
        delivered = true;
        continue;
      }
      // A remote member was drawn, or no local one could take it.
      if (r >= 0) target(pickByWeight(remoteGroups[r]!, weight).route).push(name);
    }
    for (let i = 0; i < remoteGroups.length; i++) {
      if (taken !== null && taken[i] === 1) continue;
      const members = remoteGroups[i]!;
      if (served?.has(members[0]!.queue!)) continue;
      target(pickByWeight(members, totalWeight(members)).route).push(members[0]!.queue!);
    }
    if (targets !== null) {
      for (const [route, queues] of targets as Map<Route, string[]>) {
        route.sendMsg(ACCOUNT, msg, queues.length > 0 ? queues : null);
      }
      delivered = true;
    }
    return delivered;
  }

  /** Routes whose output waited on the socket too long are cut off, as clients are. */
  checkWriteDeadlines(now: number, deadline: number): void {
    for (const r of [...this.live]) {
      if (!writeStalled(r, now, deadline)) continue;
      this.log.error(`${r.label} - Slow Consumer Detected: WriteDeadline exceeded`);
      r.close(CloseReason.SlowConsumerWriteDeadline);
    }
  }

  // ---- lame duck mode and shutdown ----

  /** Tells the routes (their servers stop offering our URLs) and stops offering our own. */
  enterLameDuckMode(): void {
    this.lameDuck = true;
    const line = this.infoLine();
    for (const r of this.routes.values()) r.sendProto(line);
    if (this.broker.serverInfo().connectUrls !== undefined) this.publishUrls(false, false);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.dialling) s.destroy();
    this.dialling.clear();
    this.server?.close();
    this.server = null;
    for (const r of [...this.live]) r.close(CloseReason.ServerShutdown);
  }

  // ---- monitoring ----

  summaries(): RouteSummary[] {
    return [...this.routes.values()].map((r) => ({
      rid: r.id,
      remoteId: r.remoteId,
      remoteName: r.info?.serverName ?? "",
      didSolicit: r.solicited,
      isConfigured: r.explicit,
      ip: r.transport.remoteAddress,
      port: r.transport.remotePort,
      pendingBytes: r.out.pending(),
      inMsgs: r.inMsgs,
      outMsgs: r.outMsgs,
      inBytes: r.inBytes,
      outBytes: r.outBytes,
      subscriptions: [...r.subs.keys()],
    }));
  }

  /** The configured routes, as written (without passwords). */
  configuredRoutes(): string[] {
    return this.options.routes.map((r) => r.display);
  }
}

/** `subject`, or `subject queue`: how route.go keys interest (and RS- names it). */
function interestKey(subject: string, queue: string | null): string {
  return queue === null ? subject : `${subject} ${queue}`;
}

function totalWeight(members: readonly RemoteSub[]): number {
  let w = 0;
  for (const m of members) w += m.weight;
  return w;
}

function pickByWeight(members: readonly RemoteSub[], total: number): RemoteSub {
  let x = Math.random() * total;
  for (const m of members) {
    x -= m.weight;
    if (x < 0) return m;
  }
  return members[members.length - 1]!;
}
