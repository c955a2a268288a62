/**
 * What the demo agent says: its skills, the approval requests it asks (mq9.md §12.1) and
 * the work it does once allowed. Demo data only, safe to show anywhere.
 */
import type { ApprovalAction, ApprovalOption, Skill } from "../../../lib/mq9/mod";

export const DESCRIPTION =
  "A demo agent that deploys services, refunds orders and tidies repositories once a human approves.";

export const SKILLS: Skill[] = [
  {
    id: "deploy",
    name: "Deploy a service",
    description: "Rolls a service version out to an environment.",
    tags: ["deploy", "ops"],
  },
  {
    id: "refund",
    name: "Refund an order",
    description: "Sends money back to a customer.",
    tags: ["payments", "support"],
  },
  {
    id: "cleanup",
    name: "Delete stale branches",
    description: "Removes merged branches older than a cut-off.",
    tags: ["git", "maintenance"],
  },
];

export interface Task {
  skill: string;
  title: string;
  description: string;
  args: Record<string, unknown>;
  allowed: ApprovalAction[];
  options?: ApprovalOption[];
  /** The visible steps of the work, each shown as it happens. */
  steps: (args: Record<string, unknown>) => string[];
}

const str = (v: unknown, fallback: string) =>
  typeof v === "string" || typeof v === "number" ? String(v) : fallback;

const TASKS: Task[] = [
  {
    skill: "deploy",
    title: "Deploy checkout-service v2.4.1 to production",
    description: [
      "The release passed **staging** for 48 h with no errors.",
      "",
      "- 3 replicas, rolling update (one at a time)",
      "- Rollback: `v2.4.0` stays ready for 24 h",
      "",
      "Edit the arguments to change the replica count or the environment.",
    ].join("\n"),
    args: { service: "checkout-service", version: "2.4.1", environment: "production", replicas: 3 },
    allowed: ["approve", "reject", "edit", "answer"],
    options: [
      { name: "canary", title: "Canary 10% first" },
      { name: "tonight", title: "Wait until 22:00" },
    ],
    steps: (a) => [
      `pulling ${str(a.service, "the service")}:${str(a.version, "latest")}`,
      `rolling out ${str(a.replicas, "all")} replicas to ${str(a.environment, "the environment")}`,
      "health checks passed",
    ],
  },
  {
    skill: "refund",
    title: "Refund order #48213 (129.00 EUR)",
    description: [
      "The customer reports a **damaged parcel** and sent a photo.",
      "",
      "- Order: #48213, delivered 3 days ago",
      "- Amount: **129.00 EUR**, paid by card",
      "- Customer since 2021, no earlier refunds",
    ].join("\n"),
    args: { order_id: 48213, amount: 129, currency: "EUR", method: "original payment" },
    allowed: ["approve", "reject", "edit"],
    steps: (a) => [
      `refunding ${str(a.amount, "the amount")} ${str(a.currency, "EUR")} on order ${str(a.order_id, "?")}`,
      "customer notified",
    ],
  },
  {
    skill: "cleanup",
    title: "Delete 1 204 stale branches in acme/web",
    description:
      "Branches merged into `main` more than **90 days** ago. Nothing unmerged is touched.",
    args: { repository: "acme/web", older_than_days: 90, count: 1204 },
    allowed: ["approve", "reject", "answer"],
    steps: (a) => [
      `listing merged branches of ${str(a.repository, "the repository")}`,
      `deleted ${str(a.count, "the")} branches`,
    ],
  },
];

/** The task of the n-th request (0-based): the demo cycles through its repertoire. */
export function taskFor(n: number): Task {
  return TASKS[n % TASKS.length]!;
}
