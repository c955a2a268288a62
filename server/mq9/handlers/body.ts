/** Request bodies: JSON objects, checked field by field with mq9 error codes (mq9.md §9). */
import type { Message } from "../../nats/message";
import { Mq9Error } from "../errors";

export type Body = Record<string, unknown>;

/** The payload after any headers, as a JSON object; empty means `{}`. */
export function jsonBody(msg: Message): Body {
  const payload = msg.headerSize > 0 ? msg.data.subarray(msg.headerSize) : msg.data;
  const text = payload.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Mq9Error("bad_request", "the request body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Mq9Error("bad_request", "the request body must be a JSON object");
  }
  return value as Body;
}

export function optionalString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Mq9Error("bad_request", `${key} must be a string`);
  return v;
}

export function optionalInteger(body: Body, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new Mq9Error("bad_request", `${key} must be a whole number`);
  }
  return v;
}

export function optionalBoolean(body: Body, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new Mq9Error("bad_request", `${key} must be true or false`);
  return v;
}
