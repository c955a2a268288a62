/**
 * NATS header blocks (ADR-4: `NATS/1.0\r\nKey: Value\r\n…\r\n`): the mq9 headers added to
 * every delivered inbox message (mq9.md §4.3), and headers as JSON for QUERY (§7).
 */
import type { Priority } from "./subjects";

const HEAD = "NATS/1.0\r\n";

/**
 * The original header block (or none) with Mq9-Msg-Id, Mq9-Priority and Mq9-Time added
 * before its closing blank line.
 */
export function withMq9Headers(
  original: Buffer | null,
  msgId: number,
  priority: Priority,
  time: number,
): Buffer {
  const ours = `Mq9-Msg-Id: ${msgId}\r\nMq9-Priority: ${priority}\r\nMq9-Time: ${time}\r\n\r\n`;
  if (original === null || original.length < HEAD.length + 2) return Buffer.from(HEAD + ours);
  // Drop the final CRLF of the original block, keep its first line (status) and keys.
  return Buffer.concat([original.subarray(0, original.length - 2), Buffer.from(ours)]);
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
