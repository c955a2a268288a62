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
    raw = data.subarray(0, headerSize).toString("utf8") + payload.value;
  }
  return {
    payload: payload.value,
    encoding: payload.encoding,
    payloadSize: row.payload.length,
    headers: headersToJson(row.headers),
    headersText: row.headers === null ? null : row.headers.toString("utf8"),
    raw,
  };
}

const PREVIEW_BYTES = 160;

export interface Preview {
  /** One line of text from the start of the payload; empty for binary payloads. */
  preview: string;
  /** Not UTF-8 text (or full of control characters): the list says "binary" instead. */
  binary: boolean;
}

/**
 * The start of a payload for a list row. `start` is at most PREVIEW_BYTES long and may cut
 * a multi-byte character at its end, which is not a reason to call it binary.
 */
export function previewOf(start: Buffer | Uint8Array): Preview {
  const bytes = start.subarray(0, PREVIEW_BYTES);
  const cut = bytes.length === PREVIEW_BYTES ? 3 : 0;
  for (let drop = 0; drop <= cut; drop++) {
    let s: string;
    try {
      s = utf8.decode(bytes.subarray(0, bytes.length - drop));
    } catch {
      continue;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(s)) break;
    return { preview: s.replace(/\s+/g, " ").trim(), binary: false };
  }
  return { preview: "", binary: true };
}

export const PREVIEW_SQL_BYTES = PREVIEW_BYTES;
