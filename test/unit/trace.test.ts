/**
 * Protocol tracing's pieces without sockets: the parser reports control lines exactly as
 * received and payload sizes only; CONNECT secrets are redacted; clients are named as
 * nats-server names them. (test/integration/trace.test.ts compares whole traces with
 * nats-server's.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_CONNECT } from "../../server/nats/protocol/connect";
import { Parser } from "../../server/nats/protocol/parser";
import {
  clientLabel,
  ProtocolTrace,
  redactConnect,
  remoteLabel,
  type ParserTrace,
} from "../../server/nats/trace";
import type { Transport } from "../../server/nats/transport";
import type { Logger } from "../../server/nats/logger";

function traced(input: string, step = Infinity, headers = true): string[] {
  const seen: string[] = [];
  const tracer: ParserTrace = {
    op: (name, arg) => seen.push(arg === null ? name : `${name} ${arg}`),
    payload: (size) => seen.push(`payload ${size}`),
  };
  const p = new Parser({ maxControlLine: 4096, maxPayload: 1024 });
  p.headers = headers;
  p.tracer = tracer;
  const buf = Buffer.from(input, "utf8");
  for (let i = 0; i < buf.length; i += step) p.parse(buf.subarray(i, i + step), () => {});
  return seen;
}

describe("parser tracing", () => {
  it("reports each control line as received, and a payload by its size only", () => {
    const input =
      'CONNECT {"verbose":false}\r\nping\r\nSUB  foo  q 1\r\nPUB foo r 5\r\nhello\r\n' +
      "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nUNSUB 1 2\r\nPONG\r\n+OK\r\nSUB sub.é 2\r\n";
    const expected = [
      'CONNECT {"verbose":false}',
      "PING",
      "SUB foo  q 1",
      "PUB foo r 5",
      "payload 5",
      "HPUB foo 12 14",
      "payload 14",
      "UNSUB 1 2",
      "PONG",
      // +OK from a client is not traced (nor is -ERR or INFO), as in nats-server.
      "SUB sub.é 2",
    ];
    assert.deepEqual(traced(input), expected);
    assert.deepEqual(traced(input, 1), expected, "byte by byte");
  });

  it("traces a line before refusing it, and nothing after", () => {
    assert.deepEqual(traced("SUB 1\r\nPING\r\n"), ["SUB 1"]);
    assert.deepEqual(traced("PUB foo 2000\r\n"), ["PUB foo 2000"]);
  });
});

describe("CONNECT redaction", () => {
  it("hides passwords and tokens, quoted or not, and keeps the rest", () => {
    assert.equal(
      redactConnect('{"user":"a","pass":"p\\"w","auth_token":"t0k","name":"password-app"}'),
      '{"user":"a","pass":"[REDACTED]","auth_token":"[REDACTED]","name":"password-app"}',
    );
    assert.equal(
      redactConnect("{pass: secret, token=abc}"),
      "{pass: [REDACTED], token=[REDACTED]}",
    );
    assert.equal(redactConnect('{"verbose":false}'), '{"verbose":false}');
    // An unterminated value (a CONNECT cut short) is hidden to its end.
    assert.equal(redactConnect('{"pass":"abc'), '{"pass":"[REDACTED]"');
  });
});

describe("client labels", () => {
  const transport = (kind: Transport["kind"], address: string): Transport =>
    ({ kind, remoteAddress: address, remotePort: 4711 }) as Transport;

  it("name the address and id as nats-server does, then what CONNECT said", () => {
    assert.equal(remoteLabel("::ffff:127.0.0.1", 1), "127.0.0.1:1");
    assert.equal(remoteLabel("::1", 2), "[::1]:2");
    assert.equal(clientLabel(transport("tcp", "10.0.0.1"), 7, null), "10.0.0.1:4711 - cid:7");
    assert.equal(clientLabel(transport("websocket", "::1"), 8, null), "[::1]:4711 - wid:8");
    const named = { ...DEFAULT_CONNECT, version: "2.29.1", lang: "nats.js", name: "app" };
    assert.equal(
      clientLabel(transport("tcp", "10.0.0.1"), 7, named),
      '10.0.0.1:4711 - cid:7 - "v2.29.1:nats.js:app"',
    );
    assert.equal(
      clientLabel(transport("tcp", "10.0.0.1"), 7, { ...DEFAULT_CONNECT, name: "only" }),
      '10.0.0.1:4711 - cid:7 - "only"',
    );
    assert.equal(
      clientLabel(transport("tcp", "10.0.0.1"), 7, DEFAULT_CONNECT),
      "10.0.0.1:4711 - cid:7",
    );
  });

  it("prefix every trace line", () => {
    const lines: string[] = [];
    const log: Logger = {
      trace: (m) => lines.push(m),
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: () => {},
    };
    const t = new ProtocolTrace(log, "1.2.3.4:5 - cid:1");
    t.op("CONNECT", '{"pass":"x"}');
    t.out("OK");
    t.out("-ERR", "Invalid Subject");
    t.msg(true, "a.b", "9", "_INBOX.x", "12 20");
    t.delsub("9");
    t.payload(20);
    assert.deepEqual(lines, [
      '1.2.3.4:5 - cid:1 - <<- [CONNECT {"pass":"[REDACTED]"}]',
      "1.2.3.4:5 - cid:1 - ->> [OK]",
      "1.2.3.4:5 - cid:1 - ->> [-ERR Invalid Subject]",
      "1.2.3.4:5 - cid:1 - ->> [HMSG a.b 9 _INBOX.x 12 20]",
      "1.2.3.4:5 - cid:1 - <-> [DELSUB 9]",
      "1.2.3.4:5 - cid:1 - <<- MSG_PAYLOAD: [20 bytes]",
    ]);
  });
});
