/**
 * NATS over WebSocket end to end (nats-wire-notes §2): real JS clients (nats.ws, nats-core
 * wsconnect, the ws package) and hand-made frames on a raw socket against the broker's
 * WebSocket listener.
 */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import zlib from "node:zlib";
import { wsconnect } from "@nats-io/nats-core";
import { connect as connectNatsWs } from "nats.ws";
import * as wsModule from "ws";
import { WebSocket } from "ws";
import type { Listener } from "../../server/nats/mod";
import { handleUpgrade, listenWebSocket } from "../../server/nats/transports/websocket/mod";
import { startBroker, type TestBroker } from "../support/broker";
import { haveNatsServer, startNatsServer } from "../support/nats-server";
import { freePort } from "../support/ports";

// Both JS clients look for a W3C WebSocket on globalThis (nats-wire-notes §2.3).
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

// ws's frame parser, exported at runtime (wrapper.mjs) though @types/ws does not declare it.
interface WsReceiver extends NodeJS.EventEmitter {
  write(chunk: Buffer): boolean;
}
const WsReceiverClass = (
  wsModule as unknown as { Receiver: new (o: Record<string, unknown>) => WsReceiver }
).Receiver;

/** Fail fast instead of retrying when something is wrong. */
const CONNECT_OPTS = { timeout: 3000, reconnect: false } as const;
const T = { timeout: 10_000 };

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A masked client frame (unless mask: false). */
function frame(
  opcode: number,
  payload: Buffer | string,
  o: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {},
) {
  const data = Buffer.from(payload);
  const mask = o.mask ?? true;
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  if (mask) for (let i = 0; i < data.length; i++) data[i] = data[i]! ^ key[i % 4]!;
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | (o.rsv1 ? 0x40 : 0) | opcode;
  let len: Buffer;
  if (data.length > 65535) {
    len = Buffer.alloc(9);
    len[0] = 127;
    len.writeBigUInt64BE(BigInt(data.length), 1);
  } else if (data.length > 125) {
    len = Buffer.alloc(3);
    len[0] = 126;
    len.writeUInt16BE(data.length, 1);
  } else {
    len = Buffer.from([data.length]);
  }
  len[0] = len[0]! | (mask ? 0x80 : 0);
  return Buffer.concat([Buffer.from([b0]), len, mask ? key : Buffer.alloc(0), data]);
}

function closePayload(code: number, reason = ""): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code);
  b.write(reason, 2);
  return b;
}

interface ServerFrame {
  opcode: number;
  rsv1: boolean;
  payload: Buffer;
}

/**
 * A WebSocket client on a bare socket: sends whatever bytes a test builds and records the
 * server's frames (parsed here, independently of the server's own code).
 */
class RawClient {
  status = 0;
  headers: Record<string, string> = {};
  body = "";
  readonly frames: ServerFrame[] = [];
  /** Text of all binary/text frames so far (inflated when RSV1 is set). */
  text = "";
  ended = false;
  /** Every byte after the response head, as received. */
  readonly wire: Buffer[] = [];
  private buf = Buffer.alloc(0);
  private inHeaders = true;
  private waiters: (() => void)[] = [];

  /** Open raw sockets, destroyed after each test. */
  static readonly all = new Set<net.Socket>();

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => this.onData(d));
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  static async open(port: number, request: string): Promise<RawClient> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const c = new RawClient(socket);
    RawClient.all.add(socket);
    socket.once("close", () => RawClient.all.delete(socket));
    socket.write(request);
    await c.until(() => !c.inHeaders || c.ended);
    return c;
  }

  static request(path = "/", extra: Record<string, string> = {}, method = "GET"): string {
    const headers: Record<string, string> = {
      Host: "127.0.0.1",
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version": "13",
      ...extra,
    };
    const lines = Object.entries(headers)
      .filter(([, v]) => v !== "")
      .map(([k, v]) => `${k}: ${v}\r\n`);
    return `${method} ${path} HTTP/1.1\r\n${lines.join("")}\r\n`;
  }

  send(...chunks: Buffer[]): void {
    for (const c of chunks) this.socket.write(c);
  }

  async until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out; frames so far: ${JSON.stringify(this.text)} ended=${this.ended}`,
        );
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async waitText(re: RegExp): Promise<void> {
    await this.until(() => re.test(this.text));
  }

  closeFrame(): { code: number | undefined; reason: string } | undefined {
    const f = this.frames.find((x) => x.opcode === 8);
    if (!f) return undefined;
    return {
      code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined,
      reason: f.payload.subarray(2).toString(),
    };
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private onData(d: Buffer) {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.inHeaders) this.wire.push(Buffer.from(d));
    else {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...lines] = this.buf.subarray(0, end).toString("latin1").split("\r\n");
      this.status = Number(statusLine!.split(" ")[1]);
      for (const l of lines) {
        const i = l.indexOf(":");
        this.headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      this.buf = this.buf.subarray(end + 4);
      this.wire.push(Buffer.from(this.buf));
      this.inHeaders = false;
      if (this.status !== 101) {
        this.body = this.buf.toString();
        this.buf = Buffer.alloc(0);
      }
    }
    if (this.status === 101) this.parseFrames();
    this.wake();
  }

  private parseFrames() {
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      assert.equal(b[1]! & 0x80, 0, "server frames must not be masked");
      assert.ok(b[0]! & 0x80, "server frames are FIN");
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b.length < off + len) return;
      const f = {
        opcode: b[0]! & 0x0f,
        rsv1: (b[0]! & 0x40) !== 0,
        payload: Buffer.from(b.subarray(off, off + len)),
      };
      this.frames.push(f);
      if (f.opcode === 1 || f.opcode === 2) {
        const data = f.rsv1
          ? zlib.inflateRawSync(Buffer.concat([f.payload, Buffer.from([0, 0, 0xff, 0xff])]), {
              finishFlush: zlib.constants.Z_SYNC_FLUSH,
            })
          : f.payload;
        this.text += data.toString();
      }
      this.buf = b.subarray(off + len);
    }
  }
}

/** Opens a ws client and collects its messages as text. */
async function wsClient(port: number, perMessageDeflate: boolean | Record<string, unknown>) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate });
  let text = "";
  let textFrames = 0;
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (!isBinary) textFrames++;
    text += data.toString();
  });
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  return {
    socket,
    text: () => text,
    async waitText(re: RegExp) {
      const deadline = Date.now() + 3000;
      while (!re.test(text)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${re}; got ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(textFrames, 0, "server frames are binary");
    },
  };
}

describe("NATS over WebSocket", () => {
  let b: TestBroker;
  let plain: Listener;
  let compressed: Listener;

  before(async () => {
    b = await startBroker();
    plain = await listenWebSocket(b.broker, {
      host: "127.0.0.1",
      port: await freePort(),
      handshakeTimeoutMs: 300,
    });
    compressed = await listenWebSocket(b.broker, {
      host: "127.0.0.1",
      port: await freePort(),
      compression: true,
    });
  });

  /** Undone after each test, pass or fail, so a failure cannot leave handles open. */
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
    for (const socket of RawClient.all) socket.destroy();
  });

  after(async () => {
    await plain.close();
    await compressed.close();
    await b.stop();
  });

  describe("real clients", () => {
    for (const [name, compression] of [
      ["without compression", false],
      ["with compression", true],
    ] as const) {
      it(`nats.ws: pub/sub and request/reply ${name}`, T, async () => {
        const port = (compression ? compressed : plain).address.port;
        const nc = await connectNatsWs({ servers: `ws://127.0.0.1:${port}`, ...CONNECT_OPTS });
        try {
          assert.equal(nc.info?.server_id, b.broker.serverId);
          const sub = nc.subscribe("ws.greet", { max: 2 });
          const big = "x".repeat(100_000);
          nc.publish("ws.greet", enc.encode("hello"));
          nc.publish("ws.greet", enc.encode(big));
          const got: string[] = [];
          for await (const m of sub) got.push(dec.decode(m.data));
          assert.deepEqual(got, ["hello", big]);

          nc.subscribe("ws.echo", { callback: (_err, m) => m.respond(m.data) });
          const reply = await nc.request("ws.echo", enc.encode("ping?"), { timeout: 2000 });
          assert.equal(dec.decode(reply.data), "ping?");
        } finally {
          await nc.close();
        }
      });
    }

    it(
      "@nats-io/nats-core wsconnect: pub/sub and request/reply, talking to a TCP client's subject",
      T,
      async () => {
        const nc = await wsconnect({
          servers: `ws://127.0.0.1:${compressed.address.port}`,
          ...CONNECT_OPTS,
        });
        const nc2 = await connectNatsWs({
          servers: `ws://127.0.0.1:${plain.address.port}`,
          ...CONNECT_OPTS,
        });
        try {
          nc2.subscribe("svc.upper", {
            callback: (_err, m) => m.respond(enc.encode(dec.decode(m.data).toUpperCase())),
          });
          await nc2.flush();
          const reply = await nc.request("svc.upper", enc.encode("mixed Case"), { timeout: 2000 });
          assert.equal(dec.decode(reply.data), "MIXED CASE");
          const sub = nc.subscribe("core.>", { max: 3 });
          for (let i = 0; i < 3; i++) nc2.publish(`core.${i}`, enc.encode(String(i)));
          const got: string[] = [];
          for await (const m of sub) got.push(`${m.subject}=${dec.decode(m.data)}`);
          assert.deepEqual(got, ["core.0=0", "core.1=1", "core.2=2"]);
        } finally {
          await nc.close();
          await nc2.close();
        }
      },
    );

    for (const [name, serverCompression, clientDeflate] of [
      ["both off", false, false],
      ["client offers, server off", false, { threshold: 0 }],
      ["both on", true, { threshold: 0 }],
      ["server on, client does not offer", true, false],
    ] as const) {
      it(`ws client, compression ${name}`, T, async () => {
        const port = (serverCompression ? compressed : plain).address.port;
        const c = await wsClient(port, clientDeflate);
        try {
          const negotiated = serverCompression && clientDeflate !== false;
          assert.equal(c.socket.extensions.includes("permessage-deflate"), negotiated);
          await c.waitText(/^INFO \{.*\} \r\n/);
          const payload = "abc".repeat(1000);
          c.socket.send(
            Buffer.from(
              `CONNECT {"verbose":false}\r\nSUB z 1\r\nPUB z ${payload.length}\r\n${payload}\r\nPING\r\n`,
            ),
          );
          await c.waitText(/PONG\r\n/);
          assert.ok(c.text().includes(`MSG z 1 ${payload.length}\r\n${payload}\r\n`));
        } finally {
          c.socket.terminate();
        }
      });
    }

    it("the ws client sees close code 1001 when the broker shuts down", T, async () => {
      const other = await startBroker();
      cleanups.push(() => other.stop());
      const l = await listenWebSocket(other.broker, { host: "127.0.0.1", port: await freePort() });
      cleanups.push(() => l.close());
      const c = await wsClient(l.address.port, false);
      cleanups.push(() => c.socket.terminate());
      await c.waitText(/INFO/);
      const closed = new Promise<[number, string]>((resolve) =>
        c.socket.once("close", (code: number, reason: Buffer) =>
          resolve([code, reason.toString()]),
        ),
      );
      await l.close();
      await other.stop();
      assert.deepEqual(await closed, [1001, "Server Shutdown"]);
    });
  });

  describe("raw frames", () => {
    async function upgraded(port = plain.address.port, extra: Record<string, string> = {}) {
      const c = await RawClient.open(port, RawClient.request("/", extra));
      assert.equal(c.status, 101);
      await c.waitText(/^INFO .*\r\n/);
      return c;
    }

    it(
      "answers 101 with the accept key, sends INFO as the first binary frame, on any path",
      T,
      async () => {
        const c = await RawClient.open(plain.address.port, RawClient.request("/anything?x=1"));
        try {
          assert.equal(c.status, 101);
          assert.equal(c.headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
          assert.equal(c.headers["sec-websocket-extensions"], undefined);
          await c.waitText(/^INFO \{.*\} \r\n$/);
          assert.equal(c.frames[0]!.opcode, 2);
          assert.equal(c.frames.length, 1, "INFO alone in the first frame");
        } finally {
          c.socket.destroy();
        }
      },
    );

    it("parses a CONNECT split mid-JSON over two frames and PI|NG over two frames", T, async () => {
      const c = await upgraded();
      try {
        c.send(frame(2, 'CONNECT {"verbose":fa'));
        await new Promise((r) => setTimeout(r, 30));
        c.send(frame(2, "lse}\r\nPI"));
        await new Promise((r) => setTimeout(r, 30));
        c.send(frame(2, "NG\r\n"));
        await c.waitText(/PONG\r\n$/);
        assert.doesNotMatch(c.text, /\+OK|-ERR/);
      } finally {
        c.socket.destroy();
      }
    });

    it(
      "takes a fragmented message with a ping between fragments, all in one chunk",
      T,
      async () => {
        const c = await upgraded();
        try {
          c.send(
            Buffer.concat([
              frame(2, "CONNECT {}\r\nPI", { fin: false }),
              frame(9, "keepalive"),
              frame(0, "NG\r\n"),
            ]),
          );
          await c.waitText(/\+OK\r\nPONG\r\n$/);
          const pong = c.frames.find((f) => f.opcode === 10);
          assert.equal(pong?.payload.toString(), "keepalive");
        } finally {
          c.socket.destroy();
        }
      },
    );

    it("accepts text frames", T, async () => {
      const c = await upgraded();
      try {
        c.send(frame(1, "CONNECT {}\r\nPING\r\n"));
        await c.waitText(/\+OK\r\nPONG\r\n$/);
      } finally {
        c.socket.destroy();
      }
    });

    it("closes an unmasked frame with 1002", T, async () => {
      const c = await upgraded();
      c.send(frame(2, "PING\r\n", { mask: false }));
      await c.until(() => c.ended);
      assert.equal(c.closeFrame()?.code, 1002);
      assert.doesNotMatch(c.text, /PONG/);
    });

    it("closes RSV1 without negotiated compression with 1002", T, async () => {
      const c = await upgraded();
      c.send(frame(2, "PING\r\n", { rsv1: true }));
      await c.until(() => c.ended);
      assert.equal(c.closeFrame()?.code, 1002);
    });

    it("sends -ERR then close 1002 for a NATS protocol error", T, async () => {
      const c = await upgraded();
      c.send(frame(2, "FOO\r\n"));
      await c.until(() => c.ended);
      assert.match(c.text, /-ERR 'Unknown Protocol Operation'\r\n$/);
      // nats-server 2.9.10 says "Protocol Violation" here; the text is the broker's CloseReason.
      assert.equal(c.closeFrame()?.code, 1002);
      assert.ok(c.closeFrame()?.reason);
    });

    it("sends close 1009 for a payload over max_payload", T, async () => {
      const c = await upgraded();
      c.send(frame(2, 'CONNECT {"verbose":false}\r\nPUB a 99999999\r\n'));
      await c.until(() => c.ended);
      assert.match(c.text, /-ERR 'Maximum Payload Violation'\r\n$/);
      assert.deepEqual(c.closeFrame(), { code: 1009, reason: "Maximum Message Payload Exceeded" });
    });

    it("echoes a client's close frame and ends the connection", T, async () => {
      const before = b.broker.stats().connections;
      const c = await upgraded();
      c.send(frame(8, closePayload(1000, "bye")));
      await c.until(() => c.ended);
      assert.deepEqual(c.closeFrame(), { code: 1000, reason: "bye" });
      await c.until(() => b.broker.stats().connections === before);
    });

    it("answers a close frame with an invalid code with 1002", T, async () => {
      const c = await upgraded();
      c.send(frame(8, closePayload(1005)));
      await c.until(() => c.ended);
      assert.equal(c.closeFrame()?.code, 1002);
    });

    it(
      "negotiates permessage-deflate: compressed frames both ways, small ones plain",
      T,
      async () => {
        const c = await RawClient.open(
          compressed.address.port,
          RawClient.request("/", {
            "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
          }),
        );
        try {
          assert.equal(
            c.headers["sec-websocket-extensions"],
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
          );
          await c.waitText(/^INFO .*\r\n/);
          assert.equal(c.frames[0]!.rsv1, true, "INFO is over 64 bytes, so it is compressed");
          const deflated = zlib.deflateRawSync(Buffer.from("CONNECT {}\r\nPING\r\n"), {
            finishFlush: zlib.constants.Z_SYNC_FLUSH,
          });
          const half = deflated.length >> 1;
          c.send(
            frame(2, deflated.subarray(0, half), { rsv1: true, fin: false }),
            frame(0, deflated.subarray(half, -4)),
          );
          await c.waitText(/\+OK\r\nPONG\r\n$/);
          const last = c.frames.at(-1)!;
          assert.equal(last.rsv1, false, "frames of 64 bytes or less go uncompressed");
        } finally {
          c.socket.destroy();
        }
      },
    );

    it("ws's own frame parser accepts everything the server sends", T, async () => {
      const c = await upgraded();
      try {
        const receiver = new WsReceiverClass({ isServer: false, binaryType: "nodebuffer" });
        const errors: Error[] = [];
        receiver.on("error", (e: Error) => errors.push(e));
        c.send(
          frame(2, `CONNECT {}\r\nSUB s 1\r\nPUB s 70000\r\n${"y".repeat(70000)}\r\nPING\r\n`),
        );
        await c.waitText(/PONG\r\n$/);
        c.send(frame(8, closePayload(1000)));
        await c.until(() => c.ended);
        const raw = Buffer.concat(c.wire);
        assert.ok(raw.length > 70_000);
        receiver.write(raw);
        assert.deepEqual(errors, []);
      } finally {
        c.socket.destroy();
      }
    });
  });

  describe("handshake over HTTP", () => {
    it("refuses a bad version with 400 and Sec-WebSocket-Version: 13", T, async () => {
      const c = await RawClient.open(
        plain.address.port,
        RawClient.request("/", { "Sec-WebSocket-Version": "8" }),
      );
      assert.equal(c.status, 400);
      assert.equal(c.headers["sec-websocket-version"], "13");
      await c.until(() => c.ended);
    });

    it("refuses POST with 405 and a plain GET with 400", T, async () => {
      const post = await RawClient.open(plain.address.port, RawClient.request("/", {}, "POST"));
      assert.equal(post.status, 405);
      post.socket.destroy();
      const res = await fetch(`http://127.0.0.1:${plain.address.port}/`);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get("sec-websocket-version"), "13");
    });

    it("refuses data sent before the handshake completes", T, async () => {
      const req = RawClient.request("/") + frame(2, "PING\r\n").toString("latin1");
      const socket = net.connect(plain.address.port, "127.0.0.1");
      let got = "";
      socket.on("data", (d) => (got += d.toString("latin1")));
      socket.write(Buffer.from(req, "latin1"));
      await new Promise((r) => socket.once("close", r));
      assert.match(got, /^HTTP\/1\.1 400 /);
    });

    it("closes a connection that never completes its request (handshake_timeout)", T, async () => {
      const socket = net.connect(plain.address.port, "127.0.0.1");
      const t0 = Date.now();
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n");
      await new Promise((r) => socket.once("close", r));
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 250 && elapsed < 2500, `closed after ${elapsed} ms`);
    });

    it("enforces allowed_origins only when an Origin is sent", T, async () => {
      const l = await listenWebSocket(b.broker, {
        host: "127.0.0.1",
        port: await freePort(),
        allowedOrigins: ["http://console.example"],
      });
      try {
        const bad = await RawClient.open(
          l.address.port,
          RawClient.request("/", { Origin: "http://evil.example" }),
        );
        assert.equal(bad.status, 403);
        bad.socket.destroy();
        const good = await RawClient.open(
          l.address.port,
          RawClient.request("/", { Origin: "http://console.example" }),
        );
        assert.equal(good.status, 101);
        good.socket.destroy();
        const none = await RawClient.open(l.address.port, RawClient.request("/"));
        assert.equal(none.status, 101);
        none.socket.destroy();
      } finally {
        await l.close();
      }
    });
  });

  describe("handleUpgrade on an existing http.Server", () => {
    it("serves NATS on the path the caller picks, beside ordinary HTTP", T, async () => {
      const server = http.createServer((_req, res) => res.end("page"));
      const sockets = new Set<net.Socket>();
      server.on("connection", (s: net.Socket) => sockets.add(s));
      server.on("upgrade", (req, socket, head) => {
        if (req.url === "/nats") handleUpgrade(b.broker, req, socket, head, { compression: true });
        else socket.destroy();
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      cleanups.push(
        () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(r);
          }),
      );
      const port = (server.address() as net.AddressInfo).port;
      const nc = await connectNatsWs({ servers: `ws://127.0.0.1:${port}/nats`, ...CONNECT_OPTS });
      cleanups.push(() => nc.close());
      const sub = nc.subscribe("mounted", { max: 1 });
      nc.publish("mounted", enc.encode("yes"));
      for await (const m of sub) assert.equal(dec.decode(m.data), "yes");
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "page");
      const other = await RawClient.open(port, RawClient.request("/elsewhere"));
      assert.equal(other.status, 0, "other paths are the caller's business");
      assert.ok(other.ended);
    });

    it(
      "a closed listener refuses new connections while existing ones keep working",
      T,
      async () => {
        const l = await listenWebSocket(b.broker, { host: "127.0.0.1", port: await freePort() });
        cleanups.push(() => l.close());
        const c = await wsClient(l.address.port, false);
        cleanups.push(() => c.socket.terminate());
        await c.waitText(/INFO/);
        await l.close();
        await assert.rejects(wsClient(l.address.port, false));
        c.socket.send(Buffer.from("PING\r\n"));
        await c.waitText(/PONG\r\n/);
      },
    );
  });
});

/**
 * The same bytes to nats-server 2.9.10's WebSocket listener and to ours; what comes back after
 * INFO must match (nats-wire-notes §7 item 13).
 */
describe(
  "differential against nats-server's websocket listener",
  { skip: !haveNatsServer() },
  () => {
    const deflate = (text: string) =>
      zlib
        .deflateRawSync(Buffer.from(text), { finishFlush: zlib.constants.Z_SYNC_FLUSH })
        .subarray(0, -4);
    const COMPRESS = { "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits" };
    const scenarios: [string, Buffer[], Record<string, string>?][] = [
      [
        "CONNECT split mid-JSON, PI|NG split",
        [frame(2, 'CONNECT {"verbose":fa'), frame(2, "lse}\r\nPI"), frame(2, "NG\r\n")],
      ],
      [
        "fragments with a ping between",
        [
          Buffer.concat([
            frame(1, "CONNECT {}\r\nPI", { fin: false }),
            frame(9, "hb"),
            frame(0, "NG\r\n"),
          ]),
        ],
      ],
      [
        "pub/sub in one frame",
        [frame(2, 'CONNECT {"verbose":false}\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n')],
      ],
      ["max payload", [frame(2, 'CONNECT {"verbose":false}\r\nPUB a 99999999\r\n')]],
      ["client close", [frame(8, closePayload(1000, "bye"))]],
      [
        "compressed both ways",
        [
          frame(
            2,
            deflate(
              `CONNECT {"verbose":false}\r\nSUB a 1\r\nPUB a 100\r\n${"z".repeat(100)}\r\nPING\r\n`,
            ),
            { rsv1: true },
          ),
        ],
        COMPRESS,
      ],
    ];

    async function run(port: number, frames: Buffer[], headers: Record<string, string> = {}) {
      const c = await RawClient.open(port, RawClient.request("/", headers));
      try {
        await c.waitText(/^INFO .*\r\n/);
        const infoCompressed = c.frames[0]!.rsv1;
        for (const f of frames) {
          c.send(f);
          await new Promise((r) => setTimeout(r, 20));
        }
        await c.until(() => c.ended || /PONG\r\n$/.test(c.text), 2000).catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
        return {
          infoCompressed,
          afterInfo: c.text.replace(/^INFO .*?\r\n/, ""),
          close: c.closeFrame()?.code,
          pongs: c.frames.filter((f) => f.opcode === 10).map((f) => f.payload.toString()),
        };
      } finally {
        c.socket.destroy();
      }
    }

    let ref: Awaited<ReturnType<typeof startNatsServer>>;
    let ours: TestBroker;
    let refPort: number;
    let oursListener: Listener;
    before(async () => {
      refPort = await freePort();
      ref = await startNatsServer(
        `websocket { port: ${refPort}, no_tls: true, compression: true }`,
      );
      ours = await startBroker();
      oursListener = await listenWebSocket(ours.broker, {
        host: "127.0.0.1",
        port: await freePort(),
        compression: true,
      });
    });
    after(async () => {
      await oursListener.close();
      await ours.stop();
      await ref.stop();
    });

    for (const [name, frames, headers] of scenarios) {
      it(name, T, async () => {
        const expected = await run(refPort, frames, headers);
        const actual = await run(oursListener.address.port, frames, headers);
        assert.deepEqual(actual, expected);
      });
    }
  },
);
