/**
 * What the operator does with dead letters (mq9.md §10): re-send one to a mailbox — through
 * the console's checked in-process sender, so it is stored and delivered like any send, and only
 * then removed from the dead-letter store — or purge them.
 */
import "server-only";
import type { Priority } from "@/lib/mq9/mod";
import { isMq9Error, type Mq9ErrorCode } from "@/server/mq9/errors";
import { priorityName } from "@/server/mq9/subjects";
import { getRuntime } from "@/server/runtime";

export interface ResendFailure {
  id: number;
  code: Mq9ErrorCode | "not_found";
  error: string;
}

export interface ResendResult {
  /** Dead-letter ids re-sent (and removed from the dead-letter store). */
  resent: number[];
  failed: ResendFailure[];
}

/**
 * Re-sends each letter to `target` at `priority` (default: its own), one after the other,
 * each confirmed stored before its letter is deleted. Null when no broker runs here.
 */
export async function resendDeadLetters(
  ids: readonly number[],
  target: string,
  priority: Priority | null,
): Promise<ResendResult | null> {
  const runtime = getRuntime();
  if (runtime === undefined) return null;
  const store = runtime.mq9.store;
  const sender = runtime.console.sender;
  const result: ResendResult = { resent: [], failed: [] };
  for (const id of ids) {
    const letter = store.getDeadLetter(id);
    if (letter === undefined) {
      result.failed.push({ id, code: "not_found", error: `no dead letter ${id}` });
      continue;
    }
    // Stored headers never hold Mq9-* (the broker strips them on the way in, §4.3).
    try {
      await sender.send(
        target,
        priority ?? priorityName(letter.priority),
        letter.payload,
        letter.headers,
      );
    } catch (err) {
      const code = isMq9Error(err) ? err.code : "internal";
      const error = err instanceof Error ? err.message : String(err);
      result.failed.push({ id, code, error });
      continue;
    }
    store.deleteDeadLetters([id]);
    result.resent.push(id);
  }
  return result;
}

/** Removes the given letters, or every one; how many went. Null when no broker runs here. */
export function purgeDeadLetters(ids: readonly number[] | "all"): number | null {
  const store = getRuntime()?.mq9.store;
  return store === undefined ? null : store.deleteDeadLetters(ids);
}

