/**
 * A subscriber that stops reading is cut off at max_pending, silently, while a healthy
 * subscriber on the same subject keeps receiving everything, and the broker's memory stays
 * bounded (nats-wire-notes §1.10).
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "nats";
import { rssBytes, startChildBroker, type ChildBroker } from "../support/child";

const MAX_PENDING = 2 * 1024 * 1024;
const MESSAGES = 60_000;
const SIZE = 1024;

describe("slow consumer", () => {
  let broker: ChildBroker;
  before(async () => {
    broker = await startChildBroker({ maxPending: MAX_PENDING, writeDeadline: 2000 });
  });
  after(async () => broker.stop());

  it("cuts off a stalled reader without hurting a healthy one", async () => {
    // The stalled subscriber: a raw socket that subscribes, then never reads again.
    const stalled = net.connect(broker.port, "127.0.0.1");
    await new Promise((r) => stalled.once("data", r));
    stalled.write('CONNECT {"verbose":false}\r\nSUB load 1\r\nPING\r\n');
    await new Promise((r) => stalled.once("data", r));
    stalled.pause();
    let stalledClosed = false;
    let stalledErr = "";
    stalled.on("close", () => (stalledClosed = true));
    stalled.on("error", (e) => (stalledErr = e.message));

    const healthy: NatsConnection = await connect({ port: broker.port });
    let received = 0;
    const sub = healthy.subscribe("load");
    const done = (async () => {
      for await (const _m of sub) if (++received === MESSAGES) break;
    })();
    await healthy.flush();

    const rssBefore = rssBytes(broker.pid);
    let peak = rssBefore;
    const pub = await connect({ port: broker.port });
    const payload = new Uint8Array(SIZE).fill(120);
    for (let i = 0; i < MESSAGES; i++) {
      pub.publish("load", payload);
      if (i % 500 === 499) {
        await pub.flush();
        // Publisher and healthy subscriber share this process: keep the publisher within
        // ~1 MB of what the subscriber has read, so only the stalled reader can fall
        // behind by max_pending (2 MB).
        const waitUntil = Date.now() + 10_000;
        while (i + 1 - received > 1000 && Date.now() < waitUntil) {
          await new Promise((r) => setTimeout(r, 1));
        }
        peak = Math.max(peak, rssBytes(broker.pid));
      }
    }
    await pub.flush();
    await done;
    peak = Math.max(peak, rssBytes(broker.pid));

    assert.equal(received, MESSAGES, "the healthy subscriber got every message");
    // 60 MB went through; the stalled reader could hold at most MAX_PENDING of it.
    const growth = peak - rssBefore;
    assert.ok(growth < 48 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB`);
    const deadline = Date.now() + 5000;
    while (!stalledClosed && Date.now() < deadline) {
      // Reading would drain the kernel buffer; only watch for the close.
      stalled.resume();
      stalled.on("data", () => {});
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(stalledClosed, `the stalled subscriber was disconnected ${stalledErr}`);
    await pub.close();
    await healthy.close();
  });
});
