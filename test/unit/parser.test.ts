/** The parser as a pure function of bytes to ops (nats-wire-notes §1.3, §1.4). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Op } from "../../server/nats/protocol/ops";
import { Parser } from "../../server/nats/protocol/parser";

const LIMITS = { maxControlLine: 4096, maxPayload: 1024 * 1024 };

type Plain = Record<string, unknown>;

/** Parses `input` split into `chunks` pieces of at most `step` bytes; returns plain ops. */
function parse(input: string | Buffer, step = Infinity, headers = false): Plain[] {
  const p = new Parser(LIMITS);
  p.headers = headers;
  const buf = typeof input === "string" ? Buffer.from(input, "latin1") : input;
  const ops: Plain[] = [];
  const emit = (op: Op) => {
    const o: Plain = { ...op };
    if ("data" in op) o.data = op.data.toString("latin1");
    if ("sizeText" in op && op.sizeText === null) delete o.sizeText;
    if ("json" in op) o.json = op.json.toString("latin1");
    ops.push(o);
  };
  for (let i = 0; i < buf.length; i += step) {
    p.parse(buf.subarray(i, Math.min(buf.length, i + step)), emit);
  }
  return ops;
}

/** Same ops whether the input arrives whole, byte by byte, or in 3-byte pieces. */
function parseAllSplits(input: string, headers = false): Plain[] {
  const whole = parse(input, Infinity, headers);
  assert.deepEqual(parse(input, 1, headers), whole, "byte by byte");
  assert.deepEqual(parse(input, 3, headers), whole, "3-byte chunks");
  return whole;
}

describe("parser", () => {
  it("parses PUB with and without reply, payloads containing CRLF", () => {
    assert.deepEqual(parseAllSplits("PUB foo 5\r\nhello\r\nPUB foo bar 6\r\nab\r\ncd\r\n"), [
      { kind: "PUB", subject: "foo", reply: null, headerSize: -1, data: "hello" },
      { kind: "PUB", subject: "foo", reply: "bar", headerSize: -1, data: "ab\r\ncd" },
    ]);
  });

  it("keeps size tokens with leading zeros, to echo them as nats-server does", () => {
    assert.deepEqual(parseAllSplits("PUB foo 002\r\nhi\r\n"), [
      { kind: "PUB", subject: "foo", reply: null, headerSize: -1, data: "hi", sizeText: "002" },
    ]);
  });

  it("treats HPUB with an empty header block as a plain PUB", () => {
    assert.deepEqual(parseAllSplits("HPUB foo 0 5\r\nhello\r\n", true), [
      { kind: "PUB", subject: "foo", reply: null, headerSize: -1, data: "hello" },
    ]);
  });

  it("accepts zero-length payloads", () => {
    assert.deepEqual(parseAllSplits("PUB foo 0\r\n\r\n"), [
      { kind: "PUB", subject: "foo", reply: null, headerSize: -1, data: "" },
    ]);
  });

  it("matches ops case-insensitively, with tabs, runs of spaces and bare LF", () => {
    assert.deepEqual(parseAllSplits("sub\tfoo   q  1 \npInG\nPoNg\r\nuNsUb 1 5\r\n"), [
      { kind: "SUB", subject: "foo", queue: "q", sid: "1" },
      { kind: "PING" },
      { kind: "PONG" },
      { kind: "UNSUB", sid: "1", max: 5 },
    ]);
  });

  it("ignores anything after PING up to the line end", () => {
    assert.deepEqual(parseAllSplits("PING junk here\r\nPONGx\r\n"), [
      { kind: "PING" },
      { kind: "PONG" },
    ]);
  });

  it("parses HPUB only once headers are negotiated", () => {
    const hpub = "HPUB foo r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n";
    assert.deepEqual(parseAllSplits(hpub, true), [
      { kind: "PUB", subject: "foo", reply: "r", headerSize: 12, data: "NATS/1.0\r\n\r\nhi" },
    ]);
    assert.deepEqual(parse(hpub, Infinity, false), [{ kind: "FAIL", reason: "bad_args" }]);
  });

  it("fails at the first wrong op letter, before any line end", () => {
    assert.deepEqual(parse("PUX"), [{ kind: "FAIL", reason: "unknown_op" }]);
    assert.deepEqual(parse("ZZZ"), [{ kind: "FAIL", reason: "unknown_op" }]);
    assert.deepEqual(parse("PUBS foo 1\r\n"), [{ kind: "FAIL", reason: "unknown_op" }]);
    // Route and leafnode ops are not for clients.
    assert.deepEqual(parse("RS+ foo\r\n"), [{ kind: "FAIL", reason: "unknown_op" }]);
  });

  it("stops after a failure and ignores the rest", () => {
    assert.deepEqual(parse("FOO\r\nPING\r\n"), [{ kind: "FAIL", reason: "unknown_op" }]);
  });

  it("rejects a payload whose size does not match", () => {
    assert.deepEqual(parseAllSplits("PUB foo 1\r\nab\r\n"), [
      { kind: "FAIL", reason: "unknown_op" },
    ]);
    // Too short: the parser waits for the rest of the payload.
    assert.deepEqual(parseAllSplits("PUB foo 5\r\nab\r\n"), []);
  });

  it("closes silently on wrong argument counts and bad sizes", () => {
    for (const line of [
      "SUB a b c d",
      "SUB a",
      "PUB foo bar",
      "PUB  1",
      "PUB foo x",
      "UNSUB 1 2 3",
    ]) {
      assert.deepEqual(parse(`${line}\r\n`), [{ kind: "FAIL", reason: "bad_args" }], line);
    }
    assert.deepEqual(parse("HPUB foo 20 10\r\n", Infinity, true), [
      { kind: "FAIL", reason: "bad_args" },
    ]);
    // parseSize takes at most 9 digits.
    assert.deepEqual(parse("PUB foo 1234567890\r\n"), [{ kind: "FAIL", reason: "bad_args" }]);
  });

  it("enforces max_payload on the control line and max_control_line on every line", () => {
    const p = new Parser({ maxControlLine: 16, maxPayload: 4 });
    const ops: Op[] = [];
    p.parse(Buffer.from("PUB foo 5\r\n"), (op) => ops.push(op));
    assert.deepEqual(ops, [{ kind: "FAIL", reason: "max_payload" }]);
    const q = new Parser({ maxControlLine: 16, maxPayload: 4 });
    const ops2: Op[] = [];
    q.parse(Buffer.from(`SUB ${"x".repeat(20)} 1\r\n`), (op) => ops2.push(op));
    assert.deepEqual(ops2, [{ kind: "FAIL", reason: "max_control_line" }]);
    // Split input is bounded too, before its line end arrives.
    const r = new Parser({ maxControlLine: 16, maxPayload: 4 });
    const ops3: Op[] = [];
    r.parse(Buffer.from(`CONNECT {"name":"${"y".repeat(30)}`), (op) => ops3.push(op));
    assert.deepEqual(ops3, [{ kind: "FAIL", reason: "max_control_line" }]);
  });

  it("hands CONNECT its JSON, also with no separator", () => {
    assert.deepEqual(parseAllSplits('CONNECT {"verbose":false}\r\nCONNECT{}\r\n'), [
      { kind: "CONNECT", json: '{"verbose":false}' },
      { kind: "CONNECT", json: "{}" },
    ]);
  });

  it("accepts client-sent +OK, -ERR and INFO", () => {
    assert.deepEqual(parseAllSplits("+OK\r\n-ERR 'x'\r\nINFO {}\r\n"), [
      { kind: "OK" },
      { kind: "ERR" },
      { kind: "INFO", json: "{}" },
    ]);
  });

  it("does not copy a payload that arrives in one read", () => {
    const p = new Parser(LIMITS);
    const input = Buffer.from("PUB foo 5\r\nhello\r\n");
    let data: Buffer | null = null;
    p.parse(input, (op) => {
      if (op.kind === "PUB") data = op.data;
    });
    assert.ok(data !== null);
    assert.equal((data as Buffer).buffer, input.buffer, "payload is a view of the input");
  });

  it("keeps non-ASCII subjects byte for byte", () => {
    const subject = Buffer.from("héllo.wörld");
    const input = Buffer.concat([Buffer.from("SUB "), subject, Buffer.from(" 1\r\n")]);
    const [op] = parse(input);
    assert.equal(Buffer.from(op!.subject as string, "latin1").toString(), "héllo.wörld");
  });
});
