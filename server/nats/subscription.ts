/** One SUB of one client (nats-wire-notes §1.4). */
import type { Client } from "./client";
import { Snippet } from "./protocol/wire";

export class Subscription {
  /** Messages handed to this subscription since SUB (counts toward UNSUB max). */
  delivered = 0;
  /** Auto-unsubscribe after this many deliveries; 0 = no limit. */
  max = 0;
  /** Set once it left the index; a cached match result may still list it briefly. */
  closed = false;
  /** Deliveries are checked against the client's subscribe deny list (client.go mperms). */
  denyFiltered = false;
  private head: Snippet | null = null;

  constructor(
    readonly client: Client,
    readonly subject: string,
    readonly queue: string | null,
    readonly sid: string,
  ) {}

  /**
   * `MSG <subject> <sid> `: how every MSG line for a message on this subscription's own
   * subject starts (HMSG is "H" + this). Built once, since writing the subject byte by
   * byte for each delivery is a measurable part of the hot path.
   */
  msgHead(): Snippet {
    return (this.head ??= new Snippet(Buffer.from(`MSG ${this.subject} ${this.sid} `, "latin1")));
  }
}
