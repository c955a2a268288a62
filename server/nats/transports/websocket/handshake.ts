/**
 * The server side of the RFC 6455 opening handshake, checked in nats-server's order
 * (wsUpgrade; nats-wire-notes §2.1). Pure: takes the parsed request, returns the 101
 * response head or a HandshakeError carrying the HTTP status to answer with.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const EXTENSION_RESPONSE =
  "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n";
/** Base64 of exactly 16 bytes (RFC 6455 §4.2.1 item 5). */
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

export interface HandshakeRequest {
  method?: string | undefined;
  headers: IncomingHttpHeaders;
  /** The request arrived over TLS (decides the default port for the same-origin check). */
  tls?: boolean;
}

export interface HandshakeOptions {
  /** Offer permessage-deflate when the client asks for it (websocket.compression). */
  compression?: boolean;
  /** websocket.allowed_origins: "scheme://host[:port]" entries. */
  allowedOrigins?: readonly string[];
  /** websocket.same_origin: the Origin must match the Host header. */
  sameOrigin?: boolean;
}

export interface HandshakeResult {
  /** The complete 101 response head, ending in an empty line. */
  response: string;
  compression: boolean;
}

export class HandshakeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`websocket handshake error: ${message}`);
    this.name = "HandshakeError";
  }
}

export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/** Validates an upgrade request; throws HandshakeError (405/400/403) on the first failed check. */
export function acceptHandshake(
  req: HandshakeRequest,
  opts: HandshakeOptions = {},
): HandshakeResult {
  const h = req.headers;
  if (req.method !== "GET") throw new HandshakeError(405, "request method must be GET");
  if (!h.host) throw new HandshakeError(400, "'Host' missing in request");
  if (!headerHasToken(h.upgrade, "websocket")) {
    throw new HandshakeError(400, "invalid value for header 'Upgrade'");
  }
  if (!headerHasToken(h.connection, "upgrade")) {
    throw new HandshakeError(400, "invalid value for header 'Connection'");
  }
  const key = single(h["sec-websocket-key"])?.trim();
  if (!key) throw new HandshakeError(400, "key missing");
  if (!KEY_PATTERN.test(key)) throw new HandshakeError(400, "invalid key");
  if (!headerHasToken(h["sec-websocket-version"], "13"))
    throw new HandshakeError(400, "invalid version");
  const originError = checkOrigin(req, opts);
  if (originError) throw new HandshakeError(403, `origin not allowed: ${originError}`);

  // No subprotocol is negotiated for NATS: Sec-WebSocket-Protocol is never echoed (§2.1).
  const compression =
    opts.compression === true && offersUsableDeflate(single(h["sec-websocket-extensions"]));
  const response =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
    (compression ? EXTENSION_RESPONSE : "") +
    "\r\n";
  return { response, compression };
}

/** A minimal HTTP error response for a failed handshake, as nats-server's wsReturnHTTPError. */
export function handshakeErrorResponse(status: number): string {
  const text = STATUS_TEXT[status] ?? "Error";
  const body = `${text}\n`;
  return (
    `HTTP/1.1 ${status} ${text}\r\n` +
    "Sec-WebSocket-Version: 13\r\n" +
    "Content-Type: text/plain; charset=utf-8\r\n" +
    "X-Content-Type-Options: nosniff\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    "Connection: close\r\n\r\n" +
    body
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  405: "Method Not Allowed",
  500: "Internal Server Error",
};

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Comma-separated header contains `token`, case-insensitively (wsHeaderContains). */
function headerHasToken(value: string | string[] | undefined, token: string): boolean {
  const v = single(value);
  if (!v) return false;
  for (const part of v.split(",")) {
    if (part.trim().toLowerCase() === token) return true;
  }
  return false;
}

/**
 * Whether some permessage-deflate offer can be accepted with our fixed answer (both
 * no_context_takeover flags, 15-bit server window). RFC 7692 §5: an offer with parameters we
 * cannot honour is declined, and another offer may still be taken.
 */
function offersUsableDeflate(header: string | undefined): boolean {
  if (!header) return false;
  for (const offer of header.split(",")) {
    const [name, ...params] = offer.split(";").map((p) => p.trim());
    if (name?.toLowerCase() !== "permessage-deflate") continue;
    if (params.every(acceptableParam)) return true;
  }
  return false;
}

function acceptableParam(param: string): boolean {
  const eq = param.indexOf("=");
  const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
  const value =
    eq < 0
      ? undefined
      : param
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, "$1");
  switch (name) {
    case "":
    case "server_no_context_takeover":
    case "client_no_context_takeover":
      return value === undefined;
    case "client_max_window_bits":
      // We inflate with a 15-bit window, which reads any smaller window too.
      return value === undefined || /^(8|9|1[0-5])$/.test(value);
    case "server_max_window_bits":
      // We always deflate with a 15-bit window and do not answer this parameter.
      return value === "15";
    default:
      return false;
  }
}

/**
 * nats-server's checkOrigin: only when same_origin or allowed_origins is configured, and only
 * when the request carries an Origin (nats-wire-notes §2.4 item 8). Returns why it failed.
 */
function checkOrigin(req: HandshakeRequest, opts: HandshakeOptions): string | undefined {
  const allowed = opts.allowedOrigins ?? [];
  if (!opts.sameOrigin && allowed.length === 0) return undefined;
  const origin = single(req.headers.origin) ?? single(req.headers["sec-websocket-origin"]);
  if (!origin) return undefined;
  const o = parseOrigin(origin);
  if (!o) return "invalid origin";
  if (opts.sameOrigin) {
    const host = hostAndPort(single(req.headers.host) ?? "", req.tls === true);
    if (!host || host.host !== o.host || host.port !== o.port) return "not same origin";
  }
  if (allowed.length > 0) {
    const ok = allowed.some((entry) => {
      const a = parseOrigin(entry);
      return a !== undefined && a.scheme === o.scheme && a.host === o.host && a.port === o.port;
    });
    if (!ok) return "not in the allowed list";
  }
  return undefined;
}

interface Origin {
  scheme: string;
  host: string;
  port: string;
}

function parseOrigin(value: string): Origin | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!url.host) return undefined;
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const hp = hostAndPort(url.host, scheme === "https");
  return hp && { scheme, ...hp };
}

/** "host[:port]" with the scheme's default port filled in; IPv6 brackets are kept. */
function hostAndPort(value: string, tls: boolean): { host: string; port: string } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.trim());
  if (!m?.[1]) return undefined;
  return { host: m[1].toLowerCase(), port: m[2] ?? (tls ? "443" : "80") };
}
