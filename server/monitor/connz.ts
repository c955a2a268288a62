/**
 * /connz (monitor.go Connz, HandleConnz): the connections, open, closed or both, sorted,
 * then paged with offset and limit; `cid` picks one; `subs=1` adds each connection's
 * subjects and `subs=detail` its subscriptions. Errors carry nats-server's texts.
 */
import type { Broker } from "../nats/mod";
import {
  clientFacts,
  connInfo,
  subDetail,
  type ConnFacts,
  type ConnInfo,
  type SubDetail,
  type SubsMode,
} from "./conn-info";
import { goTime, QueryError, queryBool, queryInt, queryUint } from "./go-format";
import type { ConnectionTracker } from "./tracker";

/** monitor.go DefaultConnListSize. */
export const DEFAULT_CONN_LIMIT = 1024;

const SORTS = [
  "cid",
  "start",
  "subs",
  "pending",
  "msgs_to",
  "msgs_from",
  "bytes_to",
  "bytes_from",
  "last",
  "idle",
  "uptime",
  "stop",
  "reason",
] as const;
export type SortKey = (typeof SORTS)[number];

export type ConnState = "open" | "closed" | "all";

export interface ConnzQuery {
  sort: SortKey;
  subs: SubsMode;
  offset: number;
  limit: number;
  /** 0 = every connection. */
  cid: number;
  state: ConnState;
  /** Adds `authorized_user`. */
  auth: boolean;
}

export interface Connz {
  server_id: string;
  now: string;
  num_connections: number;
  total: number;
  offset: number;
  limit: number;
  connections: ConnInfo[];
}

function isSortKey(s: string): s is SortKey {
  return (SORTS as readonly string[]).includes(s);
}

/** HandleConnz's decoding, then Connz's checks, in nats-server's order. */
export function parseConnzQuery(q: URLSearchParams): ConnzQuery {
  const sortText = q.get("sort") ?? "";
  const auth = queryBool(q, "auth");
  const subs: SubsMode =
    (q.get("subs") ?? "").toLowerCase() === "detail"
      ? "detail"
      : queryBool(q, "subs")
        ? "list"
        : "none";
  let offset = queryInt(q, "offset");
  let limit = queryInt(q, "limit");
  const cid = queryUint(q, "cid");
  const stateText = (q.get("state") ?? "").toLowerCase();
  let state: ConnState;
  if (stateText === "" || stateText === "open") state = "open";
  else if (stateText === "closed") state = "closed";
  else if (stateText === "any" || stateText === "all") state = "all";
  else throw new QueryError(`Error decoding state for ${q.get("state") ?? ""}`);

  const sort = sortText === "" ? "cid" : sortText;
  if (!isSortKey(sort)) throw new QueryError(`invalid sorting option: ${sortText}`);
  if (sort === "stop" && state !== "closed") {
    throw new QueryError("sort by stop only valid on closed connections");
  }
  if (sort === "reason" && state !== "closed") {
    throw new QueryError("sort by reason only valid on closed connections");
  }
  if (offset < 0) offset = 0;
  if (limit <= 0) limit = DEFAULT_CONN_LIMIT;
  if (cid > 0) limit = 1;
  return { sort, subs, offset, limit, cid, state, auth };
}

interface Row {
  facts: ConnFacts;
  /** Filled only for the rows on the page, and only when asked for. */
  details: () => SubDetail[];
}

/** Descending unless noted, as nats-server sorts (only cid, start and uptime ascend). */
function comparator(sort: SortKey, now: number): (a: ConnFacts, b: ConnFacts) => number {
  const desc = (f: (c: ConnFacts) => number) => (a: ConnFacts, b: ConnFacts) => f(b) - f(a);
  const uptime = (c: ConnFacts) => (c.stop ?? now) - c.start;
  switch (sort) {
    case "cid":
    case "start":
      return (a, b) => a.cid - b.cid;
    case "subs":
      return desc((c) => c.numSubs);
    case "pending":
      return desc((c) => c.pendingBytes);
    case "msgs_to":
      return desc((c) => c.outMsgs);
    case "msgs_from":
      return desc((c) => c.inMsgs);
    case "bytes_to":
      return desc((c) => c.outBytes);
    case "bytes_from":
      return desc((c) => c.inBytes);
    case "last":
      return desc((c) => c.lastActivity);
    case "idle":
      // Most idle first. (2.9.10 compared last_activity - start here; fixed in 2.10.)
      return desc((c) => (c.stop ?? now) - c.lastActivity);
    case "uptime":
      return (a, b) => uptime(a) - uptime(b);
    case "stop":
      return desc((c) => c.stop ?? 0);
    case "reason":
      return (a, b) => ((a.reason ?? "") < (b.reason ?? "") ? -1 : a.reason === b.reason ? 0 : 1);
  }
}

export function connz(
  broker: Broker,
  tracker: ConnectionTracker,
  query: ConnzQuery,
  now = Date.now(),
): Connz {
  const rows: Row[] = [];
  const open = query.state !== "closed";
  const closed = query.state !== "open";
  const closedList = closed ? tracker.closedConnections() : [];
  const total = (open ? broker.clients.size : 0) + closedList.length;
  const wanted = (cid: number) => query.cid === 0 || cid === query.cid;

  if (open) {
    for (const client of broker.clients.values()) {
      if (!wanted(client.id)) continue;
      const facts = clientFacts(client, 0);
      // After reading pending_bytes: a new measurement queues a PING.
      facts.rttNs = tracker.rtt.get(client, now);
      rows.push({
        facts,
        details: () => [...client.subs.values()].map((s) => subDetail(s)),
      });
    }
  }
  for (const c of closedList) {
    if (wanted(c.facts.cid)) rows.push({ facts: c.facts, details: () => c.subs });
  }

  // Ties keep cid order (nats-server's sort leaves them in no particular order).
  rows.sort((a, b) => a.facts.cid - b.facts.cid);
  if (query.sort !== "cid" && query.sort !== "start") {
    const cmp = comparator(query.sort, now);
    rows.sort((a, b) => cmp(a.facts, b.facts));
  }
  const from = Math.min(query.offset, rows.length);
  const to = Math.min(query.offset + query.limit, rows.length);
  const page = rows
    .slice(from, to)
    .map((r) =>
      connInfo(r.facts, now, query.subs, query.subs === "none" ? [] : r.details(), query.auth),
    );
  return {
    server_id: broker.serverId,
    now: goTime(now),
    num_connections: page.length,
    total,
    offset: query.offset,
    limit: query.limit,
    connections: page,
  };
}
