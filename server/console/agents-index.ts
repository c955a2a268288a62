/**
 * The agents index (console.md "Agents", mq9.md §12.2): every agent that announced itself
 * on `$mq9.AI.BROADCAST.system.capability`, kept by the server from the moment it starts
 * (and across restarts, in the store), so the page is complete when it opens. An agent is
 * fresh while it re-announces within its ttl, stale after, and gone once its mailbox
 * expires or is deleted (§8 event); gone agents stay listed for a while, then leave.
 */
import {
  DEFAULT_CAPABILITY_TTL,
  isCapabilityAnnouncement,
  isExpiredEvent,
  mailIdOf,
  type CapabilityAnnouncement,
  type Mq9Broadcast,
  type Mq9Client,
  type Mq9Subscription,
  type Skill,
} from "../../lib/mq9/mod";
import type { Logger } from "../nats/mod";
import type { AgentRow, ConsoleStore } from "../store/console-store";

export type AgentState = "fresh" | "stale" | "gone";

export interface AgentEntry {
  /** The agent's mailbox (the announcement's `from`). */
  mailId: string;
  name: string | null;
  description: string | null;
  skills: Skill[];
  capabilities: string[];
  replyTo: string | null;
  /** Seconds. */
  ttl: number;
  firstSeen: number;
  lastSeen: number;
  goneAt: number | null;
  state: AgentState;
}

/** How long a gone agent stays listed (greyed) before it leaves the index. */
export const GONE_RETENTION_MS = 10 * 60_000;

export interface AgentsIndexOptions {
  client: Mq9Client;
  store: ConsoleStore;
  log: Logger;
  /** Whether the broker still has this mailbox (an agent whose mailbox went while we were down is gone). */
  mailboxExists(mailId: string): boolean;
  now?: () => number;
}

export class AgentsIndex {
  private readonly agents = new Map<string, AgentRow>();
  private readonly subs: Mq9Subscription<Mq9Broadcast>[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: AgentsIndexOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    const now = this.now();
    for (const row of this.opts.store.loadAgents()) {
      if (row.goneAt === null && !this.opts.mailboxExists(row.mailId)) {
        row.goneAt = now;
        this.opts.store.markAgentGone(row.mailId, now);
      }
      this.agents.set(row.mailId, row);
    }
    const { client } = this.opts;
    this.subs.push(
      client.onBroadcast("system.capability", (m) => this.announced(m)),
      client.onBroadcast("system.expired", (m) => this.expired(m)),
    );
  }

  stop(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
  }

  /** Newest first; gone agents past their retention are dropped here. */
  list(): AgentEntry[] {
    const now = this.now();
    const cutoff = now - GONE_RETENTION_MS;
    const out: AgentEntry[] = [];
    let pruned = false;
    for (const [id, row] of this.agents) {
      if (row.goneAt !== null && row.goneAt < cutoff) {
        this.agents.delete(id);
        pruned = true;
        continue;
      }
      out.push(entry(row, now));
    }
    if (pruned) this.opts.store.pruneAgents(cutoff);
    return out.sort((a, b) => b.lastSeen - a.lastSeen);
  }

  private announced(m: Mq9Broadcast): void {
    const body = jsonOf(m);
    if (!isCapabilityAnnouncement(body)) {
      this.opts.log.debug("ignored a capability broadcast that does not follow mq9.md §12.2");
      return;
    }
    const mailId = mailIdOf(body.from) ?? body.from;
    const now = this.now();
    const known = this.agents.get(mailId);
    const row: AgentRow = {
      mailId,
      announcement: JSON.stringify(body),
      ttl: positive(body.ttl) ?? DEFAULT_CAPABILITY_TTL,
      firstSeen: known?.firstSeen ?? now,
      lastSeen: now,
      goneAt: null,
    };
    this.agents.set(mailId, row);
    this.opts.store.saveAgent(row);
  }

  private expired(m: Mq9Broadcast): void {
    const body = jsonOf(m);
    if (!isExpiredEvent(body)) return;
    const row = this.agents.get(body.mail_id);
    if (row === undefined || row.goneAt !== null) return;
    row.goneAt = body.expired_at;
    this.opts.store.markAgentGone(row.mailId, row.goneAt);
  }
}

/** The body as JSON, or undefined when it is not JSON (anyone may publish anything there). */
function jsonOf(m: Mq9Broadcast): unknown {
  try {
    return m.json();
  } catch {
    return undefined;
  }
}

function positive(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}

function entry(row: AgentRow, now: number): AgentEntry {
  const a = JSON.parse(row.announcement) as CapabilityAnnouncement;
  const state: AgentState =
    row.goneAt !== null ? "gone" : now - row.lastSeen > row.ttl * 1000 ? "stale" : "fresh";
  return {
    mailId: row.mailId,
    name: a.name ?? null,
    description: a.description ?? null,
    skills: a.skills ?? [],
    capabilities: a.capabilities ?? [],
    replyTo: a.reply_to ?? null,
    ttl: row.ttl,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    goneAt: row.goneAt,
    state,
  };
}
