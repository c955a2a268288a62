/**
 * Message bodies as bytes: what `send` accepts (text, bytes, or a value sent as JSON) and
 * how a body is read back. Uint8Array and TextEncoder only, so it runs in a browser.
 */

export type Body = string | Uint8Array | object;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Text is sent as UTF-8, bytes as they are, anything else as JSON. */
export function encodeBody(body: Body): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return encoder.encode(body);
  return encoder.encode(JSON.stringify(body));
}

export function decodeText(data: Uint8Array): string {
  return decoder.decode(data);
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

/** The JSON object a body holds, or null when it is not one (bodies are never trusted). */
export function jsonObject(data: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(decoder.decode(data));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** QUERY returns payloads as UTF-8 text or base64 (mq9.md §7). */
export function decodeQueriedPayload(payload: string, encoding: "utf8" | "base64"): Uint8Array {
  if (encoding === "utf8") return encoder.encode(payload);
  const binary = atob(payload);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
