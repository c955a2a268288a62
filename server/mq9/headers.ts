/**
 * NATS header blocks (ADR-4: `NATS/1.0\r\nKey: Value\r\n…\r\n`): the mq9 headers added to
 * every delivered inbox message (mq9.md §4.3), and headers as JSON for QUERY (§7).
 */
import type { Priority } from "./subjects";

const HEAD = "NATS/1.0\r\n";

/**
 * A stored message as delivered, in one buffer: the original header block (or a bare
 * `NATS/1.0`) with Mq9-Msg-Id, Mq9-Priority and Mq9-Time added before its closing blank
 * line, then the payload. Returns the buffer and the header block's length.
 */
export function encodeDelivery(
  original: Buffer | null,
  msgId: number,
  priority: Priority,
  time: number,
  payload: Buffer,
): { data: Buffer; headerSize: number } {
  const ours = `Mq9-Msg-Id: ${msgId}\r\nMq9-Priority: ${priority}\r\nMq9-Time: ${time}\r\n\r\n`;
  const keep = original !== null && original.length >= HEAD.length + 2;
  // Without the original's final CRLF: its first line (status) and keys stay.
  const head = keep ? original.length - 2 : HEAD.length;
  const headerSize = head + ours.length;
  const data = Buffer.allocUnsafe(headerSize + payload.length);
  if (keep) original.copy(data, 0, 0, head);
  else data.write(HEAD, 0, "latin1");
  data.write(ours, head, "latin1");
  payload.copy(data, headerSize);
  return { data, headerSize };
}

/** Header keys to their values, in order; the status line is left out. */
export function headersToJson(block: Buffer | null): Record<string, string[]> | null {
  if (block === null) return null;
  const lines = block.toString("utf8").split("\r\n").slice(1);
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    (out[key] ??= []).push(line.slice(colon + 1).trim());
  }
  return out;
}

/**
 * A sender's header block without any `Mq9-*` keys: only the broker may set those, or a
 * sender could forge its msg_id or priority. Null when nothing is left.
 */
export function stripMq9Headers(block: Buffer): Buffer | null {
  const lines = block.toString("latin1").split("\r\n");
  const status = lines[0] ?? "NATS/1.0";
  const kept = lines.slice(1).filter((l) => l !== "" && !/^mq9-/i.test(l));
  if (kept.length === 0 && status.trim() === "NATS/1.0") return null;
  return Buffer.from(`${status}\r\n${kept.map((l) => `${l}\r\n`).join("")}\r\n`, "latin1");
}
