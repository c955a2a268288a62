/** mq9's limits and timings (mq9.md §10, §11), defaults in one place. Seconds unless noted. */
export interface Mq9Options {
  defaultTtl: number;
  /** Upper bound for a CREATE's ttl. */
  maxTtl: number;
  /** Whether CREATE may ask for ttl 0 (never expires). */
  allowNoExpiry: boolean;
  /** notify messages live at most this long (§4.7). */
  notifyTtl: number;
  maxMessagesPerMailbox: number;
  maxBytesPerMailbox: number;
  /** CREATE requests per connection per minute. */
  createsPerMinute: number;
  /** How long dead letters are kept; 0 = keep nothing. */
  deadLetterRetention: number;
  /** Bytes of one message's payload; never above the NATS max_payload. */
  maxPayload: number;
}

export const MQ9_DEFAULTS: Mq9Options = {
  defaultTtl: 3600,
  maxTtl: 30 * 24 * 3600,
  allowNoExpiry: false,
  notifyTtl: 300,
  maxMessagesPerMailbox: 10_000,
  maxBytesPerMailbox: 64 * 1024 * 1024,
  createsPerMinute: 600,
  deadLetterRetention: 7 * 24 * 3600,
  maxPayload: 1024 * 1024,
};
