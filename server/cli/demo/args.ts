/**
 * The demo agent's command line, parsed: pure, so it is tested without a process. Usage
 * errors exit 2, as with the `mq9` command.
 */
import { parseArgs } from "node:util";
import { isValidMailId } from "../../mq9/subjects";
import { DEFAULT_SERVER } from "../mq9-args";

export const USAGE = `demo-agent — an agent that asks a human for approval over mq9

usage:
  npm run demo:agent -- --to <human mail_id> [options]

options:
  --to MAIL_ID          the human's mailbox (create one in the console's inbox)
  --server URL          the broker (default ${DEFAULT_SERVER}, or $MQ9_SERVER)
  --name NAME           the name it announces (default "demo-deployer")
  --ttl SECONDS         lifetime of its own mailbox (default 600)
  --requests N          approval requests sent at once, each with its own
                        correlation id (default 1)
  --expires-in SECONDS  how long a request stays open (default 300, at most --ttl)
  --capability-ttl S    the ttl of its capability announcements; it re-announces
                        every half of it (default 60)
  --loop                keep asking: a new round after each one is settled
  --interval SECONDS    pause between rounds with --loop (default 15)
  --json                one JSON object per event on stdout (what tests read)
  -h, --help            this text

It creates its own mailbox, announces its skills on $mq9.AI.BROADCAST.system.capability,
sends urgent approval requests to --to with reply_to set to its own mailbox, waits for
the answers there and acts on them. Exit status: 0 every request was answered (or --loop
was stopped), 1 a request went unanswered or the broker refused, 2 bad command line.`;

export interface AgentArgs {
  to: string;
  server: string;
  name: string;
  ttl: number;
  requests: number;
  expiresIn: number;
  capabilityTtl: number;
  loop: boolean;
  interval: number;
  json: boolean;
}

export type AgentArgsParse =
  { kind: "run"; args: AgentArgs } | { kind: "help" } | { kind: "error"; message: string };

const DEFAULT_TTL = 600;
const DEFAULT_EXPIRES_IN = 300;
const DEFAULT_CAPABILITY_TTL = 60;
const DEFAULT_INTERVAL = 15;

class UsageError extends Error {}

function integer(flag: string, raw: string | undefined, min: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || !Number.isSafeInteger(n)) {
    throw new UsageError(`--${flag} wants a whole number of at least ${min}, not "${raw}"`);
  }
  return n;
}

export function parseAgentArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): AgentArgsParse {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        to: { type: "string" },
        server: { type: "string" },
        name: { type: "string" },
        ttl: { type: "string" },
        requests: { type: "string" },
        "expires-in": { type: "string" },
        "capability-ttl": { type: "string" },
        loop: { type: "boolean" },
        interval: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
  const v = parsed.values;
  if (v.help) return { kind: "help" };
  try {
    if (v.to === undefined || v.to === "") throw new UsageError("--to <human mail_id> is required");
    if (!isValidMailId(v.to)) {
      throw new UsageError(`"${v.to}" is not a mail_id (1 to 128 of a-z, 0-9, _ and -)`);
    }
    const name = v.name ?? "demo-deployer";
    if (name.trim() === "") throw new UsageError("--name is empty");
    const ttl = integer("ttl", v.ttl, 1, DEFAULT_TTL);
    // The answer goes to our mailbox: a request open longer than the mailbox lives could
    // only be answered into the void (mq9.md §4.4, not_found).
    const expiresIn = Math.min(integer("expires-in", v["expires-in"], 1, DEFAULT_EXPIRES_IN), ttl);
    return {
      kind: "run",
      args: {
        to: v.to,
        server: v.server ?? (env.MQ9_SERVER || DEFAULT_SERVER),
        name,
        ttl,
        requests: integer("requests", v.requests, 1, 1),
        expiresIn,
        capabilityTtl: integer("capability-ttl", v["capability-ttl"], 2, DEFAULT_CAPABILITY_TTL),
        loop: v.loop ?? false,
        interval: integer("interval", v.interval, 0, DEFAULT_INTERVAL),
        json: v.json ?? false,
      },
    };
  } catch (err) {
    if (err instanceof UsageError) return { kind: "error", message: err.message };
    throw err;
  }
}
