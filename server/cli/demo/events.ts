/**
 * What the demo agent reports as it goes: a sentence per event for people (stderr) and,
 * with --json, one JSON object per event on stdout for tests and scripts.
 */
import type { ApprovalResponse } from "../../../lib/mq9/mod";

export type AgentEvent =
  | { event: "connected"; server: string }
  | { event: "mailbox"; mail_id: string; expires_at: number | null }
  | { event: "announced"; mail_id: string; name: string; skills: string[]; ttl: number }
  | { event: "asked"; correlation_id: string; to: string; title: string; expires_at: number }
  | ({ event: "answered" } & Pick<
      ApprovalResponse,
      "correlation_id" | "decision" | "approved" | "reason" | "args" | "text" | "responder" | "from"
    >)
  | { event: "working"; correlation_id: string; step: string }
  | { event: "result_sent"; correlation_id: string; to: string }
  | { event: "unanswered"; correlation_id: string }
  | { event: "mailbox_expired"; mail_id: string }
  | { event: "done"; answered: number; unanswered: number }
  | { event: "error"; message: string; code?: string };

export type Emit = (e: AgentEvent) => void;

function sentence(e: AgentEvent): string {
  switch (e.event) {
    case "connected":
      return `connected to ${e.server}`;
    case "mailbox":
      return `my mailbox is ${e.mail_id}`;
    case "announced":
      return `announced "${e.name}" (${e.skills.join(", ")}), ttl ${e.ttl} s`;
    case "asked":
      return `asked ${e.to} (urgent): "${e.title}" [${e.correlation_id}]`;
    case "answered": {
      const who = e.responder ?? e.from;
      const extra =
        e.decision === "reject"
          ? ` — reason: ${e.reason ?? "(none given)"}`
          : e.decision === "answer"
            ? ` — "${e.text ?? ""}"`
            : e.decision === "edit"
              ? ` — with edited args ${JSON.stringify(e.args)}`
              : "";
      return `${who} answered ${e.decision}${extra} [${e.correlation_id}]`;
    }
    case "working":
      return `  … ${e.step}`;
    case "result_sent":
      return `sent the result to ${e.to} [${e.correlation_id}]`;
    case "unanswered":
      return `no answer before the request expired [${e.correlation_id}]`;
    case "mailbox_expired":
      return `my mailbox ${e.mail_id} expired`;
    case "done":
      return `done: ${e.answered} answered, ${e.unanswered} unanswered`;
    case "error":
      return `error: ${e.code ? `${e.code}: ` : ""}${e.message}`;
  }
}

export function reporter(opts: { json: boolean; name: string }): Emit {
  return (e) => {
    process.stderr.write(`[${opts.name}] ${sentence(e)}\n`);
    if (opts.json) process.stdout.write(JSON.stringify({ ...e, time: Date.now() }) + "\n");
  };
}
