/**
 * What the monitor has to see happen rather than read off the broker: connections as they
 * close (for /connz?state=closed, kept in a ring like nats-server's, monitor.go
 * closedClients, default 10,000) and the subscription inserts and removals /subsz counts.
 * It wraps the broker hooks of the layer above (mq9), so it must be in place when the
 * Broker is constructed; a broker built without it still serves everything else.
 */
import type { BrokerHooks, Client, Subscription } from "../nats/mod";
import { accountOf, clientFacts, subDetail, type ConnFacts, type SubDetail } from "./conn-info";
import { RoundTrips } from "./round-trips";

/** nats-server's DEFAULT_MAX_CLOSED_CLIENTS. */
export const MAX_CLOSED = 10_000;

export interface ClosedConnection {
  facts: ConnFacts;
  subs: SubDetail[];
}

export class ConnectionTracker {
  readonly rtt = new RoundTrips();
  /** Subscriptions added to / removed from the index since the broker started. */
  inserts = 0;
  removes = 0;
  private ring: ClosedConnection[] = [];
  private next = 0;
  /** A closing client's subscriptions, collected as close() takes them out of the index. */
  private readonly leaving = new WeakMap<Client, Subscription[]>();

  constructor(private readonly capacity = MAX_CLOSED) {}

  /** `inner`'s hooks with the tracker's bookkeeping in front. */
  observe(inner: Partial<BrokerHooks>): Partial<BrokerHooks> {
    return {
      ...inner,
      subscribed: (sub) => {
        this.inserts++;
        inner.subscribed?.(sub);
      },
      unsubscribed: (sub) => {
        this.removes++;
        // Client.close() marks the client closed before it empties the index, and the
        // subscriptions are gone from client.subs by the time `disconnected` runs.
        if (sub.client.closed) {
          const list = this.leaving.get(sub.client);
          if (list === undefined) this.leaving.set(sub.client, [sub]);
          else list.push(sub);
        }
        inner.unsubscribed?.(sub);
      },
      disconnected: (client) => {
        this.closed(client);
        inner.disconnected?.(client);
      },
    };
  }

  /** Oldest first. */
  closedConnections(): ClosedConnection[] {
    return this.ring.length < this.capacity
      ? [...this.ring]
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  private closed(client: Client): void {
    const now = Date.now();
    const subs = this.leaving.get(client) ?? [];
    this.leaving.delete(client);
    const facts = clientFacts(client, this.rtt.last(client));
    facts.stop = now;
    facts.reason = client.closeReason ?? "Client Closed";
    facts.numSubs = subs.length;
    // saveClosedClient keeps the account in each detail (newSubDetail).
    const entry = { facts, subs: subs.map((s) => subDetail(s, accountOf(client))) };
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }
}
