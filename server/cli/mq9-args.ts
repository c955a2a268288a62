/**
 * The `mq9` command line, parsed: pure, so it is tested without a process. Usage errors
 * exit 2, as with most Unix tools.
 */
import { parseArgs } from "node:util";
import { broadcastSubject, HeaderBlock } from "../../lib/mq9/mod";
import { PRIORITIES, isValidMailId, type Priority } from "../mq9/subjects";

export const DEFAULT_SERVER = "nats://127.0.0.1:4222";
export const DEFAULT_TIMEOUT_MS = 5000;

export const USAGE = `mq9 — talk to an mq9 broker's mailboxes from the shell

usage:
  mq9 create [--type standard|latest] [--ttl SECONDS] [--name ID | --prefix P]
  mq9 send <mail_id> <payload|-> [--priority urgent|normal|notify] [--header K:V]...
  mq9 sub <mail_id> [--priority P] [--queue GROUP] [--count N]   (Ctrl-C to stop)
  mq9 query <mail_id> --token T [--limit N] [--after MSG_ID] [--peek]
  mq9 delete <mail_id> --token T
  mq9 broadcast <domain> <event> <payload|-> [--header K:V]...

options:
  --server URL    the broker (default ${DEFAULT_SERVER}, or $MQ9_SERVER)
  --timeout MS    how long to wait for the broker (default ${DEFAULT_TIMEOUT_MS})
  --json          machine-readable output: one JSON value per line
  -h, --help      this text

A payload of "-" is read from standard input. send waits until the broker has stored the
message and fails with its error code otherwise. Exit status: 0 done, 1 the broker
refused (the mq9 error code is printed) or could not be reached, 2 bad command line.`;

interface Common {
  server: string;
  json: boolean;
  timeout: number;
}

export type Command =
  | {
      name: "create";
      type?: "standard" | "latest";
      ttl?: number;
      mailName?: string;
      prefix?: string;
    }
  | {
      name: "send";
      mailId: string;
      payload: string;
      priority: Priority;
      headers: [string, string][];
    }
  | { name: "sub"; mailId: string; priority?: Priority; queue?: string; count?: number }
  | { name: "query"; mailId: string; token: string; limit?: number; after?: number; peek: boolean }
  | { name: "delete"; mailId: string; token: string }
  | {
      name: "broadcast";
      domain: string;
      event: string;
      payload: string;
      headers: [string, string][];
    };

export type CliParse =
  | { kind: "run"; common: Common; command: Command }
  | { kind: "help" }
  | { kind: "error"; message: string };

/** Which options each command takes, beyond the common ones. */
const ALLOWED: Record<Command["name"], string[]> = {
  create: ["type", "ttl", "name", "prefix"],
  send: ["priority", "header"],
  sub: ["priority", "queue", "count"],
  query: ["token", "limit", "after", "peek"],
  delete: ["token"],
  broadcast: ["header"],
};

const ARITY: Record<Command["name"], string[]> = {
  create: [],
  send: ["mail_id", "payload"],
  sub: ["mail_id"],
  query: ["mail_id"],
  delete: ["mail_id"],
  broadcast: ["domain", "event", "payload"],
};

class UsageError extends Error {}

function integer(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--${flag} wants a whole number of at least ${min}, not "${raw}"`);
  }
  return Number(raw);
}

function priority(raw: string | undefined): Priority | undefined {
  if (raw === undefined) return undefined;
  if (!(PRIORITIES as readonly string[]).includes(raw)) {
    throw new UsageError(`--priority is urgent, normal or notify, not "${raw}"`);
  }
  return raw as Priority;
}

function header(raw: string): [string, string] {
  const colon = raw.indexOf(":");
  if (colon <= 0) throw new UsageError(`--header wants KEY:VALUE, not "${raw}"`);
  const pair: [string, string] = [raw.slice(0, colon).trim(), raw.slice(colon + 1).trim()];
  try {
    new HeaderBlock().append(...pair);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return pair;
}

function mailId(raw: string): string {
  if (!isValidMailId(raw)) {
    throw new UsageError(`"${raw}" is not a mail_id (1 to 128 of a-z, 0-9, _ and -)`);
  }
  return raw;
}

function required(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw === "") throw new UsageError(`--${flag} is required`);
  return raw;
}

export function parseCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): CliParse {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: "string" },
        json: { type: "boolean" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
        type: { type: "string" },
        ttl: { type: "string" },
        name: { type: "string" },
        prefix: { type: "string" },
        priority: { type: "string" },
        header: { type: "string", multiple: true },
        count: { type: "string" },
        queue: { type: "string" },
        token: { type: "string" },
        limit: { type: "string" },
        after: { type: "string" },
        peek: { type: "boolean" },
      },
    });
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: "help" };
  const [name, ...args] = positionals;
  if (name === undefined) return { kind: "error", message: "no command given" };
  if (!(name in ALLOWED)) return { kind: "error", message: `unknown command "${name}"` };
  const cmd = name as Command["name"];
  try {
    const given = Object.keys(v).filter((k) => !["server", "json", "timeout", "help"].includes(k));
    const stray = given.find((k) => !ALLOWED[cmd].includes(k));
    if (stray !== undefined) throw new UsageError(`${cmd} does not take --${stray}`);
    const want = ARITY[cmd];
    if (args.length !== want.length) {
      const shape = want.map((w) => `<${w}>`).join(" ");
      throw new UsageError(`${cmd} takes ${want.length ? shape : "no arguments"}`);
    }
    const server = v.server ?? env.MQ9_SERVER ?? DEFAULT_SERVER;
    const common: Common = {
      server,
      json: v.json ?? false,
      timeout: integer("timeout", v.timeout, 1) ?? DEFAULT_TIMEOUT_MS,
    };
    const headers = (v.header ?? []).map(header);
    const a = (i: number) => args[i]!;
    if (ARITY[cmd][0] === "mail_id") mailId(a(0));
    let command: Command;
    switch (cmd) {
      case "create": {
        if (v.type !== undefined && v.type !== "standard" && v.type !== "latest") {
          throw new UsageError(`--type is standard or latest, not "${v.type}"`);
        }
        if (v.name !== undefined && v.prefix !== undefined) {
          throw new UsageError("give --name or --prefix, not both");
        }
        command = { name: "create" };
        if (v.type !== undefined) command.type = v.type;
        const ttl = integer("ttl", v.ttl, 0);
        if (ttl !== undefined) command.ttl = ttl;
        if (v.name !== undefined) command.mailName = v.name;
        if (v.prefix !== undefined) command.prefix = v.prefix;
        break;
      }
      case "send":
        command = {
          name: "send",
          mailId: a(0),
          payload: a(1),
          priority: priority(v.priority) ?? "normal",
          headers,
        };
        break;
      case "sub": {
        command = { name: "sub", mailId: a(0) };
        const p = priority(v.priority);
        if (p !== undefined) command.priority = p;
        if (v.queue !== undefined) command.queue = v.queue;
        const count = integer("count", v.count, 1);
        if (count !== undefined) command.count = count;
        break;
      }
      case "query": {
        command = {
          name: "query",
          mailId: a(0),
          token: required("token", v.token),
          peek: v.peek ?? false,
        };
        const limit = integer("limit", v.limit, 1);
        if (limit !== undefined) command.limit = limit;
        const after = integer("after", v.after, 0);
        if (after !== undefined) command.after = after;
        break;
      }
      case "delete":
        command = { name: "delete", mailId: a(0), token: required("token", v.token) };
        break;
      case "broadcast":
        try {
          broadcastSubject(a(0), a(1));
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        command = { name: "broadcast", domain: a(0), event: a(1), payload: a(2), headers };
        break;
    }
    return { kind: "run", common, command };
  } catch (err) {
    if (err instanceof UsageError) return { kind: "error", message: err.message };
    throw err;
  }
}
