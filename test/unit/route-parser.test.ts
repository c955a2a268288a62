/**
 * The route protocol parser without sockets: each op nats-server 2.9 sends between
 * cluster members, the bad lines that end a route, and the same ops whatever the split
 * (including random splits and mutated input, for a bounded time).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RouteParser, type RouteOp } from "../../server/nats/cluster/route-parser";

/** Ops with payloads as strings, so they compare by value after the parser reuses nothing. */
type Plain = Record<string, unknown>;

function plain(op: RouteOp): Plain {
  return op.kind === "RMSG" ? { ...op, data: op.data.toString("latin1") } : { ...op };
}

function parseAll(input: string | Buffer, splits: number[] = [], maxLine?: number): Plain[] {
  const bytes = typeof input === "string" ? Buffer.from(input, "latin1") : input;
  const p = new RouteParser(maxLine);
  const ops: Plain[] = [];
  let at = 0;
  for (const s of [...splits, bytes.length]) {
    p.parse(bytes.subarray(at, s), (op) => ops.push(plain(op)));
    at = s;
  }
  return ops;
}

const SAMPLE =
  'INFO {"server_id":"N1","cluster":"C"}\r\n' +
  'CONNECT {"name":"N1"}\r\n' +
  "PING\r\nPONG\r\n+OK\r\n" +
  "RS+ $G foo.*\r\n" +
  "RS+ $G work workers 3\r\n" +
  "RS- $G foo.*\r\n" +
  "RS- $G work workers\r\n" +
  "LS+ C2 $G leaf.> \r\n" +
  "RMSG $G foo.bar 5\r\nhello\r\n" +
  "RMSG $G foo.bar _INBOX.1 2\r\nhi\r\n" +
  "RMSG $G work + _INBOX.2 workers other 3\r\nabc\r\n" +
  "RMSG $G work | workers 0\r\n\r\n" +
  "HMSG $G h.x 12 14\r\nNATS/1.0\r\n\r\nok\r\n" +
  "HMSG $G h.y | q1 12 12\r\nNATS/1.0\r\n\r\n\r\n";

describe("route parser", () => {
  it("reads every route op nats-server sends", () => {
    assert.deepEqual(parseAll(SAMPLE), [
      { kind: "INFO", json: '{"server_id":"N1","cluster":"C"}' },
      { kind: "CONNECT", json: '{"name":"N1"}' },
      { kind: "PING" },
      { kind: "PONG" },
      { kind: "OK" },
      { kind: "RS+", account: "$G", subject: "foo.*", queue: null, weight: 1 },
      { kind: "RS+", account: "$G", subject: "work", queue: "workers", weight: 3 },
      { kind: "RS-", account: "$G", subject: "foo.*", queue: null },
      { kind: "RS-", account: "$G", subject: "work", queue: "workers" },
      { kind: "RS+", account: "$G", subject: "leaf.>", queue: null, weight: 1 },
      msg("foo.bar", null, [], -1, "hello"),
      msg("foo.bar", "_INBOX.1", [], -1, "hi"),
      msg("work", "_INBOX.2", ["workers", "other"], -1, "abc"),
      msg("work", null, ["workers"], -1, ""),
      msg("h.x", null, [], 12, "NATS/1.0\r\n\r\nok"),
      msg("h.y", null, ["q1"], 12, "NATS/1.0\r\n\r\n"),
    ]);
  });

  it("gives the same ops for every split into two and three pieces", () => {
    const whole = parseAll(SAMPLE);
    for (let i = 0; i <= SAMPLE.length; i++) {
      assert.deepEqual(parseAll(SAMPLE, [i]), whole, `split at ${i}`);
    }
    for (let i = 0; i < SAMPLE.length; i += 7) {
      for (let j = i; j <= SAMPLE.length; j += 11) {
        assert.deepEqual(parseAll(SAMPLE, [i, j]), whole, `split at ${i}, ${j}`);
      }
    }
  });

  it("takes op names in any case, tabs between arguments and a bare LF", () => {
    assert.deepEqual(parseAll("rs+\t$G\tfoo\nrmsg $G foo 1\na\r\nping\n"), [
      { kind: "RS+", account: "$G", subject: "foo", queue: null, weight: 1 },
      msg("foo", null, [], -1, "a"),
      { kind: "PING" },
    ]);
  });

  it("reads the text of -ERR without its quotes", () => {
    assert.deepEqual(parseAll("-ERR 'Authorization Violation'\r\n"), [
      { kind: "ERR", text: "Authorization Violation" },
    ]);
  });

  for (const [what, input] of [
    ["an unknown op", "SUB foo 1\r\n"],
    ["RS+ with a queue but no weight", "RS+ $G foo q\r\n"],
    ["RS+ with a bad weight", "RS+ $G foo q x\r\n"],
    ["RMSG without a size", "RMSG $G foo\r\n"],
    ["RMSG with a bad size", "RMSG $G foo 1x\r\nx\r\n"],
    ["RMSG with a bad reply indicator", "RMSG $G foo ? q 1\r\nx\r\n"],
    ["HMSG whose headers are longer than the message", "HMSG $G foo 5 3\r\nabc\r\n"],
    ["a payload not followed by CRLF", "RMSG $G foo 1\r\nxy\r\n"],
  ] as const) {
    it(`stops at ${what}, with a reason, and reads nothing after it`, () => {
      const ops = parseAll(`PING\r\n${input}PONG\r\n`);
      assert.equal(ops.length, 2, JSON.stringify(ops));
      assert.deepEqual(ops[0], { kind: "PING" });
      assert.equal(ops[1]!.kind, "FAIL");
      assert.ok(typeof ops[1]!.reason === "string" && ops[1]!.reason.length > 0);
    });
  }

  it("stops at a control line longer than its limit, even before its end arrives", () => {
    const p = new RouteParser(64);
    const ops: RouteOp[] = [];
    p.parse(Buffer.from(`RS+ $G ${"a".repeat(100)}`), (op) => ops.push(op));
    assert.deepEqual(
      ops.map((o) => o.kind),
      ["FAIL"],
    );
  });

  it("never throws on random splits of mutated input, and stops for good after FAIL", () => {
    const budget = Number(process.env.MQ9_FUZZ_MS ?? 1500);
    const deadline = Date.now() + budget;
    let seed = 1;
    const rnd = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const base = Buffer.from(SAMPLE, "latin1");
    const special = [13, 10, 32, 9, 43, 45, 124, 48, 57, 0, 255];
    let runs = 0;
    while (Date.now() < deadline) {
      const bytes = [...base];
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) {
        const at = Math.floor(rnd() * bytes.length);
        const b =
          rnd() < 0.6 ? special[Math.floor(rnd() * special.length)]! : Math.floor(rnd() * 256);
        if (rnd() < 0.5) bytes[at] = b;
        else bytes.splice(at, rnd() < 0.5 ? 0 : 1, b);
      }
      const input = Buffer.from(bytes);
      const splits: number[] = [];
      for (let at = 0; at < input.length; at += 1 + Math.floor(rnd() * 40)) splits.push(at);
      const ops = parseAll(input, splits, 1024);
      const fail = ops.findIndex((o) => o.kind === "FAIL");
      assert.ok(fail === -1 || fail === ops.length - 1, "ops after FAIL");
      assert.deepEqual(parseAll(input, [], 1024), ops, "split changed the ops");
      runs++;
    }
    assert.ok(runs > 10);
  });
});

function msg(
  subject: string,
  reply: string | null,
  queues: string[],
  headerSize: number,
  data: string,
): Plain {
  return { kind: "RMSG", account: "$G", subject, reply, queues, headerSize, data };
}
