/**
 * /metrics: Prometheus text exposition (format 0.0.4) of the /varz and /subsz figures,
 * named as prometheus-nats-exporter names them with its `nats` prefix
 * (`nats_varz_in_msgs`, `nats_subsz_num_subscriptions`, …) and labelled with the server
 * id, plus mq9's own gauges when the mq9 layer is running.
 */
import type { Mq9Stats } from "../mq9/service";
import type { SublistStats } from "./subsz";
import type { Varz } from "./varz";

type Kind = "counter" | "gauge";

interface Family {
  name: string;
  kind: Kind;
  help: string;
  value: number;
}

type VarzNumber = {
  [K in keyof Varz]-?: Varz[K] extends number ? K : never;
}[keyof Varz];

/** The /varz fields exported, with their kind and help text. */
const VARZ: readonly (readonly [VarzNumber, Kind, string])[] = [
  ["connections", "gauge", "Client connections open now."],
  ["total_connections", "counter", "Client connections accepted since start."],
  ["subscriptions", "gauge", "Subscriptions in the subject index."],
  ["in_msgs", "counter", "Messages received from clients."],
  ["out_msgs", "counter", "Messages delivered to clients."],
  ["in_bytes", "counter", "Payload bytes received from clients."],
  ["out_bytes", "counter", "Payload bytes delivered to clients."],
  ["slow_consumers", "counter", "Connections closed as slow consumers."],
  ["mem", "gauge", "Resident set size of the server process, bytes."],
  ["cpu", "gauge", "CPU used by the server process, percent of one core."],
  ["cores", "gauge", "CPU cores available to the server process."],
  ["max_connections", "gauge", "Configured max_connections."],
  ["max_payload", "gauge", "Configured max_payload, bytes."],
  ["max_pending", "gauge", "Configured max_pending, bytes."],
  ["max_control_line", "gauge", "Configured max_control_line, bytes."],
  ["ping_max", "gauge", "Configured ping_max."],
  ["routes", "gauge", "Cluster routes (always 0)."],
  ["remotes", "gauge", "Remote servers (always 0)."],
  ["leafnodes", "gauge", "Leaf node connections (always 0)."],
];

const SUBSZ: readonly (readonly [keyof SublistStats, Kind, string])[] = [
  ["num_subscriptions", "gauge", "Subscriptions in the subject index."],
  ["num_inserts", "counter", "Subscriptions added since start."],
  ["num_removes", "counter", "Subscriptions removed since start."],
  ["num_cache", "gauge", "Published subjects whose match result is cached."],
  ["num_matches", "counter", "Subject index lookups since start."],
  ["cache_hit_rate", "gauge", "Share of lookups answered from the match cache."],
  ["max_fanout", "gauge", "Most recipients of a cached match result."],
  ["avg_fanout", "gauge", "Mean recipients of the cached match results."],
];

const MQ9: readonly (readonly [keyof Mq9Stats, string, string])[] = [
  ["mailboxes", "mq9_mailboxes", "Mailboxes that exist now."],
  ["storedMessages", "mq9_stored_messages", "Messages stored in mailboxes."],
  ["unreadMessages", "mq9_unread_messages", "Stored messages not yet delivered."],
  ["deadLetters", "mq9_dead_letters", "Messages kept as dead letters."],
];

function labelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function sampleValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface MetricsInput {
  varz: Varz;
  subs: SublistStats;
  mq9: Mq9Stats | null;
  uptimeSeconds: number;
}

export function metricsText({ varz: v, subs, mq9, uptimeSeconds }: MetricsInput): string {
  const families: Family[] = [];
  for (const [field, kind, help] of VARZ) {
    families.push({ name: `nats_varz_${field}`, kind, help, value: v[field] });
  }
  families.push({
    name: "nats_varz_uptime_seconds",
    kind: "gauge",
    help: "Seconds since the server started.",
    value: uptimeSeconds,
  });
  for (const [field, kind, help] of SUBSZ) {
    families.push({ name: `nats_subsz_${field}`, kind, help, value: subs[field] });
  }
  const labels = `{server_id="${labelValue(v.server_id)}"}`;
  let out = "";
  for (const f of families) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.kind}\n`;
    out += `${f.name}${labels} ${sampleValue(f.value)}\n`;
  }
  if (mq9 !== null) {
    for (const [field, name, help] of MQ9) {
      out += `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${sampleValue(mq9[field])}\n`;
    }
  }
  return out;
}
