/**
 * Garbage over real sockets: many connections send random and mutated protocol bytes in
 * random splits. The broker answers or closes each one as nats-server would, never
 * crashes, and afterwards still serves a well-behaved client.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { connect, StringCodec } from "nats";
import { startBroker, type TestBroker } from "../support/broker";

const CONNECTIONS = 60;
const SEEDS = [
  'CONNECT {"verbose":true,"headers":true}\r\n',
  "SUB foo.* 1\r\nPUB foo.x 5\r\nhello\r\n",
  "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
  "UNSUB 1 2\r\nPING\r\n",
  "PUB foo 99999999\r\n",
  "SUB a b c d e\r\n",
];

function garbage(rnd: () => number): Buffer {
  const parts: number[] = [];
  for (let k = 0; k < 6; k++) {
    const seed = Buffer.from(SEEDS[Math.floor(rnd() * SEEDS.length)]!);
    for (const b of seed) {
      const r = rnd();
      if (r < 0.03) continue;
      parts.push(r < 0.06 ? Math.floor(rnd() * 256) : b);
    }
  }
  return Buffer.from(parts);
}

describe("broker under garbage input", () => {
  let b: TestBroker;
  before(async () => {
    b = await startBroker({ maxPayload: 64 * 1024, maxControlLine: 1024 });
  });
  after(async () => b.stop());

  it("keeps serving well-behaved clients", async () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const s = net.connect(b.port, "127.0.0.1");
        s.on("data", () => {});
        const closed = new Promise<void>((r) => s.once("close", () => r()));
        s.on("error", () => {});
        await new Promise((r) => s.once("connect", r));
        const input = garbage(rnd);
        for (let i = 0; i < input.length;) {
          const step = 1 + Math.floor(rnd() * 40);
          s.write(input.subarray(i, i + step));
          i += step;
          if (rnd() < 0.2) await new Promise((r) => setImmediate(r));
        }
        s.end();
        await closed;
      }),
    );
    // Every garbage connection is gone from the broker.
    const deadline = Date.now() + 3000;
    while (b.broker.stats().connections > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(b.broker.stats().connections, 0);
    assert.equal(b.broker.stats().subscriptions, 0);

    const sc = StringCodec();
    const nc = await connect({ port: b.port });
    const sub = nc.subscribe("ok.*", { max: 1 });
    nc.publish("ok.1", sc.encode("still here"));
    for await (const m of sub) assert.equal(sc.decode(m.data), "still here");
    await nc.close();
  });
});
