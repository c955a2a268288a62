/**
 * /subsz (monitor.go Subsz, HandleSubsz): the subject index's statistics and, with
 * `subs=1`, the subscriptions themselves, paged, optionally only those a literal `test`
 * subject would reach. The cache figures (num_cache, num_matches, cache_hit_rate,
 * max_fanout, avg_fanout) are the index's match cache, computed as sublist.go Stats does.
 */
import type { Broker } from "../nats/mod";
import { isValidLiteralSubject, subjectMatches } from "../nats/subjects/validate";
import { accountOf, subDetail, type SubDetail } from "./conn-info";
import { goTime, QueryError, queryBool, queryInt } from "./go-format";
import type { ConnectionTracker } from "./tracker";

/** monitor.go DefaultSubListSize. */
export const DEFAULT_SUB_LIMIT = 1024;

export interface SublistStats {
  num_subscriptions: number;
  num_cache: number;
  num_inserts: number;
  num_removes: number;
  num_matches: number;
  cache_hit_rate: number;
  max_fanout: number;
  avg_fanout: number;
}

export interface Subsz extends SublistStats {
  server_id: string;
  now: string;
  total: number;
  offset: number;
  limit: number;
  subscriptions_list: SubDetail[];
}

export interface SubszQuery {
  subs: boolean;
  offset: number;
  limit: number;
  /** A literal subject, or null for every subscription. */
  test: string | null;
}

export function parseSubszQuery(q: URLSearchParams): SubszQuery {
  const subs = queryBool(q, "subs");
  let offset = queryInt(q, "offset");
  let limit = queryInt(q, "limit");
  const testText = q.get("test") ?? "";
  if (offset < 0) offset = 0;
  if (limit <= 0) limit = DEFAULT_SUB_LIMIT;
  if (testText !== "" && !isValidLiteralSubject(testText)) {
    throw new QueryError(`invalid test subject, must be valid publish subject: ${testText}`);
  }
  return { subs, offset, limit, test: testText === "" ? null : testText };
}

export function sublistStats(broker: Broker, tracker: ConnectionTracker): SublistStats {
  const cache = broker.matchCacheStats();
  return {
    num_subscriptions: broker.stats().subscriptions,
    num_cache: cache.cached,
    num_inserts: tracker.inserts,
    num_removes: tracker.removes,
    num_matches: cache.matches,
    cache_hit_rate: cache.matches > 0 ? cache.hits / cache.matches : 0,
    max_fanout: cache.maxFanout,
    avg_fanout: cache.avgFanout,
  };
}

/**
 * As HandleSubsz: only the statistics when no subscription is listed; otherwise the
 * statistics with the page, and `total` is the size of that page (nats-server's own
 * reading of it).
 */
export function subsz(
  broker: Broker,
  tracker: ConnectionTracker,
  query: SubszQuery,
  now = Date.now(),
): SublistStats | Subsz {
  const stats = sublistStats(broker, tracker);
  if (!query.subs) return stats;
  const all: SubDetail[] = [];
  for (const client of broker.clients.values()) {
    for (const sub of client.subs.values()) {
      if (query.test !== null && !subjectMatches(sub.subject, query.test)) continue;
      // The global account, or the one a JWT user is in (operator mode).
      all.push(subDetail(sub, accountOf(client)));
    }
  }
  const from = Math.min(query.offset, all.length);
  const to = Math.min(query.offset + query.limit, all.length);
  const page = all.slice(from, to);
  if (page.length === 0) return stats;
  return {
    server_id: broker.serverId,
    now: goTime(now),
    ...stats,
    total: page.length,
    offset: query.offset,
    limit: query.limit,
    subscriptions_list: page,
  };
}
