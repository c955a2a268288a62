/**
 * What every operator route answers with: JSON, never cached, errors as `{error, code}`
 * with a typed code (CONSOLE.md), and request input parsed by the route's zod schema.
 */
import "server-only";
import type { z } from "zod";
import type { ConsoleErrorBody } from "@/server/console/guard";

export type OpsErrorCode =
  "bad_request" | "not_found" | "broker_not_running" | "resend_failed" | "internal";

export function ok(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

export function fail(status: number, code: OpsErrorCode, error: string): Response {
  const body: ConsoleErrorBody<OpsErrorCode> = { error, code };
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

export function notRunning(): Response {
  return fail(503, "broker_not_running", "no broker runs in this process");
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  if (first === undefined) return "invalid request";
  const where = first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  return `${where}${first.message}`;
}

/** Parses `input` with `schema`; a Response (400 bad_request) when it does not fit. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> | Response {
  const r = schema.safeParse(input);
  return r.success ? r.data : fail(400, "bad_request", describe(r.error));
}

/** A URL's query string as a plain object for `parse` (last value wins). */
export function searchOf(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}

/** The JSON body parsed with `schema`; a Response (400 bad_request) when it is not JSON or does not fit. */
export async function parseJson<S extends z.ZodType>(
  schema: S,
  req: Request,
): Promise<z.infer<S> | Response> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return fail(400, "bad_request", "the body is not JSON");
  }
  return parse(schema, body);
}
