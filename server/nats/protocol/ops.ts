/**
 * What the parser produces: plain data, one value per client protocol operation
 * (nats-wire-notes §1.4). Buffers are views into the bytes that were parsed and are only
 * valid until the op handler returns; so is the PUB op itself, which the parser reuses.
 */

import type { Message } from "../message";

export interface ConnectOp {
  kind: "CONNECT";
  /** The raw JSON argument; decoded by the CONNECT handler. */
  json: Buffer;
}

/**
 * PUB or HPUB: a Message. `sizeText` holds the size tokens exactly as sent ("hdr total" or
 * "size") when they differ from the plain decimal (leading zeros), since nats-server
 * echoes them in MSG (client.go msgHeader). An HPUB with an empty header block is a PUB.
 */
export interface PubOp extends Message {
  kind: "PUB";
  /** data.length, known without touching `data` (see ParsedPub). */
  readonly size: number;
}

export interface SubOp {
  kind: "SUB";
  subject: string;
  queue: string | null;
  sid: string;
}

export interface UnsubOp {
  kind: "UNSUB";
  sid: string;
  /** -1 when no max was given or it was not a number. */
  max: number;
}

export interface SimpleOp {
  kind: "PING" | "PONG" | "OK" | "ERR";
}

/** INFO from a client: ignored, but it must be valid JSON (client.go processInfo). */
export interface InfoOp {
  kind: "INFO";
  json: Buffer;
}

/** Why parsing stopped for good; the client closes after handling it. */
export type ParseFailure =
  /** -ERR 'Unknown Protocol Operation' (parser.go parseErr). */
  | "unknown_op"
  /** -ERR 'maximum control line exceeded'. */
  | "max_control_line"
  /** -ERR 'Maximum Payload Violation'. */
  | "max_payload"
  /** Wrong argument count or size, HPUB without headers: closed without -ERR (§1.3). */
  | "bad_args";

export interface FailOp {
  kind: "FAIL";
  reason: ParseFailure;
}

export type Op = ConnectOp | PubOp | SubOp | UnsubOp | SimpleOp | InfoOp | FailOp;

export type OpKind = Op["kind"];
