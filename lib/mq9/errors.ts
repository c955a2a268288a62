/** What the client throws: the broker's error replies (mq9.md §9) and its own waits. */
import { MQ9_ERROR_CODES, type Mq9ErrorCode } from "../../server/mq9/errors";

/** The broker answered with `{"error", "code"}`. */
export class Mq9RequestError extends Error {
  constructor(
    readonly code: Mq9ErrorCode,
    message: string,
    /** The subject the failed request or send went to. */
    readonly subject: string,
  ) {
    super(message);
    this.name = "Mq9RequestError";
  }
}

/** `request()` saw no answer with its correlation id in time. */
export class Mq9TimeoutError extends Error {
  constructor(
    message: string,
    readonly correlationId: string,
  ) {
    super(message);
    this.name = "Mq9TimeoutError";
  }
}

/**
 * The error a reply carries, or null for a success reply (those have no `error` key, §9).
 * A code this client does not know yet is kept in the message and reported as `internal`.
 */
export function replyError(value: unknown, subject: string): Mq9RequestError | null {
  if (typeof value !== "object" || value === null || !("error" in value)) return null;
  const { error, code } = value as { error: unknown; code?: unknown };
  const text = typeof error === "string" ? error : JSON.stringify(error);
  if ((MQ9_ERROR_CODES as readonly unknown[]).includes(code)) {
    return new Mq9RequestError(code as Mq9ErrorCode, text, subject);
  }
  return new Mq9RequestError("internal", `${String(code)}: ${text}`, subject);
}
