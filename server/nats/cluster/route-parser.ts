/**
 * The route protocol parser: bytes from another server → ops, with no socket and no
 * state beyond framing, so any split of any input gives the same ops. The ops are those
 * nats-server 2.9 exchanges between cluster members (route.go, parser.go):
 *
 *   INFO {json}  CONNECT {json}  PING  PONG  +OK  -ERR 'text'
 *   RS+ <account> <subject> [<queue> <weight>]     interest, and a queue group's weight
 *   RS- <account> <subject> [<queue>]              interest withdrawn
 *   LS+ <origin> <account> <subject> [...]         the same, for a leaf node's origin
 *   RMSG <account> <subject> [reply] <size>        a message for our subscribers
 *   RMSG <account> <subject> (+ <reply> | |) <queue>... <size>   ...and these queue groups
 *   HMSG ... <header size> <total size>            the same, with headers
 *
 * Op names are matched case-insensitively, arguments are split on spaces and tabs, and a
 * payload is exactly its announced size followed by CRLF, as in the client protocol.
 */

export interface RouteSubOp {
  kind: "RS+";
  account: string;
  subject: string;
  queue: string | null;
  /** A queue group's member count on the sending server; 1 for plain interest. */
  weight: number;
}

export interface RouteUnsubOp {
  kind: "RS-";
  account: string;
  subject: string;
  queue: string | null;
}

export interface RouteMsgOp {
  kind: "RMSG";
  account: string;
  subject: string;
  reply: string | null;
  /** Queue groups the sender chose this server for; empty = plain subscribers only. */
  queues: string[];
  /** -1 without headers. */
  headerSize: number;
  /** A view into the bytes parsed: valid only until the op handler returns. */
  data: Buffer;
}

export type RouteOp =
  | { kind: "INFO" | "CONNECT"; json: string }
  | { kind: "PING" | "PONG" | "OK" }
  | { kind: "ERR"; text: string }
  | RouteSubOp
  | RouteUnsubOp
  | RouteMsgOp
  /** The stream cannot be read any further; the route is closed. */
  | { kind: "FAIL"; reason: string };

const LF = 10;
const CR = 13;
/** nats-server's MAX_PAYLOAD_MAX_SIZE: routes carry what any member accepted. */
const MAX_ROUTED_PAYLOAD = 64 * 1024 * 1024;
/** Route control lines carry long subjects and many queue names (parser.go uses 4 KB * N). */
const MAX_ROUTE_CONTROL_LINE = 64 * 1024;
const EMPTY = Buffer.alloc(0);

export class RouteParser {
  private pending: Buffer = EMPTY;
  /** Set while waiting for a message's payload. */
  private msg: Omit<RouteMsgOp, "data"> | null = null;
  private payloadSize = 0;
  private dead = false;

  constructor(private readonly maxControlLine = MAX_ROUTE_CONTROL_LINE) {}

  /** Feeds a chunk; calls `onOp` for every op it completes, in order. */
  parse(chunk: Buffer, onOp: (op: RouteOp) => void): void {
    if (this.dead) return;
    let buf = chunk;
    if (this.pending.length > 0) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = EMPTY;
    }
    let pos = 0;
    while (pos < buf.length) {
      if (this.msg !== null) {
        const need = this.payloadSize + 2;
        if (buf.length - pos < need) break;
        const end = pos + this.payloadSize;
        if (buf[end] !== CR || buf[end + 1] !== LF)
          return this.fail(onOp, "payload not followed by CRLF");
        const op: RouteMsgOp = { ...this.msg, data: buf.subarray(pos, end) };
        this.msg = null;
        pos = end + 2;
        onOp(op);
        if (this.dead) return;
        continue;
      }
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) {
        if (buf.length - pos > this.maxControlLine)
          return this.fail(onOp, "maximum control line exceeded");
        break;
      }
      if (lf - pos > this.maxControlLine) return this.fail(onOp, "maximum control line exceeded");
      const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      const line = buf.toString("latin1", pos, lineEnd);
      pos = lf + 1;
      const op = this.controlLine(line);
      if (op === null) continue;
      if (op.kind === "FAIL") return this.fail(onOp, op.reason);
      onOp(op);
      if (this.dead) return;
    }
    if (pos < buf.length) this.pending = Buffer.from(buf.subarray(pos));
  }

  /** No more ops after this one (the route is closing). */
  stop(): void {
    this.dead = true;
    this.pending = EMPTY;
  }

  private fail(onOp: (op: RouteOp) => void, reason: string): void {
    this.stop();
    onOp({ kind: "FAIL", reason });
  }

  /** One control line; null for an empty one. Sets `msg` for RMSG/HMSG. */
  private controlLine(line: string): RouteOp | null {
    const trimmed = line.replace(/^[ \t]+/, "");
    if (trimmed === "") return null;
    const space = trimmed.search(/[ \t]/);
    const name = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
    const rest = space < 0 ? "" : trimmed.slice(space + 1).trim();
    switch (name) {
      case "INFO":
      case "CONNECT":
        return { kind: name, json: rest };
      case "PING":
      case "PONG":
        return { kind: name };
      case "+OK":
        return { kind: "OK" };
      case "-ERR":
        return { kind: "ERR", text: rest.replace(/^'(.*)'$/, "$1") };
      case "RS+":
        return this.sub(split(rest), false);
      case "LS+":
        return this.sub(split(rest), true);
      case "RS-":
      case "LS-":
        return this.unsub(split(rest), name === "LS-");
      case "RMSG":
        return this.routedMsg(split(rest), false);
      case "HMSG":
        return this.routedMsg(split(rest), true);
    }
    return { kind: "FAIL", reason: `unknown route protocol operation ${JSON.stringify(name)}` };
  }

  private sub(args: string[], origin: boolean): RouteOp {
    // route.go processRemoteSub: LS+ carries the leaf origin first; we route by account.
    const a = origin ? args.slice(1) : args;
    if (a.length === 2)
      return { kind: "RS+", account: a[0]!, subject: a[1]!, queue: null, weight: 1 };
    if (a.length === 4) {
      const weight = parseSize(a[3]!);
      if (weight < 0) return { kind: "FAIL", reason: `bad queue weight in RS+ ${a.join(" ")}` };
      return { kind: "RS+", account: a[0]!, subject: a[1]!, queue: a[2]!, weight };
    }
    return { kind: "FAIL", reason: `bad RS+ arguments: ${args.join(" ")}` };
  }

  private unsub(args: string[], origin: boolean): RouteOp {
    const a = origin ? args.slice(1) : args;
    if (a.length === 2 || a.length === 3) {
      return { kind: "RS-", account: a[0]!, subject: a[1]!, queue: a[2] ?? null };
    }
    return { kind: "FAIL", reason: `bad RS- arguments: ${args.join(" ")}` };
  }

  /** route.go processRoutedMsgArgs / processRoutedHeaderMsgArgs. */
  private routedMsg(args: string[], headers: boolean): RouteOp | null {
    const sizes = headers ? 2 : 1;
    if (args.length < 2 + sizes)
      return { kind: "FAIL", reason: `bad ${headers ? "HMSG" : "RMSG"} arguments` };
    const account = args[0]!;
    const subject = args[1]!;
    const middle = args.slice(2, args.length - sizes);
    let reply: string | null = null;
    let queues: string[] = [];
    if (middle.length === 1) reply = middle[0]!;
    else if (middle.length > 1) {
      const indicator = middle[0]!;
      if (indicator === "+") {
        reply = middle[1]!;
        queues = middle.slice(2);
      } else if (indicator === "|") queues = middle.slice(1);
      else return { kind: "FAIL", reason: `bad reply indicator ${JSON.stringify(indicator)}` };
    }
    const size = parseSize(args[args.length - 1]!);
    const headerSize = headers ? parseSize(args[args.length - 2]!) : -1;
    if (size < 0 || (headers && (headerSize < 0 || headerSize > size))) {
      return { kind: "FAIL", reason: `bad message size in ${args.join(" ")}` };
    }
    if (size > MAX_ROUTED_PAYLOAD) return { kind: "FAIL", reason: "routed message too large" };
    this.msg = { kind: "RMSG", account, subject, reply, queues, headerSize };
    this.payloadSize = size;
    return null;
  }
}

function split(s: string): string[] {
  return s === "" ? [] : s.split(/[ \t]+/);
}

/** parser.go parseSize: decimal digits only; -1 otherwise. */
function parseSize(s: string): number {
  if (s.length === 0 || s.length > 9 || !/^\d+$/.test(s)) return -1;
  return Number(s);
}
