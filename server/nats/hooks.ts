/**
 * Extension points for layers above plain NATS (mq9 registers here; the NATS layer knows
 * nothing of mailboxes), with their defaults in one place, as aedes does.
 */
import type { Client } from "./client";
import type { Message } from "./message";
import type { Subscription } from "./subscription";

export interface BrokerHooks {
  /**
   * Runs for every PUB/HPUB before ordinary delivery. Return true when the hook took the
   * message over (it delivers, rejects or stores it itself); false lets NATS deliver it.
   * The message object and `msg.data` (a view into the read buffer) are only valid
   * during the call: the parser reuses both. Copy what you keep.
   */
  interceptPublish(client: Client, msg: Message): boolean;
  /**
   * Runs for every PING; call `pong` when the PONG may go out. A layer that commits
   * asynchronously holds it back until the client's earlier publishes are durable.
   */
  ping(client: Client, pong: () => void): void;
  /** A subscription was added to the index and acknowledged to its client. */
  subscribed(sub: Subscription): void;
  /** A subscription left the index (unsubscribe, auto-unsubscribe, disconnect). */
  unsubscribed(sub: Subscription): void;
  /** A client is gone. */
  disconnected(client: Client): void;
}

export const DEFAULT_HOOKS: BrokerHooks = {
  interceptPublish: () => false,
  ping: (_client, pong) => pong(),
  subscribed: () => {},
  unsubscribed: () => {},
  disconnected: () => {},
};
