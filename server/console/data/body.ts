/**
 * A stored message's bytes as the operator views show them: the payload as text when it is
 * UTF-8 (else base64, as QUERY does, mq9.md §7), the headers as a record and as sent, and
 * the message as a subscriber receives it (the raw view).
 */
import "server-only";
import { encodeDelivery, headersToJson } from "@/server/mq9/headers";
import { priorityName } from "@/server/mq9/subjects";

export interface BodyView {
  payload: string;
  encoding: "utf8" | "base64";
  payloadSize: number;
  /** `{key: [values]}`, the status line left out; null when sent without headers. */
  headers: Record<string, string[]> | null;
  /** The header block as stored (`NATS/1.0` …), or null. */
  headersText: string | null;
  /**
   * Header block plus payload as an owner subscription receives it (mq9 headers added,
   * §4.3); the payload part base64 when it is not UTF-8. Null for dead letters, which
   * nobody receives any more.
   */
  raw: string | null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(bytes: Buffer): { value: string; encoding: "utf8" | "base64" } {
  try {
    return { value: utf8.decode(bytes), encoding: "utf8" };
  } catch {
    return { value: bytes.toString("base64"), encoding: "base64" };
  }
}

export function bodyView(
  row: { headers: Buffer | null; payload: Buffer },
  delivery: { msgId: number; priority: number; time: number } | null,
): BodyView {
  const payload = text(row.payload);
  let raw: string | null = null;
  if (delivery !== null) {
    const { data, headerSize } = encodeDelivery(
      row.headers,
      delivery.msgId,
      priorityName(delivery.priority),
      delivery.time,
      row.payload,
    );
    raw = data.subarray(0, headerSize).toString("latin1") + payload.value;
  }
  return {
    payload: payload.value,
    encoding: payload.encoding,
    payloadSize: row.payload.length,
    headers: headersToJson(row.headers),
    headersText: row.headers === null ? null : row.headers.toString("latin1"),
    raw,
  };
}

const PREVIEW_BYTES = 160;
const lenient = new TextDecoder("utf-8");

/** The start of a payload for a list row: text, one line, cut at a character boundary. */
export function previewText(start: Buffer | Uint8Array | null): string {
  if (start === null) return "";
  const s = lenient.decode(start.subarray(0, PREVIEW_BYTES));
  // A multi-byte character cut at the end decodes as U+FFFD: drop it.
  return s.replace(/\uFFFD+$/, "").replace(/\s+/g, " ");
}

export const PREVIEW_SQL_BYTES = PREVIEW_BYTES;
