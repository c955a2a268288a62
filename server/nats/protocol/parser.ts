/**
 * The client protocol parser: an incremental state machine from bytes to ops. It owns no
 * socket and no client state beyond what framing needs (whether HPUB is allowed, the
 * limits), so it can be fed any split of any input (nats-wire-notes §1.3).
 *
 * Behaviour follows nats-server's parser.go: op names are matched byte by byte and
 * case-insensitively, so a wrong letter fails at once; arguments run to `\n` with an
 * optional `\r`; payloads are exactly the announced size followed by CRLF. Payloads are
 * never copied when they arrive in one read; only input split across reads is buffered.
 */
import type { ParserTrace } from "../trace";
import type { Op, ParseFailure } from "./ops";
import { ParsedPub } from "./pub-op";
import { viewOf } from "./wire";

const enum State {
  Start,
  /** Matching the letters of an op name. */
  OpName,
  /** After P: PUB, PING or PONG. */
  OpP,
  /** Name matched; a space or tab must follow. */
  NeedSpace,
  /** Skipping separators before the argument. */
  SkipSpace,
  /** CONNECT and INFO: separators optional, any other byte starts the argument. */
  SkipSpaceLoose,
  Arg,
  /** PING, PONG, +OK: everything up to `\n` is ignored. */
  ToEol,
  Payload,
  PayloadCR,
  PayloadLF,
  Dead,
}

const enum Verb {
  Pub,
  Hpub,
  Sub,
  Unsub,
  Connect,
  Info,
  Ping,
  Pong,
  Ok,
  Err,
  Msg,
}

// Lowercase op names; matching folds ASCII letters to lowercase.
const NAMES: Record<Verb, string> = {
  [Verb.Pub]: "pub",
  [Verb.Hpub]: "hpub",
  [Verb.Sub]: "sub",
  [Verb.Unsub]: "unsub",
  [Verb.Connect]: "connect",
  [Verb.Info]: "info",
  [Verb.Ping]: "ping",
  [Verb.Pong]: "pong",
  [Verb.Ok]: "+ok",
  [Verb.Err]: "-err",
  [Verb.Msg]: "msg",
};

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
/** nats-server's parseSize accepts at most 9 digits (999M). */
const MAX_SIZE_DIGITS = 9;
const MAX_ARGS = 5;
/** Longest PUB subject remembered for reuse (see isLastSubjectAt). */
const SUBJECT_CACHE_BYTES = 256;

/**
 * Read at every control line, so a reload that changes them (the broker's own options
 * object is passed here) applies to open connections, as nats-server's reload does.
 */
export interface ParserLimits {
  readonly maxControlLine: number;
  readonly maxPayload: number;
}

/** The op names as nats-server traces them (parser.go traceInOp). */
const TRACE_NAMES: Partial<Record<Verb, string>> = {
  [Verb.Pub]: "PUB",
  [Verb.Hpub]: "HPUB",
  [Verb.Sub]: "SUB",
  [Verb.Unsub]: "UNSUB",
  [Verb.Connect]: "CONNECT",
  [Verb.Ping]: "PING",
  [Verb.Pong]: "PONG",
};

export type OpHandler = (op: Op) => void;

export class Parser {
  /** Set by the client once CONNECT negotiated headers; HPUB is refused before. */
  headers = false;
  /** Set while protocol tracing is on (trace.ts); null costs one check per op. */
  tracer: ParserTrace | null = null;
  private state: State = State.Start;
  private verb: Verb = Verb.Ping;
  private nameIdx = 0;
  /** Argument bytes carried over from an earlier read. */
  private argBuf: Buffer | null = null;
  private argLen = 0;
  // Pending PUB/HPUB, between its control line and the end of its payload.
  private pubSubject = "";
  private pubReply: string | null = null;
  private pubHeader = -1;
  private pubSize = 0;
  private pubSizeText: string | null = null;
  /** Payload bytes carried over from an earlier read. */
  private msgBuf: Buffer | null = null;
  private msgLen = 0;
  /** Token boundaries of the current argument: start, end pairs. */
  private readonly tokens = new Int32Array(MAX_ARGS * 2);
  // The last PUB subject and the bytes it was decoded from (see isLastSubjectAt).
  private lastSubject = "";
  private lastSubjectLen = -1;
  private readonly lastSubjectBytes = Buffer.allocUnsafe(SUBJECT_CACHE_BYTES);
  private readonly lastSubjectView = viewOf(this.lastSubjectBytes);
  /** A DataView over `viewBuf` (the current read or payload), made once for its PUBs. */
  private view: DataView | null = null;
  private viewBuf: Buffer | null = null;
  /** The one PUB op this parser hands out, again and again (see ParsedPub). */
  private readonly pub = new ParsedPub();

  constructor(private limits: ParserLimits) {}

  /** Other limits for this connection from now on (a JWT user's own max payload). */
  setLimits(limits: ParserLimits): void {
    this.limits = limits;
  }

  /** True once a failure was emitted; all later input is ignored. */
  get dead(): boolean {
    return this.state === State.Dead;
  }

  /** Stops parsing, e.g. because the connection is closing. */
  stop(): void {
    this.state = State.Dead;
    this.argBuf = null;
    this.msgBuf = null;
  }

  /**
   * Feeds one read. Ops are handed to `emit` in order, synchronously; a handler may call
   * stop() (or change `headers`) and the parser honours it before the next byte.
   */
  parse(buf: Buffer, emit: OpHandler): void {
    this.run(buf, emit);
    // Not in stop(): a handler may stop the parser while the PUB it was given is in use.
    this.releaseRead();
  }

  private run(buf: Buffer, emit: OpHandler): void {
    const len = buf.length;
    let i = 0;
    while (i < len) {
      switch (this.state) {
        case State.Start: {
          const b = buf[i++]!;
          const lower = b >= 65 && b <= 90 ? b | 0x20 : b;
          switch (lower) {
            case 0x70 /* p */:
              // PUB is most of the traffic: when "UB " follows in this read, go straight to
              // its argument, as the byte-at-a-time states below would.
              if (
                i + 2 < len &&
                (buf[i]! | 0x20) === 0x75 /* u */ &&
                (buf[i + 1]! | 0x20) === 0x62 /* b */ &&
                (buf[i + 2] === SPACE || buf[i + 2] === TAB)
              ) {
                this.verb = Verb.Pub;
                this.state = State.SkipSpace;
                i += 3;
                break;
              }
              this.state = State.OpP;
              break;
            case 0x68 /* h */:
              this.beginName(Verb.Hpub);
              break;
            case 0x73 /* s */:
              this.beginName(Verb.Sub);
              break;
            case 0x75 /* u */:
              this.beginName(Verb.Unsub);
              break;
            case 0x63 /* c */:
              this.beginName(Verb.Connect);
              break;
            case 0x69 /* i */:
              this.beginName(Verb.Info);
              break;
            case 0x2b /* + */:
              this.beginName(Verb.Ok);
              break;
            case 0x2d /* - */:
              this.beginName(Verb.Err);
              break;
            case 0x6d /* m */:
              this.beginName(Verb.Msg);
              break;
            default:
              // R, L and A ops belong to routes and leafnodes: a parse error for clients.
              this.fail("unknown_op", emit);
              return;
          }
          break;
        }
        case State.OpP: {
          const b = buf[i++]! | 0x20;
          if (b === 0x75 /* u */) this.verb = Verb.Pub;
          else if (b === 0x69 /* i */) this.verb = Verb.Ping;
          else if (b === 0x6f /* o */) this.verb = Verb.Pong;
          else {
            this.fail("unknown_op", emit);
            return;
          }
          this.nameIdx = 2;
          this.state = State.OpName;
          break;
        }
        case State.OpName: {
          const name = NAMES[this.verb];
          const b = buf[i++]!;
          const lower = b >= 65 && b <= 90 ? b | 0x20 : b;
          if (lower !== name.charCodeAt(this.nameIdx)) {
            this.fail("unknown_op", emit);
            return;
          }
          if (++this.nameIdx === name.length) this.afterName();
          break;
        }
        case State.NeedSpace: {
          const b = buf[i++]!;
          if (b !== SPACE && b !== TAB) {
            this.fail("unknown_op", emit);
            return;
          }
          this.state = State.SkipSpace;
          break;
        }
        case State.SkipSpace:
        case State.SkipSpaceLoose: {
          const b = buf[i]!;
          if (b === SPACE || b === TAB) {
            i++;
            break;
          }
          // CONNECT and INFO start their argument with whatever byte comes, even a line
          // end (parser.go OP_CONNECT).
          if (this.state === State.SkipSpaceLoose) {
            this.argLen = 0;
            this.state = State.Arg;
            // The first byte belongs to the argument even when it is `\n`.
            this.appendArg(buf, i, i + 1);
            i++;
            break;
          }
          this.argLen = 0;
          this.state = State.Arg;
          break;
        }
        case State.Arg: {
          const nl = buf.indexOf(LF, i);
          if (nl < 0) {
            this.appendArg(buf, i, len);
            i = len;
            // nats-server checks the carried-over argument against max_control_line at the
            // end of each read, which bounds what a client can make us buffer.
            if (this.argLen > this.limits.maxControlLine) {
              this.fail("max_control_line", emit);
              return;
            }
            break;
          }
          let argSrc: Buffer;
          let argStart: number;
          let argEnd: number;
          if (this.argLen > 0) {
            this.appendArg(buf, i, nl);
            argSrc = this.argBuf!;
            argStart = 0;
            argEnd = this.argLen;
          } else {
            argSrc = buf;
            argStart = i;
            argEnd = nl;
          }
          if (argEnd > argStart && argSrc[argEnd - 1] === CR) argEnd--;
          i = nl + 1;
          this.argLen = 0;
          if (argEnd - argStart > this.limits.maxControlLine) {
            this.fail("max_control_line", emit);
            return;
          }
          this.state = State.Start;
          if (this.tracer !== null)
            this.traceOp(this.verb, argSrc.toString("utf8", argStart, argEnd));
          this.onArg(argSrc, argStart, argEnd, emit);
          break;
        }
        case State.ToEol: {
          const nl = buf.indexOf(LF, i);
          if (nl < 0) {
            i = len;
            break;
          }
          i = nl + 1;
          this.state = State.Start;
          const verb = this.verb;
          if (this.tracer !== null) this.traceOp(verb, null);
          emit({ kind: verb === Verb.Ping ? "PING" : verb === Verb.Pong ? "PONG" : "OK" });
          break;
        }
        case State.Payload: {
          const size = this.pubSize;
          if (this.msgBuf === null) {
            // Fast path: the whole payload and its CRLF are in this read.
            if (len - i >= size + 2) {
              if (buf[i + size] !== CR || buf[i + size + 1] !== LF) {
                this.fail("unknown_op", emit);
                return;
              }
              const start = i;
              i += size + 2;
              this.state = State.Start;
              this.emitPub(buf, start, start + size, emit);
              break;
            }
            if (len - i >= size) {
              // Payload complete, CRLF split off: check what is here and wait for the rest.
              const data = Buffer.allocUnsafe(size);
              buf.copy(data, 0, i, i + size);
              this.msgBuf = data;
              this.msgLen = size;
              i += size;
              this.state = State.PayloadCR;
              break;
            }
            this.msgBuf = Buffer.allocUnsafe(size);
            this.msgLen = 0;
          }
          const n = Math.min(size - this.msgLen, len - i);
          buf.copy(this.msgBuf, this.msgLen, i, i + n);
          this.msgLen += n;
          i += n;
          if (this.msgLen === size) this.state = State.PayloadCR;
          break;
        }
        case State.PayloadCR: {
          if (buf[i++] !== CR) {
            this.fail("unknown_op", emit);
            return;
          }
          this.state = State.PayloadLF;
          break;
        }
        case State.PayloadLF: {
          if (buf[i++] !== LF) {
            this.fail("unknown_op", emit);
            return;
          }
          const data = this.msgBuf!;
          this.msgBuf = null;
          this.state = State.Start;
          this.emitPub(data, 0, data.length, emit);
          break;
        }
        case State.Dead:
          return;
      }
    }
  }

  /** Nothing refers to a read once it is handled: that would pin its buffer. */
  private releaseRead(): void {
    this.view = this.viewBuf = null;
    this.pub.release();
  }

  private beginName(verb: Verb): void {
    this.verb = verb;
    this.nameIdx = 1;
    this.state = State.OpName;
  }

  private afterName(): void {
    switch (this.verb) {
      case Verb.Ping:
      case Verb.Pong:
      case Verb.Ok:
        this.state = State.ToEol;
        return;
      case Verb.Connect:
      case Verb.Info:
        this.state = State.SkipSpaceLoose;
        return;
      default:
        this.state = State.NeedSpace;
    }
  }

  private appendArg(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const need = this.argLen + n;
    if (this.argBuf === null || this.argBuf.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, 256, (this.argBuf?.length ?? 0) * 2));
      if (this.argBuf !== null) this.argBuf.copy(grown, 0, 0, this.argLen);
      this.argBuf = grown;
    }
    src.copy(this.argBuf, this.argLen, start, end);
    this.argLen = need;
  }

  private fail(reason: ParseFailure, emit: OpHandler): void {
    this.stop();
    emit({ kind: "FAIL", reason });
  }

  /**
   * Splits [start, end) on runs of spaces and tabs into tokens `first` on; returns the token
   * count (max+1 = too many).
   */
  private split(buf: Buffer, start: number, end: number, first = 0): number {
    const t = this.tokens;
    let n = first;
    let s = -1;
    for (let i = start; i < end; i++) {
      const b = buf[i];
      if (b === SPACE || b === TAB) {
        if (s >= 0) {
          if (n === MAX_ARGS) return MAX_ARGS + 1;
          t[n * 2] = s;
          t[n * 2 + 1] = i;
          n++;
          s = -1;
        }
      } else if (s < 0) s = i;
    }
    if (s >= 0) {
      if (n === MAX_ARGS) return MAX_ARGS + 1;
      t[n * 2] = s;
      t[n * 2 + 1] = end;
      n++;
    }
    return n;
  }

  private tok(buf: Buffer, k: number): string {
    return buf.toString("latin1", this.tokens[k * 2], this.tokens[k * 2 + 1]);
  }

  /** nats-server parseSize: 1 to 9 ASCII digits, else -1. */
  private size(buf: Buffer, k: number): number {
    const s = this.tokens[k * 2]!;
    const e = this.tokens[k * 2 + 1]!;
    if (e - s === 0 || e - s > MAX_SIZE_DIGITS) return -1;
    let n = 0;
    for (let i = s; i < e; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }

  private onArg(buf: Buffer, start: number, end: number, emit: OpHandler): void {
    switch (this.verb) {
      case Verb.Pub:
      case Verb.Hpub:
        this.onPubArg(buf, start, end, emit);
        return;
      case Verb.Sub: {
        const n = this.split(buf, start, end);
        if (n !== 2 && n !== 3) return this.fail("bad_args", emit);
        emit({
          kind: "SUB",
          subject: this.tok(buf, 0),
          queue: n === 3 ? this.tok(buf, 1) : null,
          sid: this.tok(buf, n - 1),
        });
        return;
      }
      case Verb.Unsub: {
        const n = this.split(buf, start, end);
        if (n !== 1 && n !== 2) return this.fail("bad_args", emit);
        emit({ kind: "UNSUB", sid: this.tok(buf, 0), max: n === 2 ? this.size(buf, 1) : -1 });
        return;
      }
      case Verb.Connect:
        // Copied: the JSON may outlive this read (it is small and rare).
        emit({ kind: "CONNECT", json: Buffer.from(buf.subarray(start, end)) });
        return;
      case Verb.Info:
        emit({ kind: "INFO", json: Buffer.from(buf.subarray(start, end)) });
        return;
      case Verb.Err:
        emit({ kind: "ERR" });
        return;
      case Verb.Msg:
        // MSG is a server-to-client op; a client sending it is speaking another protocol.
        this.fail("unknown_op", emit);
        return;
      default:
        return;
    }
  }

  private onPubArg(buf: Buffer, start: number, end: number, emit: OpHandler): void {
    const isH = this.verb === Verb.Hpub;
    // client.go processHeaderPub: HPUB before headers were negotiated closes silently.
    if (isH && !this.headers) return this.fail("bad_args", emit);
    // A repeated subject is recognised in place; only the rest of the line is split.
    const known = this.isLastSubjectAt(buf, start, end);
    let n: number;
    if (known) {
      this.tokens[0] = start;
      this.tokens[1] = start + this.lastSubjectLen;
      n = this.split(buf, start + this.lastSubjectLen, end, 1);
    } else n = this.split(buf, start, end);
    const min = isH ? 3 : 2;
    if (n !== min && n !== min + 1) return this.fail("bad_args", emit);
    const hasReply = n === min + 1;
    let header = -1;
    if (isH) {
      header = this.size(buf, n - 2);
      if (header < 0) return this.fail("bad_args", emit);
    }
    const size = this.size(buf, n - 1);
    if (size < 0 || header > size) return this.fail("bad_args", emit);
    // max_payload is checked on the control line, before any payload is read (§1.3).
    if (size > this.limits.maxPayload) return this.fail("max_payload", emit);
    this.pubSubject = known
      ? this.lastSubject
      : this.newSubject(buf, this.tokens[0]!, this.tokens[1]!);
    this.pubReply = hasReply ? this.tok(buf, 1) : null;
    // An empty header block means no headers at all: delivered as a plain MSG.
    this.pubHeader = header === 0 ? -1 : header;
    this.pubSize = size;
    this.pubSizeText = null;
    const zeroHeader = header > 0 && leadingZero(buf, this.tokens, n - 2);
    if (zeroHeader || leadingZero(buf, this.tokens, n - 1)) {
      const total = this.tok(buf, n - 1);
      this.pubSizeText = header > 0 ? `${this.tok(buf, n - 2)} ${total}` : total;
    }
    this.msgBuf = null;
    this.state = State.Payload;
  }

  /**
   * Whether the line at `start` begins with the previous PUB's subject and a separator.
   * A publisher usually repeats one subject, and recognising it in place saves scanning,
   * decoding and hashing it again (about 10% of a 16-byte pub→sub). Compared four bytes
   * at a time through DataViews.
   */
  private isLastSubjectAt(buf: Buffer, start: number, end: number): boolean {
    const n = this.lastSubjectLen;
    if (n <= 0 || start + n >= end) return false;
    const sep = buf[start + n];
    if (sep !== SPACE && sep !== TAB) return false;
    const line = this.viewOf(buf);
    const last = this.lastSubjectView;
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      if (line.getUint32(start + k, true) !== last.getUint32(k, true)) return false;
    }
    for (; k < n; k++) if (line.getUint8(start + k) !== last.getUint8(k)) return false;
    return true;
  }

  /** Decodes a subject and remembers it for isLastSubjectAt. */
  private newSubject(buf: Buffer, start: number, end: number): string {
    const subject = buf.toString("latin1", start, end);
    const n = end - start;
    if (n <= SUBJECT_CACHE_BYTES) {
      buf.copy(this.lastSubjectBytes, 0, start, end);
      this.lastSubject = subject;
      this.lastSubjectLen = n;
    }
    return subject;
  }

  /** A DataView over `buf`, made once per buffer (the current read, or carried-over bytes). */
  private viewOf(buf: Buffer): DataView {
    if (this.viewBuf !== buf) {
      this.view = viewOf(buf);
      this.viewBuf = buf;
    }
    return this.view!;
  }

  /** Traces the ops nats-server traces; client-side ones (+OK, -ERR, INFO, MSG) are not. */
  private traceOp(verb: Verb, arg: string | null): void {
    const name = TRACE_NAMES[verb];
    if (name !== undefined) this.tracer!.op(name, arg);
  }

  private emitPub(src: Buffer, start: number, end: number, emit: OpHandler): void {
    if (this.tracer !== null) this.tracer.payload(end - start);
    const view = this.viewOf(src);
    emit(
      this.pub.set(
        this.pubSubject,
        this.pubReply,
        this.pubHeader,
        this.pubSizeText,
        src,
        view,
        start,
        end,
      ),
    );
  }
}

/** Whether token k is a number written with a leading zero ("002"). */
function leadingZero(buf: Buffer, tokens: Int32Array, k: number): boolean {
  const s = tokens[k * 2]!;
  return tokens[k * 2 + 1]! - s > 1 && buf[s] === 48;
}
