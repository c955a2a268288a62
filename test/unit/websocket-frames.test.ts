/**
 * The WebSocket frame decoder/encoder and permessage-deflate, without sockets. Client frames
 * are built by hand and by the `ws` package's own Sender, so the decoder is checked against
 * an independent implementation; our server frames are read back by ws's Receiver.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import zlib from "node:zlib";
import * as wsModule from "ws";
import { deflateMessage, inflateMessage } from "../../server/nats/transports/websocket/deflate";
import {
  encodeCloseFrame,
  encodeFrame,
  FrameDecoder,
  type FrameDecoderOptions,
  maxWebSocketMessageSize,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  parseClosePayload,
  unmask,
  WebSocketProtocolError,
} from "../../server/nats/transports/websocket/frames";

// ws exports these at runtime (wrapper.mjs) but @types/ws does not declare them.
interface WsSender {
  frame(data: Buffer, options: Record<string, unknown>): Buffer[];
}
interface WsPerMessageDeflate {
  accept(offers: Record<string, unknown>[]): unknown;
  compress(data: Buffer, fin: boolean, cb: (err: Error | null, out?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, cb: (err: Error | null, out?: Buffer) => void): void;
}
interface WsReceiver extends NodeJS.EventEmitter {
  write(chunk: Buffer): boolean;
}
const ws = wsModule as unknown as {
  Sender: WsSender;
  PerMessageDeflate: new (opts: Record<string, unknown>) => WsPerMessageDeflate;
  Receiver: new (opts: Record<string, unknown>) => WsReceiver;
};

type Event =
  | { kind: "data"; bytes: Buffer }
  | { kind: "compressed"; parts: Buffer[] }
  | { kind: "ping" | "pong" | "close"; bytes: Buffer };

/** A decoder that records what it emits; consecutive data pieces are merged for comparison. */
function recorder(opts: Partial<FrameDecoderOptions> = {}) {
  const events: Event[] = [];
  const decoder = new FrameDecoder(
    {
      data: (bytes) => {
        const last = events.at(-1);
        if (last?.kind === "data") last.bytes = Buffer.concat([last.bytes, bytes]);
        else events.push({ kind: "data", bytes: Buffer.from(bytes) });
      },
      compressed: (parts) =>
        events.push({ kind: "compressed", parts: parts.map((p) => Buffer.from(p)) }),
      ping: (bytes) => events.push({ kind: "ping", bytes }),
      pong: (bytes) => events.push({ kind: "pong", bytes }),
      close: (bytes) => events.push({ kind: "close", bytes }),
    },
    { compression: false, maxMessageSize: 1024 * 1024, ...opts },
  );
  return { decoder, events };
}

interface FrameSpec {
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  mask?: boolean;
  key?: number[];
  /** Force a header length field (to build malformed frames). */
  len7?: number;
  extLength?: Buffer;
}

/** A client frame built by hand (masked unless told otherwise). */
function clientFrame(opcode: number, payload: Buffer | string, spec: FrameSpec = {}): Buffer {
  const data = Buffer.from(payload);
  const mask = spec.mask ?? true;
  const key = Buffer.from(spec.key ?? [0x37, 0xfa, 0x21, 0x3d]);
  let b0 = opcode;
  if (spec.fin ?? true) b0 |= 0x80;
  if (spec.rsv1) b0 |= 0x40;
  if (spec.rsv2) b0 |= 0x20;
  if (spec.rsv3) b0 |= 0x10;
  let ext: Buffer = spec.extLength ?? Buffer.alloc(0);
  let len7 = spec.len7 ?? data.length;
  if (spec.len7 === undefined) {
    if (data.length > 65535) {
      len7 = 127;
      ext = Buffer.alloc(8);
      ext.writeBigUInt64BE(BigInt(data.length));
    } else if (data.length > 125) {
      len7 = 126;
      ext = Buffer.alloc(2);
      ext.writeUInt16BE(data.length);
    }
  }
  const masked = Buffer.from(data);
  if (mask) for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ key[i % 4]!;
  return Buffer.concat([
    Buffer.from([b0, (mask ? 0x80 : 0) | len7]),
    ext,
    mask ? key : Buffer.alloc(0),
    masked,
  ]);
}

/** The same frame as ws's client Sender would put on the wire. */
function wsClientFrame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; rsv1?: boolean } = {},
): Buffer {
  const parts = ws.Sender.frame(Buffer.from(payload), {
    fin: opts.fin ?? true,
    rsv1: opts.rsv1 ?? false,
    opcode,
    mask: true,
    readOnly: false,
  });
  return Buffer.concat(parts);
}

function expectError(fn: () => void, code: number, message?: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(
      err instanceof WebSocketProtocolError,
      `expected WebSocketProtocolError, got ${String(err)}`,
    );
    assert.equal(err.closeCode, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** Feeds `bytes` to a fresh decoder cut at the given offsets; returns its events. */
function decodeInPieces(
  bytes: Buffer,
  cuts: number[],
  opts?: Partial<FrameDecoderOptions>,
): Event[] {
  const { decoder, events } = recorder(opts);
  const copy = Buffer.from(bytes); // the decoder unmasks in place
  let start = 0;
  for (const cut of [...cuts, copy.length]) {
    decoder.push(copy.subarray(start, cut));
    start = cut;
  }
  return events;
}

describe("FrameDecoder", () => {
  const big = Buffer.alloc(70_000, "x");
  for (let i = 0; i < big.length; i += 97) big[i] = i & 0xff;
  const medium = Buffer.from("m".repeat(300));
  // A binary frame, a fragmented text message with a ping between fragments, a 16-bit and a
  // 64-bit length frame, an empty frame, a pong and a close.
  const stream = Buffer.concat([
    clientFrame(OPCODE_BINARY, "PUB a 2\r\nhi\r\n"),
    clientFrame(OPCODE_TEXT, 'CONNECT {"verb', { fin: false }),
    clientFrame(OPCODE_PING, "are you there", { key: [1, 2, 3, 4] }),
    clientFrame(OPCODE_CONTINUATION, 'ose":false}\r\nPI', { fin: false }),
    clientFrame(OPCODE_CONTINUATION, "NG\r\n"),
    wsClientFrame(OPCODE_BINARY, medium),
    clientFrame(OPCODE_BINARY, big, { key: [0xde, 0xad, 0xbe, 0xef] }),
    clientFrame(OPCODE_BINARY, ""),
    clientFrame(OPCODE_PONG, ""),
    clientFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65])),
  ]);
  const expectedData1 = 'PUB a 2\r\nhi\r\nCONNECT {"verb';
  const expectedData2 = Buffer.concat([Buffer.from('ose":false}\r\nPING\r\n'), medium, big]);

  function checkStream(events: Event[]) {
    assert.deepEqual(
      events.map((e) => e.kind),
      ["data", "ping", "data", "pong", "close"],
    );
    assert.equal((events[0] as { bytes: Buffer }).bytes.toString(), expectedData1);
    assert.equal((events[1] as { bytes: Buffer }).bytes.toString(), "are you there");
    assert.ok((events[2] as { bytes: Buffer }).bytes.equals(expectedData2));
    assert.equal((events[3] as { bytes: Buffer }).bytes.length, 0);
    assert.deepEqual(parseClosePayload((events[4] as { bytes: Buffer }).bytes), {
      code: 1000,
      reason: "bye",
    });
  }

  it("decodes many frames from one chunk", () => {
    checkStream(decodeInPieces(stream, []));
  });

  it("decodes a stream cut into two pieces at every byte of the headers and small frames", () => {
    // Every offset except inside the big frame's payload, which is crossed in strides.
    const bigStart = stream.length - big.length - 14 - 6 - 6 - 11;
    const tailStart = stream.length - 6 - 6 - 11 - 10;
    for (
      let cut = 1;
      cut < stream.length;
      cut += cut < bigStart + 20 || cut >= tailStart ? 1 : 997
    ) {
      checkStream(decodeInPieces(stream, [cut]));
    }
  });

  it("decodes a stream fed one byte at a time", () => {
    const small = stream.subarray(0, stream.length - big.length - 14 - 6 - 6 - 11);
    const { decoder, events } = recorder();
    const copy = Buffer.from(small);
    for (let i = 0; i < copy.length; i++) decoder.push(copy.subarray(i, i + 1));
    assert.deepEqual(
      events.map((e) => e.kind),
      ["data", "ping", "data"],
    );
    assert.equal(
      (events[2] as { bytes: Buffer }).bytes.toString(),
      'ose":false}\r\nPING\r\n' + medium.toString(),
    );
  });

  it("streams payload of an incomplete frame instead of waiting for all of it", () => {
    const { decoder, events } = recorder();
    const frame = clientFrame(OPCODE_BINARY, "0123456789");
    decoder.push(frame.subarray(0, 6 + 4));
    assert.equal(events.length, 1);
    assert.equal((events[0] as { bytes: Buffer }).bytes.toString(), "0123");
  });

  it("unmasks across pieces with any key offset and memory alignment", () => {
    const key = Buffer.from([9, 8, 7, 6]);
    const plain = Buffer.from("the quick brown fox jumps over the lazy dog ".repeat(7));
    for (let align = 0; align < 4; align++) {
      for (let cut = 0; cut <= plain.length; cut += cut < 8 || cut > plain.length - 8 ? 1 : 13) {
        const backing = Buffer.alloc(plain.length + 4);
        const masked = backing.subarray(align, align + plain.length);
        for (let i = 0; i < plain.length; i++) masked[i] = plain[i]! ^ key[i % 4]!;
        const next = unmask(masked.subarray(0, cut), key, 0);
        unmask(masked.subarray(cut), key, next);
        assert.ok(masked.equals(plain), `align ${align}, cut at ${cut}`);
        assert.equal(backing[align + plain.length], 0, "nothing past the end is touched");
      }
    }
  });

  it("stops after a close frame", () => {
    const events = decodeInPieces(
      Buffer.concat([clientFrame(OPCODE_CLOSE, ""), clientFrame(OPCODE_BINARY, "ignored")]),
      [],
    );
    assert.deepEqual(
      events.map((e) => e.kind),
      ["close"],
    );
  });

  it("can be stopped by a handler in the middle of a chunk", () => {
    let decoder: FrameDecoder | undefined = undefined;
    const seen: string[] = [];
    decoder = new FrameDecoder(
      {
        data: (b) => {
          seen.push(b.toString());
          decoder?.stop();
        },
        compressed: () => {},
        ping: () => {},
        pong: () => {},
        close: () => {},
      },
      { compression: false, maxMessageSize: 1000 },
    );
    decoder.push(
      Buffer.concat([clientFrame(OPCODE_BINARY, "one"), clientFrame(OPCODE_BINARY, "two")]),
    );
    assert.deepEqual(seen, ["one"]);
  });

  describe("protocol violations close with 1002", () => {
    const cases: [string, Buffer, RegExp, Partial<FrameDecoderOptions>?][] = [
      ["unmasked frame", clientFrame(OPCODE_BINARY, "x", { mask: false }), /mask bit missing/],
      ["RSV2 set", clientFrame(OPCODE_BINARY, "x", { rsv2: true }), /RSV2 or RSV3/],
      ["RSV3 set", clientFrame(OPCODE_BINARY, "x", { rsv3: true }), /RSV2 or RSV3/],
      ["RSV1 without compression", clientFrame(OPCODE_BINARY, "x", { rsv1: true }), /RSV1/],
      [
        "RSV1 on a continuation frame",
        Buffer.concat([
          clientFrame(OPCODE_BINARY, "x", { fin: false, rsv1: true }),
          clientFrame(OPCODE_CONTINUATION, "y", { rsv1: true }),
        ]),
        /invalid continuation frame/,
        { compression: true },
      ],
      [
        "continuation without a message",
        clientFrame(OPCODE_CONTINUATION, "x"),
        /invalid continuation frame/,
      ],
      [
        "new message before the previous one ended",
        Buffer.concat([
          clientFrame(OPCODE_BINARY, "x", { fin: false }),
          clientFrame(OPCODE_BINARY, "y"),
        ]),
        /new message started/,
      ],
      [
        "control frame over 125 bytes",
        clientFrame(OPCODE_PING, Buffer.alloc(126)),
        /control frame length/,
      ],
      ["fragmented control frame", clientFrame(OPCODE_PING, "x", { fin: false }), /final bit/],
      [
        "compressed control frame",
        clientFrame(OPCODE_PING, "x", { rsv1: true }),
        /compressed/,
        { compression: true },
      ],
      ["reserved data opcode", clientFrame(3, "x"), /unknown opcode 3/],
      ["reserved control opcode", clientFrame(0xb, "x"), /unknown opcode 11/],
      [
        "64-bit length with the top bit set",
        clientFrame(OPCODE_BINARY, "", {
          len7: 127,
          extLength: Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 1]),
        }),
        /64-bit/,
      ],
    ];
    for (const [name, bytes, message, opts] of cases) {
      it(name, () => {
        const { decoder } = recorder(opts);
        expectError(() => decoder.push(bytes), 1002, message);
        // Once failed, it ignores what follows.
        decoder.push(clientFrame(OPCODE_BINARY, "more"));
      });
    }
  });

  describe("messages over the size limit close with 1009", () => {
    it("in one frame, judged from the header alone", () => {
      const { decoder, events } = recorder({ maxMessageSize: 100 });
      expectError(
        () => decoder.push(clientFrame(OPCODE_BINARY, Buffer.alloc(101)).subarray(0, 8)),
        1009,
      );
      assert.equal(events.length, 0);
    });
    it("summed over fragments", () => {
      const { decoder } = recorder({ maxMessageSize: 100 });
      decoder.push(clientFrame(OPCODE_BINARY, Buffer.alloc(60), { fin: false }));
      expectError(() => decoder.push(clientFrame(OPCODE_CONTINUATION, Buffer.alloc(41))), 1009);
    });
    it("a huge 64-bit length", () => {
      const { decoder } = recorder();
      const ext = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
      expectError(
        () => decoder.push(clientFrame(OPCODE_BINARY, "", { len7: 127, extLength: ext })),
        1009,
      );
    });
    it("the limit follows max_payload*8 with a 64 MiB cap", () => {
      assert.equal(maxWebSocketMessageSize(1024 * 1024), 8 * 1024 * 1024);
      assert.equal(maxWebSocketMessageSize(64 * 1024 * 1024), 64 * 1024 * 1024);
    });
    it("exactly at the limit is fine", () => {
      const { decoder, events } = recorder({ maxMessageSize: 100 });
      decoder.push(clientFrame(OPCODE_BINARY, Buffer.alloc(100)));
      assert.equal((events[0] as { bytes: Buffer }).bytes.length, 100);
    });
  });

  describe("close payloads", () => {
    const close = (code: number, reason = "") => {
      const b = Buffer.alloc(2 + Buffer.byteLength(reason));
      b.writeUInt16BE(code);
      b.write(reason, 2);
      return b;
    };
    it("accepts valid codes", () => {
      for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999]) {
        assert.equal(parseClosePayload(close(code, "ok")).code, code);
      }
      assert.deepEqual(parseClosePayload(Buffer.alloc(0)), { code: undefined, reason: "" });
    });
    it("rejects codes that must not be sent, with 1002", () => {
      for (const code of [0, 999, 1004, 1005, 1006, 1015, 2000, 2999, 5000]) {
        expectError(() => parseClosePayload(close(code)), 1002, /invalid close code/);
      }
      expectError(() => parseClosePayload(Buffer.from([3])), 1002);
    });
    it("rejects a reason that is not UTF-8, with 1007", () => {
      expectError(() => parseClosePayload(Buffer.from([0x03, 0xe8, 0xc3, 0x28])), 1007);
    });
  });
});

/** Reads server frames with ws's client-side Receiver. */
function readWithWs(frames: Buffer[], perMessageDeflate?: WsPerMessageDeflate) {
  const receiver = new ws.Receiver({
    isServer: false,
    binaryType: "nodebuffer",
    extensions: perMessageDeflate ? { "permessage-deflate": perMessageDeflate } : {},
  });
  const seen: { kind: string; data: Buffer | string; code?: number }[] = [];
  receiver.on("message", (data: Buffer, isBinary: boolean) =>
    seen.push({ kind: isBinary ? "binary" : "text", data }),
  );
  receiver.on("ping", (data: Buffer) => seen.push({ kind: "ping", data }));
  receiver.on("pong", (data: Buffer) => seen.push({ kind: "pong", data }));
  receiver.on("conclude", (code: number, reason: Buffer) =>
    seen.push({ kind: "close", code, data: reason.toString() }),
  );
  receiver.on("error", (err: Error) => seen.push({ kind: "error", data: err.message }));
  for (const f of frames) receiver.write(f);
  return seen;
}

describe("frame encoder", () => {
  it("writes unmasked binary FIN frames that ws reads, at every length encoding", () => {
    for (const n of [0, 1, 125, 126, 65535, 65536, 70_000]) {
      const payload = Buffer.alloc(n, n & 0xff);
      const frame = encodeFrame(OPCODE_BINARY, payload);
      assert.equal(frame[0], 0x82);
      assert.equal(frame[1]! & 0x80, 0, "server frames are not masked");
      const seen = readWithWs([frame]);
      assert.equal(seen.length, 1, `length ${n}`);
      assert.equal(seen[0]!.kind, "binary");
      assert.ok((seen[0]!.data as Buffer).equals(payload));
    }
  });

  it("writes pongs and close frames", () => {
    const seen = readWithWs([
      encodeFrame(OPCODE_PONG, Buffer.from("p")),
      encodeCloseFrame(1008, "Slow Consumer"),
    ]);
    assert.deepEqual(seen, [
      { kind: "pong", data: Buffer.from("p") },
      { kind: "close", code: 1008, data: "Slow Consumer" },
    ]);
  });

  it("cuts long close reasons to fit a control frame, ending in ...", () => {
    const frame = encodeCloseFrame(1002, "é".repeat(100));
    assert.ok(frame.length - 2 <= 125);
    const seen = readWithWs([frame]);
    assert.equal(seen[0]!.kind, "close");
    assert.match(seen[0]!.data as string, /^é+\.\.\.$/);
  });
});

describe("permessage-deflate", () => {
  const text = Buffer.from(
    Array.from({ length: 200 }, (_, i) => `MSG agents.${i % 7}.inbox 1 ${i} payload-${i}\r\n`).join(
      "",
    ),
  );

  function wsPmd(isServer: boolean) {
    const pmd = new ws.PerMessageDeflate({ isServer, threshold: 0 });
    const params = { server_no_context_takeover: [true], client_no_context_takeover: [true] };
    pmd.accept([params]);
    return pmd;
  }

  it("round-trips through our own deflate and inflate", () => {
    const compressed = deflateMessage(text);
    assert.ok(compressed.length < text.length / 3);
    assert.ok(inflateMessage([compressed], 1 << 20).equals(text));
  });

  it("drops the 00 00 ff ff tail, matching zlib's sync flush", () => {
    const synced = zlib.deflateRawSync(text, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.deepEqual([...synced.subarray(-4)], [0, 0, 0xff, 0xff]);
    const ours = deflateMessage(text);
    const back = zlib.inflateRawSync(Buffer.concat([ours, Buffer.from([0, 0, 0xff, 0xff])]), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    assert.ok(back.equals(text));
    assert.ok(inflateMessage([synced.subarray(0, -4)], 1 << 20).equals(text));
  });

  it("inflates a message a client ended with a final block", () => {
    assert.ok(inflateMessage([zlib.deflateRawSync(text)], 1 << 20).equals(text));
  });

  it("inflates frames compressed and framed by the ws client, whole and fragmented", async () => {
    const compressed = await new Promise<Buffer>((resolve, reject) =>
      wsPmd(false).compress(text, true, (err, out) => (err || !out ? reject(err) : resolve(out))),
    );
    const half = compressed.length >> 1;
    const streams = [
      wsClientFrame(OPCODE_BINARY, compressed, { rsv1: true }),
      Buffer.concat([
        wsClientFrame(OPCODE_BINARY, compressed.subarray(0, half), { rsv1: true, fin: false }),
        wsClientFrame(OPCODE_PING, Buffer.from("between")),
        wsClientFrame(OPCODE_CONTINUATION, compressed.subarray(half)),
      ]),
    ];
    for (const bytes of streams) {
      for (const cut of [0, 1, 3, 7, half, bytes.length - 1]) {
        const events = decodeInPieces(bytes, cut ? [cut] : [], { compression: true });
        const message = events.find((e) => e.kind === "compressed") as { parts: Buffer[] };
        assert.ok(inflateMessage(message.parts, 1 << 20).equals(text), `cut at ${cut}`);
      }
    }
  });

  it("produces messages the ws client inflates", async () => {
    const seen = readWithWs([encodeFrame(OPCODE_BINARY, deflateMessage(text), true)], wsPmd(false));
    await new Promise((r) => setTimeout(r, 20)); // ws inflates asynchronously
    assert.equal(seen.length, 1);
    assert.ok((seen[0]!.data as Buffer).equals(text));
  });

  it("uses a fresh state per message (no context takeover)", () => {
    const a = deflateMessage(text);
    const b = deflateMessage(text);
    assert.ok(a.equals(b), "a second message must not refer back to the first");
    assert.ok(inflateMessage([b], 1 << 20).equals(text));
  });

  it("bounds the inflated size (1009) and rejects garbage (1007)", () => {
    const bomb = deflateMessage(Buffer.alloc(1 << 20));
    assert.ok(bomb.length < 8192, `${bomb.length}`);
    expectError(() => inflateMessage([bomb], 64 * 1024), 1009);
    expectError(() => inflateMessage([Buffer.from([0xff, 0xff, 0xff, 0xff])], 1024), 1007);
  });
});
