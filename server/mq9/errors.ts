/**
 * mq9 error codes (mq9.md §9), defined once and used by broker replies, the client
 * module, the CLI and the console.
 */
export const MQ9_ERROR_CODES = [
  "bad_request",
  "invalid_name",
  "name_taken",
  "not_found",
  "unauthorized",
  "bad_priority",
  "payload_too_large",
  "mailbox_full",
  "ttl_out_of_range",
  "rate_limited",
  "internal",
] as const;

export type Mq9ErrorCode = (typeof MQ9_ERROR_CODES)[number];

export interface Mq9ErrorReply {
  error: string;
  code: Mq9ErrorCode;
}

/** A failed mq9 request, with the code the reply carries. */
export class Mq9Error extends Error {
  constructor(
    readonly code: Mq9ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "Mq9Error";
  }

  toReply(): Mq9ErrorReply {
    return { error: this.message, code: this.code };
  }
}

/**
 * An Mq9Error, also one thrown by another copy of this module: Next bundles route handlers
 * with their own copies, while the broker's objects come from the custom server's, so
 * `instanceof` cannot be trusted across that line.
 */
export function isMq9Error(err: unknown): err is Mq9Error {
  return (
    err instanceof Error &&
    err.name === "Mq9Error" &&
    (MQ9_ERROR_CODES as readonly unknown[]).includes((err as { code?: unknown }).code)
  );
}

export function isMq9ErrorReply(value: unknown): value is Mq9ErrorReply {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { error?: unknown }).error === "string" &&
    (MQ9_ERROR_CODES as readonly unknown[]).includes((value as { code?: unknown }).code)
  );
}
