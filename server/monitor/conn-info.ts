/**
 * One connection as /connz shows it: nats-server's ConnInfo and SubDetail (monitor.go), in
 * its field order, with Go's `omitempty` fields left out when empty. Open connections are
 * read from the live Client; closed ones from the snapshot taken when they closed.
 */
import type { Client, Subscription } from "../nats/mod";
import { goDuration, goTime, goUptime } from "./go-format";

export interface SubDetail {
  account?: string;
  subject: string;
  qgroup?: string;
  sid: string;
  msgs: number;
  max?: number;
  cid: number;
}

export interface ConnInfo {
  cid: number;
  kind: string;
  type: string;
  ip: string;
  port: number;
  start: string;
  last_activity: string;
  stop?: string;
  reason?: string;
  rtt: string;
  uptime: string;
  idle: string;
  pending_bytes: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  name?: string;
  lang?: string;
  version?: string;
  authorized_user?: string;
  account?: string;
  subscriptions_list?: string[];
  subscriptions_list_detail?: SubDetail[];
  jwt?: string;
  issuer_key?: string;
  name_tag?: string;
  tags?: string[];
}

/** What a connection's row needs, whether it is open or closed (times in ms). */
export interface ConnFacts {
  cid: number;
  type: "nats" | "websocket";
  ip: string;
  port: number;
  start: number;
  lastActivity: number;
  /** null while open. */
  stop: number | null;
  reason: string | null;
  rttNs: number;
  pendingBytes: number;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  numSubs: number;
  name: string;
  lang: string;
  version: string;
  /** The user or nkey it authenticated as ("" when none); never a secret. */
  user: string;
  /** Operator mode: the user's JWT and what it says (JWTs are signed, not secret). */
  jwt: {
    account: string;
    token: string;
    issuerKey: string;
    nameTag: string;
    tags: string[];
  } | null;
}

export type SubsMode = "none" | "list" | "detail";

/** Go reports an IPv4 peer of a dual-stack listener as plain IPv4. */
function plainIp(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

export function clientFacts(client: Client, rttNs: number): ConnFacts {
  const t = client.transport;
  return {
    cid: client.id,
    type: t.kind === "websocket" ? "websocket" : "nats",
    ip: plainIp(t.remoteAddress),
    port: t.remotePort,
    start: client.startedAt,
    lastActivity: client.lastActivity,
    stop: null,
    reason: null,
    rttNs,
    pendingBytes: client.out.pending(),
    inMsgs: client.inMsgs,
    outMsgs: client.outMsgs,
    inBytes: client.inBytes,
    outBytes: client.outBytes,
    numSubs: client.subs.size,
    name: client.opts.name,
    lang: client.opts.lang,
    version: client.opts.version,
    user: client.identity?.name ?? "",
    jwt:
      client.grant === null
        ? null
        : {
            account: client.grant.account.key,
            token: client.opts.jwt,
            issuerKey: client.grant.issuerKey,
            nameTag: client.grant.nameTag,
            tags: client.grant.tags,
          },
  };
}

/** The account a client is in: a JWT user's, else the global account `$G`. */
export function accountOf(client: Client): string {
  return client.grant?.account.key ?? "$G";
}

export function subDetail(sub: Subscription, account?: string): SubDetail {
  return {
    ...(account !== undefined && { account }),
    subject: sub.subject,
    ...(sub.queue !== null && sub.queue !== "" && { qgroup: sub.queue }),
    sid: sub.sid,
    msgs: sub.delivered,
    ...(sub.max > 0 && { max: sub.max }),
    cid: sub.client.id,
  };
}

/**
 * ConnInfo.fill: uptime and idle run to `now` while open and stop at the close for a
 * closed connection (nats-server fills those when the connection closes).
 */
export function connInfo(
  f: ConnFacts,
  now: number,
  subs: SubsMode,
  details: readonly SubDetail[],
  auth: boolean,
): ConnInfo {
  const end = f.stop ?? now;
  const listed = subs !== "none" && details.length > 0;
  return {
    cid: f.cid,
    kind: "Client",
    type: f.type,
    ip: f.ip,
    port: f.port,
    start: goTime(f.start),
    last_activity: goTime(f.lastActivity),
    ...(f.stop !== null && { stop: goTime(f.stop) }),
    ...(f.reason !== null && { reason: f.reason }),
    rtt: goDuration(f.rttNs),
    uptime: goUptime(end - f.start),
    idle: goUptime(end - f.lastActivity),
    pending_bytes: f.pendingBytes,
    in_msgs: f.inMsgs,
    out_msgs: f.outMsgs,
    in_bytes: f.inBytes,
    out_bytes: f.outBytes,
    subscriptions: f.numSubs,
    ...(f.name !== "" && { name: f.name }),
    ...(f.lang !== "" && { lang: f.lang }),
    ...(f.version !== "" && { version: f.version }),
    // `auth=1`. nats-server shows a token here too; a secret is never shown by us.
    ...(auth && f.user !== "" && { authorized_user: f.user }),
    ...(auth && f.jwt !== null && { account: f.jwt.account }),
    ...(listed && subs === "list" && { subscriptions_list: details.map((d) => d.subject) }),
    ...(listed && subs === "detail" && { subscriptions_list_detail: [...details] }),
    ...(auth && f.jwt !== null && { jwt: f.jwt.token, issuer_key: f.jwt.issuerKey }),
    ...(auth && f.jwt !== null && f.jwt.nameTag !== "" && { name_tag: f.jwt.nameTag }),
    ...(auth && f.jwt !== null && f.jwt.tags.length > 0 && { tags: f.jwt.tags }),
  };
}
