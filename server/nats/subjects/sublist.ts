/**
 * The subject index: a token trie with `*` and `>` branches and a cache of match results
 * per published subject (nats-wire-notes §7 item 4, after nats-server's sublist.go).
 * A change to the index evicts only the cached subjects the changed pattern matches.
 */
import { isValidSubject, subjectMatches } from "./validate";

export interface Indexed {
  readonly subject: string;
  readonly queue: string | null;
}

export interface MatchResult<T> {
  /** Plain subscriptions: each gets a copy. */
  readonly plain: readonly T[];
  /** Queue groups, merged by name across the trie: one member of each gets the message. */
  readonly groups: readonly (readonly T[])[];
}

class Node<T> {
  next: Level<T> | null = null;
  readonly plain = new Set<T>();
  readonly groups = new Map<string, Set<T>>();

  isEmpty(): boolean {
    return this.plain.size === 0 && this.groups.size === 0 && (this.next?.isEmpty() ?? true);
  }
}

class Level<T> {
  readonly literal = new Map<string, Node<T>>();
  star: Node<T> | null = null;
  tail: Node<T> | null = null;

  isEmpty(): boolean {
    return this.literal.size === 0 && this.star === null && this.tail === null;
  }
}

/** The match cache's figures, as nats-server's /subsz reports them (sublist.go Stats). */
export interface MatchCacheStats {
  /** Subjects whose result is cached now. */
  cached: number;
  /** Lookups since start, not counting a repeat of the previous subject. */
  matches: number;
  /** Of those, the ones answered from the cache. */
  hits: number;
  /** The most recipients (plain subscriptions + queue groups) of a cached result. */
  maxFanout: number;
  /** Their mean over the cached results; 0 when the cache is empty. */
  avgFanout: number;
}

const EMPTY: MatchResult<never> = { plain: [], groups: [] };
const DEFAULT_CACHE_SIZE = 4096;

export class SubjectIndex<T extends Indexed> {
  private readonly root = new Level<T>();
  private readonly cache = new Map<string, MatchResult<T>>();
  // The last subject matched and its result: a publisher tends to repeat one subject, and
  // comparing against it is cheaper than a Map lookup. Cleared on every change.
  private lastSubject: string | null = null;
  private lastResult: MatchResult<T> = EMPTY;
  private count = 0;
  // Lookups past the last-subject shortcut, and how many of them missed the cache. The
  // shortcut is not counted, as nats-server does not count its per-connection cache's
  // hits: a publisher repeating one subject costs nothing here.
  private matches = 0;
  private misses = 0;

  constructor(private readonly cacheSize = DEFAULT_CACHE_SIZE) {}

  get size(): number {
    return this.count;
  }

  /** Adds an entry; false (and nothing added) when its subject is not a valid pattern. */
  insert(entry: T): boolean {
    const subject = entry.subject;
    if (!isValidSubject(subject)) return false;
    let level = this.root;
    let node: Node<T> | null = null;
    const tokens = subject.split(".");
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === "*") node = level.star ??= new Node<T>();
      else if (t === ">") node = level.tail ??= new Node<T>();
      else {
        node = level.literal.get(t) ?? null;
        if (node === null) level.literal.set(t, (node = new Node<T>()));
      }
      if (i < tokens.length - 1) level = node.next ??= new Level<T>();
    }
    if (entry.queue === null) node!.plain.add(entry);
    else {
      let group = node!.groups.get(entry.queue);
      if (group === undefined) node!.groups.set(entry.queue, (group = new Set<T>()));
      group.add(entry);
    }
    this.count++;
    this.evict(subject);
    return true;
  }

  /** Removes an entry; false when it was not there. */
  remove(entry: T): boolean {
    const tokens = entry.subject.split(".");
    const removed = this.removeAt(this.root, tokens, 0, entry);
    if (removed) {
      this.count--;
      this.evict(entry.subject);
    }
    return removed;
  }

  /** Every entry whose pattern matches a published subject. */
  match(subject: string): MatchResult<T> {
    if (subject === this.lastSubject) return this.lastResult;
    this.matches++;
    let result = this.cache.get(subject);
    if (result === undefined) {
      this.misses++;
      result = this.compute(subject);
      if (this.cache.size >= this.cacheSize) {
        // Drop the oldest entry (Map keeps insertion order).
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(subject, result);
    }
    this.lastSubject = subject;
    this.lastResult = result;
    return result;
  }

  /** Walks the cache for the fanout figures: for monitoring, not for the publish path. */
  cacheStats(): MatchCacheStats {
    let total = 0;
    let max = 0;
    for (const r of this.cache.values()) {
      const n = r.plain.length + r.groups.length;
      total += n;
      if (n > max) max = n;
    }
    const cached = this.cache.size;
    return {
      cached,
      matches: this.matches,
      hits: this.matches - this.misses,
      maxFanout: max,
      avgFanout: total > 0 ? total / cached : 0,
    };
  }

  private compute(subject: string): MatchResult<T> {
    // sublist.go match: a subject with an empty token matches nothing.
    const tokens = subject.split(".");
    for (const t of tokens) if (t.length === 0) return EMPTY;
    const plain: T[] = [];
    const groups = new Map<string, T[]>();
    collect(this.root, tokens, 0, plain, groups);
    if (plain.length === 0 && groups.size === 0) return EMPTY;
    return { plain, groups: [...groups.values()] };
  }

  private removeAt(level: Level<T>, tokens: string[], i: number, entry: T): boolean {
    const t = tokens[i]!;
    const node = t === "*" ? level.star : t === ">" ? level.tail : (level.literal.get(t) ?? null);
    if (node === null) return false;
    let removed: boolean;
    if (i === tokens.length - 1) {
      if (entry.queue === null) removed = node.plain.delete(entry);
      else {
        const group = node.groups.get(entry.queue);
        removed = group?.delete(entry) ?? false;
        if (group !== undefined && group.size === 0) node.groups.delete(entry.queue);
      }
    } else {
      removed = node.next !== null && this.removeAt(node.next, tokens, i + 1, entry);
      if (node.next?.isEmpty()) node.next = null;
    }
    // Prune empty branches so a churn of unique subjects does not leak nodes.
    if (removed && node.isEmpty()) {
      if (t === "*") level.star = null;
      else if (t === ">") level.tail = null;
      else level.literal.delete(t);
    }
    return removed;
  }

  private evict(pattern: string): void {
    this.lastSubject = null;
    this.lastResult = EMPTY;
    if (this.cache.size === 0) return;
    for (const subject of this.cache.keys()) {
      if (subjectMatches(pattern, subject)) this.cache.delete(subject);
    }
  }
}

function collect<T extends Indexed>(
  level: Level<T>,
  tokens: string[],
  i: number,
  plain: T[],
  groups: Map<string, T[]>,
): void {
  const last = i === tokens.length - 1;
  if (level.tail !== null) addNode(level.tail, plain, groups);
  if (level.star !== null) {
    if (last) addNode(level.star, plain, groups);
    else if (level.star.next !== null) collect(level.star.next, tokens, i + 1, plain, groups);
  }
  const node = level.literal.get(tokens[i]!);
  if (node !== undefined) {
    if (last) addNode(node, plain, groups);
    else if (node.next !== null) collect(node.next, tokens, i + 1, plain, groups);
  }
}

function addNode<T>(node: Node<T>, plain: T[], groups: Map<string, T[]>): void {
  for (const e of node.plain) plain.push(e);
  for (const [name, members] of node.groups) {
    let g = groups.get(name);
    if (g === undefined) groups.set(name, (g = []));
    for (const m of members) g.push(m);
  }
}
