/**
 * CONNECT options (nats-wire-notes §1.2). The JSON is applied on top of the current
 * options, like Go's json.Unmarshal onto client.opts: omitted or null keys keep their
 * value, keys match case-insensitively, unknown keys are ignored, and a value of the wrong
 * type (or JSON that does not parse) fails the whole CONNECT.
 */

export interface ConnectOptions {
  verbose: boolean;
  pedantic: boolean;
  echo: boolean;
  headers: boolean;
  noResponders: boolean;
  tlsRequired: boolean;
  protocol: number;
  name: string;
  lang: string;
  version: string;
  user: string;
  pass: string;
  authToken: string;
  nkey: string;
  sig: string;
  jwt: string;
  account: string;
  newAccount: boolean;
}

/** client.go defaultOpts: what a client has before (and without) a CONNECT. */
export const DEFAULT_CONNECT: Readonly<ConnectOptions> = {
  verbose: true,
  pedantic: true,
  echo: true,
  headers: false,
  noResponders: false,
  tlsRequired: false,
  protocol: 0,
  name: "",
  lang: "",
  version: "",
  user: "",
  pass: "",
  authToken: "",
  nkey: "",
  sig: "",
  jwt: "",
  account: "",
  newAccount: false,
};

type Field = { key: keyof ConnectOptions; type: "boolean" | "string" | "integer" };

const FIELDS: Record<string, Field> = {
  verbose: { key: "verbose", type: "boolean" },
  pedantic: { key: "pedantic", type: "boolean" },
  echo: { key: "echo", type: "boolean" },
  headers: { key: "headers", type: "boolean" },
  no_responders: { key: "noResponders", type: "boolean" },
  tls_required: { key: "tlsRequired", type: "boolean" },
  protocol: { key: "protocol", type: "integer" },
  name: { key: "name", type: "string" },
  lang: { key: "lang", type: "string" },
  version: { key: "version", type: "string" },
  user: { key: "user", type: "string" },
  pass: { key: "pass", type: "string" },
  auth_token: { key: "authToken", type: "string" },
  nkey: { key: "nkey", type: "string" },
  sig: { key: "sig", type: "string" },
  jwt: { key: "jwt", type: "string" },
  account: { key: "account", type: "string" },
  new_account: { key: "newAccount", type: "boolean" },
};

/** The options after applying `json` to `current`, or null when the CONNECT is invalid. */
export function applyConnect(current: ConnectOptions, json: Buffer): ConnectOptions | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString("utf8"));
  } catch {
    return null;
  }
  if (parsed === null) return { ...current };
  if (typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const next: ConnectOptions = { ...current };
  const target = next as unknown as Record<string, unknown>;
  for (const [rawKey, value] of Object.entries(parsed as Record<string, unknown>)) {
    const field = FIELDS[rawKey] ?? FIELDS[rawKey.toLowerCase()];
    if (field === undefined || value === null) continue;
    if (field.type === "integer") {
      if (typeof value !== "number" || !Number.isInteger(value)) return null;
    } else if (typeof value !== field.type) return null;
    target[field.key] = value;
  }
  return next;
}
