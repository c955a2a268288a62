/**
 * runLameDuck on a real Broker whose clients ride in-memory transports: who is told, in
 * what order things happen, and how the closes are spread (nats-server server.go
 * lameDuckMode). The process-level behaviour, side by side with nats-server, is in
 * test/integration/lame-duck.test.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Broker } from "../../server/nats/broker";
import { runLameDuck } from "../../server/nats/lame-duck";
import type { Transport, TransportHandlers } from "../../server/nats/transport";
import type { CloseReason } from "../../server/nats/close-reason";
import { SILENT_LOGGER } from "../../server/nats/logger";

/** The peer's end: what the server wrote, and when the server ended the connection. */
class MemoryTransport implements Transport {
  readonly kind = "tcp" as const;
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort = 40000;
  written = "";
  endedAt = 0;
  private handlers: TransportHandlers | null = null;
  attach(h: TransportHandlers): void {
    this.handlers = h;
  }
  send(text: string): void {
    this.handlers!.data(Buffer.from(text));
  }
  write(chunk: Buffer, done?: (err?: Error | null) => void): void {
    this.written += chunk.toString();
    done?.(null);
  }
  pendingBytes(): number {
    return 0;
  }
  end(_reason: CloseReason): void {
    this.endedAt = performance.now();
    this.handlers?.close();
  }
  destroy(reason: CloseReason): void {
    this.end(reason);
  }
}

function connectClients(broker: Broker, n: number, hello: string): MemoryTransport[] {
  return Array.from({ length: n }, () => {
    const t = new MemoryTransport();
    broker.accept(t);
    t.send(hello);
    return t;
  });
}

const ASYNC_INFO = 'CONNECT {"protocol":1,"verbose":false}\r\nPING\r\n';

describe("runLameDuck", () => {
  it("tells async-INFO clients, waits the grace period, then closes one by one", async () => {
    const broker = new Broker();
    const told = connectClients(broker, 2, ASYNC_INFO);
    const [proto0] = connectClients(broker, 1, 'CONNECT {"protocol":0}\r\nPING\r\n');
    const [noPing] = connectClients(broker, 1, 'CONNECT {"protocol":1}\r\n');
    broker.flushNow();
    const events: string[] = [];
    const startedAt = performance.now();
    await runLameDuck({
      broker,
      // 400 ms minus 100 ms of grace, over 4 clients: 75 ms apart, 37.5 ms with random 0.
      options: { durationMs: 400, gracePeriodMs: 100 },
      log: { ...SILENT_LOGGER, info: (m) => events.push(m) },
      signal: new AbortController().signal,
      random: () => 0,
      stopAccepting: async () => void events.push("stop accepting"),
    });
    assert.deepEqual(events, [
      "Entering lame duck mode, stop accepting new clients",
      "stop accepting",
      "Closing existing clients",
    ]);
    broker.flushNow();
    for (const t of told) assert.match(t.written, /\r\nINFO \{[^\r]*,"ldm":true\} \r\n/);
    for (const t of [proto0!, noPing!]) assert.doesNotMatch(t.written, /ldm/);
    const closes = [...told, proto0!, noPing!].map((t) => t.endedAt - startedAt);
    assert.ok(closes[0]! >= 99, `first close after the grace period: ${closes[0]}`);
    for (let i = 1; i < closes.length; i++) {
      assert.ok(closes[i]! - closes[i - 1]! >= 36, `spaced: ${closes.join(", ")}`);
    }
    // Newcomers are turned away.
    const late = new MemoryTransport();
    broker.accept(late);
    assert.ok(late.endedAt > 0);
    await broker.shutdown();
  });

  it("closes several clients per pause when there are more clients than milliseconds", async () => {
    const broker = new Broker();
    const clients = connectClients(broker, 600, ASYNC_INFO);
    // 200 ms for 600 clients: 3 per millisecond-long pause, not a pause per client (each
    // pause draws one random number).
    let pauses = 0;
    await runLameDuck({
      broker,
      options: { durationMs: 200, gracePeriodMs: 0 },
      log: SILENT_LOGGER,
      signal: new AbortController().signal,
      random: () => (pauses++, 0.99),
      stopAccepting: async () => {},
    });
    assert.ok(clients.every((t) => t.endedAt > 0));
    assert.equal(pauses, 199);
    await broker.shutdown();
  });

  it("gives up when the server is stopped meanwhile", async () => {
    const broker = new Broker();
    const clients = connectClients(broker, 3, ASYNC_INFO);
    const stopped = new AbortController();
    const run = runLameDuck({
      broker,
      options: { durationMs: 60_000, gracePeriodMs: 10_000 },
      log: SILENT_LOGGER,
      signal: stopped.signal,
      stopAccepting: async () => {},
    });
    await new Promise((r) => setTimeout(r, 20));
    stopped.abort();
    await run;
    assert.ok(
      clients.every((t) => t.endedAt === 0),
      "none closed by lame duck mode",
    );
    await broker.shutdown();
  });
});
