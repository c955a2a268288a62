/**
 * Parser fuzzing, without sockets: random and mutated inputs split at random points, for a
 * bounded time (MQ9_FUZZ_MS, default 3 s). Nothing may throw or hang, buffered state stays
 * within the limits, nothing follows a failure, and valid input parses the same however it
 * is split.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Op } from "../../server/nats/protocol/ops";
import { Parser } from "../../server/nats/protocol/parser";

const BUDGET_MS = Number(process.env.MQ9_FUZZ_MS ?? 3000);
const LIMITS = { maxControlLine: 512, maxPayload: 4096 };

function pub(args: string, payload: string): string {
  return `PUB ${args} ${payload.length}\r\n${payload}\r\n`;
}

function hpub(args: string, headers: string, payload: string): string {
  const total = headers.length + payload.length;
  return `HPUB ${args} ${headers.length} ${total}\r\n${headers}${payload}\r\n`;
}

const SEEDS = [
  'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n',
  "PING\r\n",
  "PONG\r\n",
  "SUB foo.* 1\r\n",
  "SUB foo q 22\r\n",
  "UNSUB 1 10\r\n",
  "PUB foo 5\r\nhello\r\n",
  pub("foo.bar reply.to", "hello\r\nworld"),
  hpub("foo", "NATS/1.0\r\nA: bbbbbb\r\n\r\n", "hello"),
  hpub("foo r", "NATS/1.0\r\n\r\n", ""),
  "+OK\r\n",
  "-ERR 'x'\r\n",
  "INFO {}\r\n",
  "pub\tfoo\t\t0\n\r\n",
];

// Small deterministic PRNG so a failure can be replayed from its seed.
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

const INTERESTING = [13, 10, 32, 9, 46, 42, 62, 48, 57, 0, 255, 80, 83];

function mutate(input: Buffer, rnd: () => number): Buffer {
  const bytes = [...input];
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (bytes.length + 1));
    const r = rnd();
    const b =
      rnd() < 0.5 ? INTERESTING[Math.floor(rnd() * INTERESTING.length)]! : Math.floor(rnd() * 256);
    if (r < 0.3) bytes[at] = b;
    else if (r < 0.55) bytes.splice(at, 0, b);
    else if (r < 0.75) bytes.splice(at, 1 + Math.floor(rnd() * 3));
    else if (r < 0.9) {
      // Duplicate a slice: long lines, repeated ops, oversized numbers.
      const len = Math.floor(rnd() * 64);
      bytes.splice(at, 0, ...bytes.slice(at, at + len));
    } else bytes.splice(at, 0, ...Buffer.from(String(Math.floor(rnd() * 1e12))));
  }
  return Buffer.from(bytes);
}

function randomInput(rnd: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.7) parts.push(Buffer.from(SEEDS[Math.floor(rnd() * SEEDS.length)]!, "latin1"));
    else if (r < 0.9) {
      const len = Math.floor(rnd() * 64);
      parts.push(Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256))));
    } else parts.push(Buffer.alloc(Math.floor(rnd() * 2000), 0x61));
  }
  const whole = Buffer.concat(parts);
  return rnd() < 0.8 ? mutate(whole, rnd) : whole;
}

/** Runs the parser over `input` in random splits; returns a summary of the ops. */
function run(input: Buffer, rnd: () => number, headers: boolean): string[] {
  const p = new Parser(LIMITS);
  p.headers = headers;
  const seen: string[] = [];
  let failed = false;
  const emit = (op: Op) => {
    assert.ok(!failed, "no op after a failure");
    if (op.kind === "FAIL") failed = true;
    if (op.kind === "PUB") {
      assert.ok(op.data.length <= LIMITS.maxPayload, "payload within max_payload");
      assert.ok(op.headerSize <= op.data.length, "header within total");
      seen.push(`PUB ${op.subject} ${op.reply} ${op.headerSize} ${op.data.toString("latin1")}`);
    } else if (op.kind === "SUB") seen.push(`SUB ${op.subject} ${op.queue} ${op.sid}`);
    else if (op.kind === "UNSUB") seen.push(`UNSUB ${op.sid} ${op.max}`);
    else if (op.kind === "CONNECT") seen.push(`CONNECT ${op.json.toString("latin1")}`);
    else if (op.kind === "FAIL") seen.push(`FAIL ${op.reason}`);
    else seen.push(op.kind);
  };
  let i = 0;
  while (i < input.length) {
    const step = rnd() < 0.3 ? 1 : 1 + Math.floor(rnd() * 200);
    p.parse(input.subarray(i, i + step), emit);
    i += step;
    // Carried-over state is bounded by the limits, whatever the input.
    const state = p as unknown as { argLen: number; msgLen: number };
    assert.ok(state.argLen <= LIMITS.maxControlLine + 200, "argument buffer bounded");
    assert.ok(state.msgLen <= LIMITS.maxPayload, "payload buffer bounded");
  }
  return seen;
}

describe("parser fuzzing", () => {
  it(`survives random and mutated input for ${BUDGET_MS} ms`, () => {
    const deadline = Date.now() + BUDGET_MS;
    let cases = 0;
    let seed = Number(process.env.MQ9_FUZZ_SEED ?? Date.now() % 1e9);
    while (Date.now() < deadline) {
      seed++;
      const rnd = prng(seed);
      const input = randomInput(rnd);
      const headers = rnd() < 0.5;
      try {
        const a = run(input, rnd, headers);
        // The same bytes in one piece give the same ops: splitting never changes meaning.
        const b = run(input, () => 0.999, headers);
        assert.deepEqual(a, b, "split-independent");
      } catch (err) {
        throw new Error(`fuzz seed ${seed}: ${(err as Error).message}`);
      }
      cases++;
    }
    assert.ok(cases > 100, `ran ${cases} cases`);
  });

  it("parses every seed the same way at every split point", () => {
    const input = Buffer.from(SEEDS.join(""), "latin1");
    const whole = run(input, () => 0.999, true);
    assert.ok(!whole.some((s) => s.startsWith("FAIL")), whole.join("\n"));
    for (let cut = 1; cut < input.length; cut++) {
      const p = new Parser(LIMITS);
      p.headers = true;
      const got: string[] = [];
      const emit = (op: Op) => got.push(op.kind);
      p.parse(input.subarray(0, cut), emit);
      p.parse(input.subarray(cut), emit);
      assert.equal(got.length, whole.length, `cut at ${cut}`);
    }
  });
});
