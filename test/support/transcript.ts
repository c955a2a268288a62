/**
 * Raw-protocol transcript driver for differential tests: the same scripted bytes go to
 * nats-server and to our broker, and what each sends back is reduced to a comparable list of
 * lines (nats-wire-notes §7 item 13). Only ids and timing are normalised away.
 */
import net from "node:net";

/** One scripted action. Connection `conn` (default 0) is opened on first use. */
export interface TranscriptStep {
  conn?: number;
  /** Bytes to write, as UTF-8. */
  send?: string;
  /** Write `send` in pieces of this many bytes, to exercise split parsing. */
  chunk?: number;
  /** Pause between pieces; 0 = only yield to the event loop. */
  pauseMs?: number;
  /**
   * PONGs to wait for on this connection before waiting for idle. Defaults to the number of
   * lines in `send` that start with PING (any case), which is right unless a payload does.
   */
  pongs?: number;
  /** Sleep this long after sending (for server timers such as ping_interval). */
  waitMs?: number;
}

export interface TranscriptScript {
  steps: readonly TranscriptStep[];
  /**
   * Regex sources; each maximal run of consecutive entries (a MSG/HMSG line with its payload
   * counts as one entry) matching any of them is sorted, for orders the protocol leaves
   * unspecified (fan-out across subscriptions, nats-wire-notes §1.7).
   */
  unordered?: readonly string[];
  /** [regex source, replacement] applied to protocol lines, e.g. to hide a random queue member. */
  mask?: readonly (readonly [string, string])[];
  /** How long to wait at the end for a connection the server may be closing. */
  closeWaitMs?: number;
  /**
   * Keep the PINGs the server sends. Off by default: both servers send their first PING about
   * 2 s after CONNECT (nats-server's firstClientPingInterval), so whether it shows up in a
   * case that is not about pings depends only on how long the case ran on a busy machine.
   */
  serverPings?: boolean;
}

export interface DriverOptions {
  /** Forces every step to be written in pieces of this size (a step's own `chunk` wins). */
  chunk?: number;
  pauseMs?: number;
  /** Quiet time that counts as "the server has answered". */
  idleMs?: number;
}

export const CLOSED = "<closed>";
const PAYLOAD_PREFIX = "  payload ";
const PONG_TIMEOUT_MS = 2000;
const INFO_TIMEOUT_MS = 2000;
const DEFAULT_IDLE_MS = 40;
const DEFAULT_CLOSE_WAIT_MS = 150;

/** A protocol line, with the payload that follows it for MSG/HMSG. */
interface Entry {
  line: string;
  payload?: string;
}

/** Splits the server's byte stream into entries as data arrives. */
class ServerStream {
  readonly entries: Entry[] = [];
  private buf: Buffer = Buffer.alloc(0);

  push(data: Buffer): void {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    for (;;) {
      const eol = this.buf.indexOf("\r\n");
      if (eol < 0) return;
      const line = this.buf.subarray(0, eol).toString("utf8");
      const size = payloadSize(line);
      if (size === undefined) {
        this.entries.push({ line: normaliseLine(line) });
        this.buf = this.buf.subarray(eol + 2);
        continue;
      }
      const end = eol + 2 + size;
      if (this.buf.length < end + 2) return;
      const payload = this.buf.subarray(eol + 2, end).toString("utf8");
      const trailer = this.buf.subarray(end, end + 2).toString("latin1");
      this.entries.push({
        line,
        payload: trailer === "\r\n" ? payload : `${payload}<no CRLF after payload>`,
      });
      this.buf = this.buf.subarray(trailer === "\r\n" ? end + 2 : end);
    }
  }

  /** Bytes that never formed a complete line or message. */
  leftover(): string | undefined {
    return this.buf.length > 0
      ? `<incomplete> ${JSON.stringify(this.buf.toString("utf8"))}`
      : undefined;
  }

  pongCount(): number {
    return this.entries.filter((e) => e.line === "PONG").length;
  }
}

/** The byte count after a MSG/HMSG line (last token), or undefined for other lines. */
function payloadSize(line: string): number | undefined {
  if (!line.startsWith("MSG ") && !line.startsWith("HMSG ")) return undefined;
  const last = line.split(/[ \t]+/).pop() ?? "";
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

/**
 * INFO keeps only what clients act on (nats-wire-notes §1.1 table); ids, host, port, go
 * version, client id/ip and the like differ by design.
 */
function normaliseLine(line: string): string {
  const m = /^INFO\s+(\{.*\})\s*$/.exec(line);
  if (!m?.[1]) return line;
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(m[1]) as Record<string, unknown>;
  } catch {
    return `INFO <invalid json> ${m[1]}`;
  }
  const kept: Record<string, unknown> = {
    proto: info.proto,
    headers: info.headers,
    max_payload: info.max_payload,
    // nats.js refuses to connect without a semver version (nats-wire-notes §1.1).
    version:
      typeof info.version === "string" && /^\d+\.\d+\.\d+/.test(info.version)
        ? "<semver>"
        : info.version,
  };
  // Absent and false are the same to clients (omitempty on the Go side).
  if (info.auth_required) kept.auth_required = info.auth_required;
  if (info.tls_required) kept.tls_required = info.tls_required;
  if (info.nonce !== undefined) {
    kept.nonce = typeof info.nonce === "string" ? `<${info.nonce.length} chars>` : info.nonce;
  }
  return `INFO ${JSON.stringify(kept)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function expectedPongs(text: string): number {
  return text.split("\n").filter((l) => /^ping/i.test(l)).length;
}

class Connection {
  readonly stream = new ServerStream();
  closedByServer = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  readonly socket: net.Socket;

  constructor(
    port: number,
    private readonly onData: () => void,
  ) {
    this.socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
    this.socket.on("data", (d: Buffer) => {
      this.stream.push(d);
      this.onData();
      this.wake();
    });
    // A reset counts as a close by the server: both mean the connection is gone.
    this.socket.on("error", () => undefined);
    this.socket.on("close", () => {
      if (!this.closed) this.closedByServer = true;
      this.closed = true;
      this.onData();
      this.wake();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves when `done()` holds, the connection closes, or the timeout passes. */
  async until(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done() || this.closed) return;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (done() || this.closed) finish();
      };
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  async write(bytes: Buffer, chunk: number, pauseMs: number): Promise<void> {
    const size = chunk > 0 ? chunk : bytes.length;
    for (let at = 0; at < bytes.length && !this.closed; at += size) {
      await new Promise<void>((resolve) => {
        this.socket.write(bytes.subarray(at, at + size), () => resolve());
      });
      if (at + size >= bytes.length) break;
      // Where a server may answer and close — at a line end, or on the letters of an op
      // name, which nats-server checks byte by byte — give its answer time to arrive
      // before the next write, whose RST would make the kernel drop what we have not
      // read yet.
      const lineEnd = bytes.subarray(at, at + size).includes(10);
      const lineStart = bytes.lastIndexOf(10, at);
      const inOpName = at + size - (lineStart + 1) <= 5;
      const pause = lineEnd ? 15 : inOpName ? 5 : pauseMs;
      if (pauseMs > 0) await sleep(Math.max(pauseMs, pause));
      else await new Promise((r) => setImmediate(r));
    }
  }

  destroy(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }
}

/**
 * Runs `script` against the server on `port` and returns the normalised transcript: each
 * connection's entries in order (prefixed `cN: ` when the script uses several connections),
 * MSG payloads as separate `  payload "<json string>"` entries, and `<closed>` when the
 * server closed that connection.
 */
export async function runTranscript(
  port: number,
  script: TranscriptScript,
  opts: DriverOptions = {},
): Promise<string[]> {
  const idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  let lastActivity = Date.now();
  const conns = new Map<number, Connection>();

  const open = async (id: number): Promise<Connection> => {
    let c = conns.get(id);
    if (c) return c;
    c = new Connection(port, () => (lastActivity = Date.now()));
    conns.set(id, c);
    const conn = c;
    // Every server speaks first (nats-wire-notes §1.1); wait for that line before scripting.
    await conn.until(() => conn.stream.entries.length > 0, INFO_TIMEOUT_MS);
    return conn;
  };

  const waitIdle = async () => {
    for (;;) {
      const quiet = Date.now() - lastActivity;
      if (quiet >= idleMs) return;
      await sleep(idleMs - quiet);
    }
  };

  try {
    await open(0);
    for (const step of script.steps) {
      const conn = await open(step.conn ?? 0);
      if (step.send !== undefined && !conn.isClosed) {
        const before = conn.stream.pongCount();
        const want = step.pongs ?? expectedPongs(step.send);
        await conn.write(
          Buffer.from(step.send, "utf8"),
          step.chunk ?? opts.chunk ?? 0,
          step.pauseMs ?? opts.pauseMs ?? 0,
        );
        lastActivity = Date.now();
        await conn.until(() => conn.stream.pongCount() >= before + want, PONG_TIMEOUT_MS);
      }
      if (step.waitMs) await sleep(step.waitMs);
      await waitIdle();
    }
    const closeWait = script.closeWaitMs ?? DEFAULT_CLOSE_WAIT_MS;
    await Promise.all([...conns.values()].map((c) => c.until(() => false, closeWait)));
  } finally {
    await Promise.all([...conns.values()].map((c) => c.destroy()));
  }

  const ids = [...conns.keys()].sort((a, b) => a - b);
  const prefixed = ids.length > 1;
  const out: string[] = [];
  for (const id of ids) {
    const c = conns.get(id);
    if (!c) continue;
    const entries = script.serverPings
      ? c.stream.entries
      : c.stream.entries.filter((e) => e.line !== "PING");
    const lines = flatten(reorder(mask(entries, script.mask), script.unordered));
    const tail = c.stream.leftover();
    if (tail) lines.push(tail);
    if (c.closedByServer) lines.push(CLOSED);
    out.push(...lines.map((l) => (prefixed ? `c${id}: ${l}` : l)));
  }
  return out;
}

function mask(entries: Entry[], rules: TranscriptScript["mask"]): Entry[] {
  if (!rules?.length) return entries;
  const compiled = rules.map(([re, rep]) => [new RegExp(re), rep] as const);
  return entries.map((e) => ({
    ...e,
    line: compiled.reduce((l, [re, rep]) => l.replace(re, rep), e.line),
  }));
}

function reorder(entries: Entry[], patterns: TranscriptScript["unordered"]): Entry[] {
  if (!patterns?.length) return entries;
  const res = patterns.map((p) => new RegExp(p));
  const key = (e: Entry) => `${e.line}\n${e.payload ?? ""}`;
  const out: Entry[] = [];
  let run: Entry[] = [];
  const flush = () => {
    out.push(...run.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
    run = [];
  };
  for (const e of entries) {
    if (res.some((re) => re.test(e.line))) run.push(e);
    else {
      flush();
      out.push(e);
    }
  }
  flush();
  return out;
}

function flatten(entries: Entry[]): string[] {
  return entries.flatMap((e) =>
    e.payload === undefined ? [e.line] : [e.line, PAYLOAD_PREFIX + JSON.stringify(e.payload)],
  );
}
