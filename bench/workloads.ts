/**
 * The workloads and how each run's JSON line (from loadgen.c / wsloadgen.go / mq9gen.c)
 * becomes figures. Counts are sized so a full run (3 A/B rounds) takes a few minutes on a
 * 2-core machine.
 */

export type LoadgenKind = "c" | "ws" | "mq9";

/** Which side of the table a run is for. */
export type Side = "reference" | "ours";

export interface Goal {
  /** Compare the ratio ours/reference, or ours' own figure. */
  of: "ratio" | "value";
  atLeast?: number;
  atMost?: number;
  /** As printed, e.g. "≥ 3× JetStream". */
  text: string;
}

export interface Metric {
  /** Key into the figures a run produces. */
  key: string;
  label: string;
  unit: "msg/s" | "µs" | "kB" | "B" | "op/s";
  /** Throughput: higher is better; latency and memory: lower is better. */
  higherIsBetter: boolean;
  goal?: Goal;
}

export interface Workload {
  id: string;
  kind: LoadgenKind;
  /** Which table it is printed in. */
  section: "core" | "mq9";
  /**
   * What "nats-server" means for this row: the stock server (default), one with JetStream
   * file storage, or nothing (ours only: nats-server has no equivalent).
   */
  reference?: "nats-server" | "jetstream" | "none";
  /**
   * Ours runs on a broker process of its own, started for each run (clean memory figures),
   * which collects garbage on SIGWINCH (bench/gc-on-signal.ts).
   */
  freshBroker?: boolean;
  /** Rounds whatever --runs says (for a slow, ours-only measurement). */
  rounds?: number;
  /** Kill the load generator after this long (default 30 s quick, 120 s full). */
  timeoutMs?: (quick: boolean) => number;
  /** Load generator arguments, minus --url. */
  args(quick: boolean, side: Side, target: { pid?: number; memFile?: string }): string[];
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

/** mq9 rows: 128 B payloads; each mq9 mailbox takes at most 10 000 (the default limit). */
const MQ9_SIZE = "128";
/**
 * mq9 confirms by flush (mq9.md §4.5): a round trip every this many messages, the most it
 * has unconfirmed. JetStream gets the same number as its async-publish window, which it
 * keeps full without stopping, so the comparison does not favour mq9.
 */
export const MQ9_CONFIRM_EVERY = 1000;

const mq9Impl = (side: Side, reference: "js" | "core") => [
  "--impl",
  side === "ours" ? "mq9" : reference,
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
    section: "core",
    args: fanout("pubsub", 16, 1, 4_000_000, 100_000),
    metrics: throughput("pub→sub 1:1, 16 B"),
  },
  {
    id: "pubsub-128",
    kind: "c",
    section: "core",
    args: fanout("pubsub", 128, 1, 3_000_000, 100_000),
    metrics: throughput("pub→sub 1:1, 128 B"),
  },
  {
    id: "fanout-4",
    kind: "c",
    section: "core",
    args: fanout("pubsub", 16, 4, 1_500_000, 50_000),
    metrics: throughput("fan-out 1→4, 16 B (deliveries/s)"),
  },
  {
    id: "queue-4",
    kind: "c",
    section: "core",
    args: fanout("queue", 16, 4, 3_000_000, 100_000),
    metrics: throughput("queue group of 4, 16 B"),
  },
  {
    id: "reqrep",
    kind: "c",
    section: "core",
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
    section: "core",
    args: fanout("pubsub", 128, 1, 2_000_000, 50_000),
    metrics: throughput("pub→sub 1:1 over WebSocket, 128 B"),
  },
  {
    id: "mq9-durable",
    kind: "mq9",
    section: "mq9",
    reference: "jetstream",
    args: (q, side) => [
      "durable",
      ...mq9Impl(side, "js"),
      "--size",
      MQ9_SIZE,
      "--count",
      q ? "20000" : "300000",
      "--flush",
      String(MQ9_CONFIRM_EVERY),
      "--window",
      String(MQ9_CONFIRM_EVERY),
      "--timeout-ms",
      q ? "20000" : "60000",
    ],
    metrics: [
      {
        key: "rate",
        label: "durable send, confirmed, 128 B (ref: JetStream file)",
        unit: "msg/s",
        higherIsBetter: true,
        goal: { of: "ratio", atLeast: 3, text: "≥ 3× JetStream" },
      },
    ],
  },
  {
    id: "mq9-replay",
    kind: "mq9",
    section: "mq9",
    reference: "jetstream",
    args: (q, side) => [
      "replay",
      ...mq9Impl(side, "js"),
      "--size",
      MQ9_SIZE,
      "--count",
      q ? "20000" : "100000",
      "--flush",
      String(MQ9_CONFIRM_EVERY),
      "--window",
      String(MQ9_CONFIRM_EVERY),
      "--timeout-ms",
      q ? "20000" : "60000",
    ],
    metrics: [
      {
        key: "replay_rate",
        label: "owner replay of a backlog, 128 B (ref: JetStream ordered consumer)",
        unit: "msg/s",
        higherIsBetter: true,
        goal: { of: "value", atLeast: 100_000, text: "≥ 100k msg/s" },
      },
    ],
  },
  {
    id: "mq9-latency",
    kind: "mq9",
    section: "mq9",
    args: (q, side) => [
      "latency",
      ...mq9Impl(side, "core"),
      "--size",
      MQ9_SIZE,
      "--rate",
      "10000",
      "--duration-ms",
      q ? "1000" : "5000",
      "--warmup",
      q ? "500" : "2000",
      "--timeout-ms",
      "15000",
    ],
    metrics: [
      {
        key: "p50_us",
        label: "store→deliver p50 at 10k msg/s, 128 B (ref: core NATS)",
        unit: "µs",
        higherIsBetter: false,
      },
      {
        key: "p99_us",
        label: "store→deliver p99 at 10k msg/s, 128 B (ref: core NATS)",
        unit: "µs",
        higherIsBetter: false,
        goal: { of: "value", atMost: 2000, text: "p99 ≤ 2 ms" },
      },
    ],
  },
  {
    id: "mq9-idle",
    kind: "mq9",
    section: "mq9",
    reference: "none",
    freshBroker: true,
    rounds: 1,
    // CREATE runs at ~1–2k/s on this machine, so 100 000 take a minute or more.
    timeoutMs: (q) => (q ? 30_000 : 300_000),
    args: (q, _side, { pid, memFile }) => [
      "idle",
      "--pid",
      String(pid ?? 0),
      ...(memFile ? ["--mem-file", memFile] : []),
      "--count",
      q ? "2000" : "100000",
      // CREATE is limited to 600 a minute per connection (mq9.md §11, the default).
      "--per-conn",
      "600",
      "--settle-ms",
      q ? "500" : "2000",
      "--timeout-ms",
      "30000",
    ],
    metrics: [
      {
        key: "create_rate",
        label: "mailbox CREATE, pipelined (fresh broker, 1 run)",
        unit: "op/s",
        higherIsBetter: true,
      },
      {
        key: "rss_delta_kb",
        label: "RSS growth, 100k idle mailboxes (quick: 2k)",
        unit: "kB",
        higherIsBetter: false,
      },
      {
        key: "bytes_per_mailbox",
        label: "RSS per idle mailbox",
        unit: "B",
        higherIsBetter: false,
      },
      {
        key: "heap_bytes_per_mailbox",
        label: "V8 heap used per idle mailbox, after a full GC",
        unit: "B",
        higherIsBetter: false,
      },
    ],
  },
];
