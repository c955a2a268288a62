/**
 * A message this browser received over NATS (a live-tail row, a request's reply) in the shape
 * the body views show stored ones: the payload as text when it is UTF-8, else base64; the
 * headers as a record and as the header block a subscriber gets.
 */
import type { MsgHdrs } from "nats.ws";
import type { BodyView } from "@/server/console/data/body";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function asText(data: Uint8Array): { text: string; encoding: "utf8" | "base64" } {
  try {
    return { text: utf8.decode(data), encoding: "utf8" };
  } catch {
    let bin = "";
    for (const b of data) bin += String.fromCharCode(b);
    return { text: btoa(bin), encoding: "base64" };
  }
}

export function headerRecord(h: MsgHdrs | undefined): Record<string, string[]> | null {
  if (!h) return null;
  const record: Record<string, string[]> = {};
  for (const k of h.keys()) record[k] = h.values(k);
  return record;
}

function headerText(h: Record<string, string[]> | null): string | null {
  if (h === null) return null;
  let s = "NATS/1.0\r\n";
  for (const [k, vs] of Object.entries(h)) for (const v of vs) s += `${k}: ${v}\r\n`;
  return `${s}\r\n`;
}

export function receivedBody(data: Uint8Array, headers: Record<string, string[]> | null): BodyView {
  const { text, encoding } = asText(data);
  const head = headerText(headers);
  return {
    payload: text,
    encoding,
    payloadSize: data.length,
    headers,
    headersText: head,
    raw: `${head ?? ""}${encoding === "utf8" ? text : `[base64] ${text}`}`,
  };
}
