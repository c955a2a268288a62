/**
 * The console's tables (answers to approval requests, the agents index) over the same
 * SQLite database as the mailboxes. Not on any hot path, so plain Drizzle queries.
 */
import { and, asc, eq, isNotNull, lt } from "drizzle-orm";
import type { Db } from "./db";
import { agents, answers, type AgentRow, type AnswerRow } from "./schema";

export type { AgentRow, AnswerRow };

export class ConsoleStore {
  constructor(private readonly db: Db) {}

  // ---- answers ----

  /** Records the answer unless one exists for that mailbox and correlation id; false then. */
  claimAnswer(row: AnswerRow): boolean {
    const r = this.db.insert(answers).values(row).onConflictDoNothing().run();
    return r.changes === 1;
  }

  /** Takes a claim back (its response could not be delivered). */
  releaseAnswer(mailId: string, correlationId: string): void {
    this.db
      .delete(answers)
      .where(and(eq(answers.mailId, mailId), eq(answers.correlationId, correlationId)))
      .run();
  }

  getAnswer(mailId: string, correlationId: string): AnswerRow | undefined {
    return this.db
      .select()
      .from(answers)
      .where(and(eq(answers.mailId, mailId), eq(answers.correlationId, correlationId)))
      .get();
  }

  listAnswers(mailId: string): AnswerRow[] {
    return this.db
      .select()
      .from(answers)
      .where(eq(answers.mailId, mailId))
      .orderBy(asc(answers.respondedAt))
      .all();
  }

  // ---- agents ----

  loadAgents(): AgentRow[] {
    return this.db.select().from(agents).all();
  }

  saveAgent(row: AgentRow): void {
    this.db
      .insert(agents)
      .values(row)
      .onConflictDoUpdate({
        target: agents.mailId,
        set: {
          announcement: row.announcement,
          ttl: row.ttl,
          lastSeen: row.lastSeen,
          goneAt: row.goneAt,
        },
      })
      .run();
  }

  markAgentGone(mailId: string, at: number): void {
    this.db.update(agents).set({ goneAt: at }).where(eq(agents.mailId, mailId)).run();
  }

  /** Forgets agents gone before `before`. */
  pruneAgents(before: number): number {
    return this.db
      .delete(agents)
      .where(and(isNotNull(agents.goneAt), lt(agents.goneAt, before)))
      .run().changes;
  }
}
