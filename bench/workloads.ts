/**
 * The workloads and how each run's JSON line (from loadgen.c / wsloadgen.go) becomes figures.
 * Counts are sized so a full run (3 A/B rounds) takes a few minutes on a 2-core machine.
 */

export type LoadgenKind = "c" | "ws";

export interface Metric {
  /** Key into the figures a run produces. */
  key: string;
  label: string;
  unit: "msg/s" | "µs";
  /** Throughput: higher is better; latency: lower is better. */
  higherIsBetter: boolean;
}

export interface Workload {
  id: string;
  kind: LoadgenKind;
  /** Load generator arguments, minus --url. */
  args(quick: boolean): string[];
  metrics: Metric[];
}

/**
 * Round-trip (PING/PONG) every this many published messages. nats-server takes any value
 * without a slow-consumer disconnect; 10 000 costs it little (1 000 cost ~30% at 128 B),
 * and bounds what the publisher can have in flight to ~1.3 MB at 128 B. Same for both servers.
 */
export const FLUSH_EVERY = 10_000;

const throughput = (label: string): Metric[] => [
  { key: "delivered_rate", label, unit: "msg/s", higherIsBetter: true },
];

function fanout(mode: "pubsub" | "queue", size: number, subs: number, full: number, quick: number) {
  return (q: boolean) => [
    mode,
    "--size",
    String(size),
    "--subs",
    String(subs),
    "--count",
    String(q ? quick : full),
    "--flush",
    String(FLUSH_EVERY),
    "--timeout-ms",
    q ? "10000" : "30000",
  ];
}

export const WORKLOADS: Workload[] = [
  {
    id: "pubsub-16",
    kind: "c",
    args: fanout("pubsub", 16, 1, 4_000_000, 100_000),
    metrics: throughput("pub→sub 1:1, 16 B"),
  },
  {
    id: "pubsub-128",
    kind: "c",
    args: fanout("pubsub", 128, 1, 3_000_000, 100_000),
    metrics: throughput("pub→sub 1:1, 128 B"),
  },
  {
    id: "fanout-4",
    kind: "c",
    args: fanout("pubsub", 16, 4, 1_500_000, 50_000),
    metrics: throughput("fan-out 1→4, 16 B (deliveries/s)"),
  },
  {
    id: "queue-4",
    kind: "c",
    args: fanout("queue", 16, 4, 3_000_000, 100_000),
    metrics: throughput("queue group of 4, 16 B"),
  },
  {
    id: "reqrep",
    kind: "c",
    args: (q) => [
      "reqrep",
      "--size",
      "16",
      "--count",
      q ? "2000" : "30000",
      "--timeout-ms",
      "5000",
    ],
    metrics: [
      { key: "p50_us", label: "request/reply p50, 16 B", unit: "µs", higherIsBetter: false },
      { key: "p99_us", label: "request/reply p99, 16 B", unit: "µs", higherIsBetter: false },
    ],
  },
  {
    id: "ws-128",
    kind: "ws",
    args: fanout("pubsub", 128, 1, 2_000_000, 50_000),
    metrics: throughput("pub→sub 1:1 over WebSocket, 128 B"),
  },
];
