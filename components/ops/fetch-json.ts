/**
 * A call to an /api/ops route, never cached (the views show live state): the JSON body, or
 * an Error with the route's `{error}` message (else the HTTP status) when it failed.
 */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { cache: "no-store", ...init });
  const body = (await res.json()) as T | { error: string };
  if (!res.ok || (typeof body === "object" && body !== null && "error" in body)) {
    throw new Error((body as { error?: string }).error ?? `HTTP ${res.status}`);
  }
  return body as T;
}
