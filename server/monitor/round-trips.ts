/**
 * Each connection's round-trip time for /connz `rtt`. The broker does not time its PINGs,
 * so the monitor measures with its own: a receipt PING (Client.confirmReceipt) whose PONG
 * comes back behind everything queued before it, which is what nats-server's RTT PING
 * measures too. As in nats-server's getRTT, a connection never measured reports 0 and a
 * PING goes out so that the next request has a figure; only real clients (those that sent
 * a CONNECT naming their language) are pinged.
 */
import type { Client } from "../nats/mod";

interface Measurement {
  /** Nanoseconds; 0 until the first PONG. */
  ns: number;
  /** When the last probe went out (ms), or 0 when none is outstanding. */
  pendingSince: number;
  /** When `ns` was measured (ms). */
  at: number;
}

export class RoundTrips {
  private readonly byClient = new WeakMap<Client, Measurement>();

  constructor(
    /** A measurement older than this is refreshed on the next request (ms). */
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The last measurement in nanoseconds (0 = none yet), starting a new one when due. */
  get(client: Client, now = Date.now()): number {
    let m = this.byClient.get(client);
    if (m === undefined) {
      m = { ns: 0, pendingSince: 0, at: 0 };
      this.byClient.set(client, m);
    }
    const due = m.at === 0 || now - m.at > this.maxAgeMs;
    if (due && m.pendingSince === 0 && !client.closed && client.opts.lang !== "") {
      this.probe(client, m, now);
    }
    return m.ns;
  }

  /** The last measurement without probing (for connections that are gone). */
  last(client: Client): number {
    return this.byClient.get(client)?.ns ?? 0;
  }

  private probe(client: Client, m: Measurement, now: number): void {
    m.pendingSince = now;
    const start = process.hrtime.bigint();
    client.confirmReceipt((received) => {
      m.pendingSince = 0;
      if (!received) return;
      let ns = Number(process.hrtime.bigint() - start);
      // client.go getRTT: sub-millisecond figures are shown to the microsecond.
      if (ns > 1_000 && ns < 1_000_000) ns -= ns % 1_000;
      m.ns = Math.max(1, ns);
      m.at = Date.now();
    });
  }
}
