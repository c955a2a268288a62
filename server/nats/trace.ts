/**
 * Protocol tracing (`-V`, `trace: true`): one `[TRC]` line per control operation, in
 * nats-server 2.9.10's shapes (client.go traceInOp/traceOutOp) so the same greps work:
 *
 *   127.0.0.1:50312 - cid:4 - "v1.2.0:nats.js:app" - <<- [SUB foo 1]
 *   127.0.0.1:50312 - cid:4 - "v1.2.0:nats.js:app" - ->> [MSG foo 1 5]
 *
 * Where nats-server traces a message body (`<<- MSG_PAYLOAD: ["…"]`) we write its size
 * only, and CONNECT's credentials are replaced by [REDACTED]: payloads and secrets never
 * reach the log. A client has a ProtocolTrace only while tracing is on, so the hot path
 * pays one null check per operation and builds no strings when it is off.
 */
import type { ConnectOptions } from "./protocol/connect";
import type { Logger } from "./logger";
import type { Transport } from "./transport";

/** What the parser reports while tracing: incoming control lines and payload sizes. */
export interface ParserTrace {
  /** An op as received: its name and its argument bytes decoded, or null for none. */
  op(name: string, arg: string | null): void;
  payload(size: number): void;
}

/**
 * The values of CONNECT keys that name a secret (`pass`, `auth_token`, and anything else
 * containing "pass" or "token"), quoted or not. nats-server redacts only `pass`.
 */
const SECRET = /("?[\w-]*(?:pass|token)[\w-]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"?|[^\s,}]*)/gi;

export function redactConnect(json: string): string {
  return json.replace(SECRET, (_m, key: string, value: string) =>
    value.startsWith('"') ? `${key}"[REDACTED]"` : `${key}[REDACTED]`,
  );
}

/** Go's net.Addr String(): `host:port`, IPv6 in brackets, IPv4-mapped IPv6 as IPv4. */
export function remoteLabel(address: string, port: number): string {
  const host = address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The client's name in log lines (client.go initClient, processConnect): its address and
 * id (`cid`, `wid` for WebSocket), then, once CONNECT said so, `"v<version>:<lang>:<name>"`.
 */
export function clientLabel(transport: Transport, id: number, opts: ConnectOptions | null): string {
  const kind = transport.kind === "websocket" ? "wid" : "cid";
  const base = `${remoteLabel(transport.remoteAddress, transport.remotePort)} - ${kind}:${id}`;
  if (opts === null) return base;
  const parts: string[] = [];
  if (opts.version !== "") parts.push(`v${opts.version}`);
  if (opts.lang !== "") parts.push(opts.lang);
  if (opts.name !== "") parts.push(opts.name);
  return parts.length === 0 ? base : `${base} - ${JSON.stringify(parts.join(":"))}`;
}

export class ProtocolTrace implements ParserTrace {
  constructor(
    private readonly log: Logger,
    /** clientLabel(); replaced once CONNECT names the client. */
    public label: string,
  ) {}

  op(name: string, arg: string | null): void {
    if (name === "CONNECT" && arg !== null) arg = redactConnect(arg);
    this.line("<<-", name, arg);
  }

  payload(size: number): void {
    this.log.trace(`${this.label} - <<- MSG_PAYLOAD: [${size} bytes]`);
  }

  /** Something sent to the client: `OK`, `PONG`, `PING`, `-ERR` with its text, a MSG line. */
  out(name: string, arg: string | null = null): void {
    this.line("->>", name, arg);
  }

  /** A subscription left the index (client.go unsubscribe). */
  delsub(sid: string): void {
    this.line("<->", "DELSUB", sid);
  }

  /** A MSG or HMSG line as sent, without its CRLF (client.go deliverMsg). */
  msg(headers: boolean, subject: string, sid: string, reply: string | null, sizes: string): void {
    const r = reply === null ? "" : ` ${reply}`;
    this.line("->>", headers ? "HMSG" : "MSG", `${subject} ${sid}${r} ${sizes}`);
  }

  private line(dir: string, name: string, arg: string | null): void {
    // Go's %s of []interface{}{op, arg}: `[OP arg]`, or `[OP]` without an argument.
    this.log.trace(`${this.label} - ${dir} [${arg === null ? name : `${name} ${arg}`}]`);
  }
}
