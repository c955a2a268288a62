/**
 * `npm run bench`: our broker vs Debian's nats-server, side by side, in one run.
 *
 *   npm run bench -- [--quick] [--json] [--runs N] [--only id,id] [--placeholder]
 *
 * Both servers run as separate processes for the whole benchmark; every workload runs
 * against each, alternating which goes first (A/B, B/A, ...), and the median of the
 * runs is reported. Load comes from C (libnats) and Go (nats.go, WebSocket) clients,
 * not the Node client, which would be the bottleneck (nats-wire-notes "Reference figures").
 * The mq9 rows compare with what nats-server has closest: JetStream with file storage for
 * durable sends and backlog reads, core NATS for live latency, nothing for idle mailboxes.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BENCH_DIR, buildCLoadgen, buildWsLoadgen } from "./build-loadgens";
import { cpuModel, readStatusKb } from "./proc";
import { formatFigure, formatKb, median, table } from "./report";
import {
  BROKER_ENTRY,
  startJetStreamServer,
  startOurBroker,
  startReferenceServer,
  type Target,
} from "./targets";
import { FLUSH_EVERY, MQ9_CONFIRM_EVERY, WORKLOADS, type Goal, type Workload } from "./workloads";

interface Options {
  quick: boolean;
  json: boolean;
  runs: number;
  only: Set<string> | undefined;
  /** Run a second nats-server as "ours", to check the harness without the broker. */
  placeholder: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { quick: false, json: false, runs: 3, only: undefined, placeholder: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--json") opts.json = true;
    else if (a === "--runs") opts.runs = Math.max(1, Number(argv[++i]));
    else if (a === "--placeholder") opts.placeholder = true;
    else if (a === "--only") opts.only = new Set((argv[++i] ?? "").split(","));
    else if (a === "--help" || a === "-h") {
      console.log(
        `usage: npm run bench -- [--quick] [--json] [--runs N] [--placeholder] [--only ${WORKLOADS.map((w) => w.id).join(",")}]`,
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (opts.quick && !argv.includes("--runs")) opts.runs = 1;
  return opts;
}

/** One load generator run: its JSON line, or why there is none. */
type RunResult = { ok: true; figures: Record<string, unknown> } | { ok: false; error: string };

function runLoadgen(binary: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      let figures: Record<string, unknown> | undefined;
      try {
        figures = JSON.parse(last) as Record<string, unknown>;
      } catch {
        figures = undefined;
      }
      if (signal) return resolve({ ok: false, error: `killed (${signal}) after ${timeoutMs} ms` });
      if (!figures)
        return resolve({ ok: false, error: `exit ${code}: ${err.trim() || out.trim()}` });
      if (typeof figures.error === "string") return resolve({ ok: false, error: figures.error });
      if (figures.complete !== true) {
        const lost =
          typeof figures.expected === "number" && typeof figures.delivered === "number"
            ? `${figures.expected - figures.delivered} of ${figures.expected} not delivered`
            : `${String(figures.failures)} requests failed`;
        return resolve({ ok: false, error: `incomplete: ${lost}; ${last}` });
      }
      resolve({ ok: true, figures });
    });
  });
}

interface SideResult {
  runs: Record<string, number>[];
  failures: string[];
}

/** Which server the "nats-server" column holds for a workload. */
function refName(w: Workload, jetstream: Target | undefined): string {
  if (w.reference === "none") return "none";
  return w.reference === "jetstream" ? (jetstream?.description ?? "jetstream") : "nats-server";
}

function goalLine(
  label: string,
  goal: Goal,
  value: number | undefined,
  unit: Workload["metrics"][number]["unit"],
): string {
  const shown =
    value === undefined
      ? "—"
      : goal.of === "ratio"
        ? `${value.toFixed(2)}×`
        : formatFigure(value, unit);
  const met =
    value !== undefined &&
    (goal.atLeast === undefined || value >= goal.atLeast) &&
    (goal.atMost === undefined || value <= goal.atMost);
  return `goal ${met ? "met   " : "MISSED"}  ${label}: ${goal.text}, measured ${shown}`;
}

function versionOf(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const loadAtStart = os.loadavg();
  let workloads = WORKLOADS.filter((w) => !opts.only || opts.only.has(w.id));
  const notes: string[] = [];
  const haveBroker = !opts.placeholder && fs.existsSync(BROKER_ENTRY);
  if (!haveBroker && workloads.some((w) => w.kind === "mq9")) {
    workloads = workloads.filter((w) => w.kind !== "mq9");
    notes.push("mq9 workloads skipped: they need our broker");
  }

  const binaries: Record<Workload["kind"], string | undefined> = {
    c: workloads.some((w) => w.kind === "c") ? buildCLoadgen("loadgen") : undefined,
    mq9: workloads.some((w) => w.kind === "mq9") ? buildCLoadgen("mq9gen") : undefined,
    ws: undefined,
  };
  if (workloads.some((w) => w.kind === "ws")) {
    const ws = buildWsLoadgen();
    if ("binary" in ws) binaries.ws = ws.binary;
    else notes.push(`WebSocket workload skipped: cannot build bench/build/wsloadgen: ${ws.error}`);
  }

  const reference = await startReferenceServer();
  let ours: Target;
  try {
    ours = haveBroker ? await startOurBroker() : await startReferenceServer("ours");
  } catch (e) {
    await reference.stop();
    throw e;
  }
  if (!haveBroker) {
    const why = opts.placeholder
      ? "--placeholder"
      : `${path.relative(process.cwd(), BROKER_ENTRY)} not found`;
    ours.description = `PLACEHOLDER: a second nats-server (${why})`;
    notes.push(`"ours" is a second nats-server, not our broker (${why})`);
  }
  const targets = [reference, ours];
  let jetstream: Target | undefined;
  if (workloads.some((w) => w.reference === "jetstream")) {
    try {
      jetstream = await startJetStreamServer();
    } catch (e) {
      await Promise.all(targets.map((t) => t.stop()));
      throw e;
    }
  }
  const idleRssKb = targets.map((t) => (t.pid ? readStatusKb(t.pid, "VmRSS") : undefined));

  const results = new Map<string, [SideResult, SideResult]>();
  let peakRssKb: (number | undefined)[] = [];
  let jetstreamPeakKb: number | undefined;
  try {
    for (const w of workloads) {
      const binary = binaries[w.kind];
      if (!binary) continue;
      const refTarget =
        w.reference === "none" ? undefined : w.reference === "jetstream" ? jetstream : reference;
      const sides: [SideResult, SideResult] = [
        { runs: [], failures: [] },
        { runs: [], failures: [] },
      ];
      results.set(w.id, sides);
      const rounds = w.rounds ?? opts.runs;
      const timeoutMs = w.timeoutMs?.(opts.quick) ?? (opts.quick ? 30_000 : 120_000);
      for (let round = 0; round < rounds; round++) {
        // Alternate who goes first so warm caches and background load do not favour one side.
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) {
          if (i === 0 && refTarget === undefined) continue;
          const side = sides[i as 0 | 1];
          // A broker of its own, so memory figures start from a clean process.
          const fresh =
            i === 1 && w.freshBroker ? await startOurBroker({ gcOnSignal: true }) : undefined;
          const target = fresh ?? ((i === 0 ? refTarget : ours) as Target);
          const url =
            w.kind === "ws" ? `ws://127.0.0.1:${target.wsPort}` : `nats://127.0.0.1:${target.port}`;
          let r: RunResult;
          try {
            r = await runLoadgen(
              binary,
              [...w.args(opts.quick, i === 0 ? "reference" : "ours", target), "--url", url],
              timeoutMs,
            );
          } finally {
            await fresh?.stop();
          }
          const label = `[${w.id}] round ${round + 1}/${rounds} ${target.name}`;
          if (!r.ok) {
            side.failures.push(r.error);
            process.stderr.write(`${label}: FAILED ${r.error}\n`);
            continue;
          }
          const figures: Record<string, number> = {};
          for (const m of w.metrics) figures[m.key] = Number(r.figures[m.key]);
          side.runs.push(figures);
          process.stderr.write(
            `${label}: ${w.metrics.map((m) => formatFigure(figures[m.key], m.unit)).join(", ")}\n`,
          );
        }
      }
    }
  } finally {
    // VmHWM is the process's peak, so one reading before stopping covers the whole run.
    peakRssKb = targets.map((t) => (t.pid ? readStatusKb(t.pid, "VmHWM") : undefined));
    jetstreamPeakKb = jetstream?.pid ? readStatusKb(jetstream.pid, "VmHWM") : undefined;
    await Promise.all([...targets, ...(jetstream ? [jetstream] : [])].map((t) => t.stop()));
  }

  // The tables: core NATS, then mq9.
  const rows: Record<Workload["section"], string[][]> = { core: [], mq9: [] };
  const goals: string[] = [];
  const jsonWorkloads: unknown[] = [];
  for (const w of workloads) {
    const sides = results.get(w.id);
    if (!sides) continue;
    for (const m of w.metrics) {
      const med = sides.map((s) =>
        median(s.runs.map((r) => r[m.key] ?? NaN).filter(Number.isFinite)),
      );
      const [a, b] = med;
      const ratio = a !== undefined && b !== undefined && a > 0 ? b / a : undefined;
      const cell = (i: 0 | 1) => {
        const f = sides[i].failures.length;
        return formatFigure(med[i], m.unit) + (f ? ` (${f} failed)` : "");
      };
      rows[w.section].push([
        m.label,
        cell(0),
        cell(1),
        ratio === undefined ? "—" : `${ratio.toFixed(2)}×`,
      ]);
      if (m.goal) goals.push(goalLine(m.label, m.goal, m.goal.of === "ratio" ? ratio : b, m.unit));
      jsonWorkloads.push({
        id: w.id,
        metric: m.key,
        label: m.label,
        unit: m.unit,
        higherIsBetter: m.higherIsBetter,
        reference: refName(w, jetstream),
        goal: m.goal,
        natsServer: {
          median: med[0],
          runs: sides[0].runs.map((r) => r[m.key]),
          failures: sides[0].failures,
        },
        ours: {
          median: med[1],
          runs: sides[1].runs.map((r) => r[m.key]),
          failures: sides[1].failures,
        },
        ratio,
      });
    }
  }

  const natsVersion = versionOf("/usr/sbin/nats-server", ["--version"]);
  const libnatsVersion = versionOf("pkg-config", ["--modversion", "libnats"]);
  const elapsed = (Date.now() - started) / 1000;
  console.log(
    `\n${natsVersion} vs ${ours.description}` +
      `\n${os.cpus().length} × ${cpuModel()}, node ${process.version}, libnats ${libnatsVersion}` +
      `\n${opts.runs} run(s) each, median; publisher round-trips every ${FLUSH_EVERY} msgs; loopback` +
      `\nload average at start ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}; figures are noisy when other work shares the CPU\n`,
  );
  if (rows.core.length > 0) {
    console.log(table(["workload", "nats-server", "ours", "ours/nats-server"], rows.core));
  }
  if (rows.mq9.length > 0) {
    console.log(
      `${rows.core.length > 0 ? "\n" : ""}mq9: 128 B; confirmed every ${MQ9_CONFIRM_EVERY} msgs` +
        ` (mq9: flush; JetStream: async-publish window); mailboxes of <= 10 000 msgs, round-robin\n`,
    );
    console.log(table(["mq9 workload", "nats-server", "ours", "ours/nats-server"], rows.mq9));
  }
  console.log(
    "(throughput: ratio > 1 means ours is faster; latency: ratio > 1 means ours is slower)",
  );
  for (const g of goals) console.log(g);
  console.log(
    `\npeak RSS (VmHWM): nats-server ${formatKb(peakRssKb[0])} (idle ${formatKb(idleRssKb[0])}), ` +
      `ours ${formatKb(peakRssKb[1])} (idle ${formatKb(idleRssKb[1])})` +
      (jetstream ? `; nats-server with JetStream ${formatKb(jetstreamPeakKb)}` : ""),
  );
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`total ${elapsed.toFixed(0)} s`);

  if (opts.json) {
    const file = path.join(BENCH_DIR, "results.json");
    const doc = {
      date: new Date(started).toISOString(),
      durationSecs: elapsed,
      machine: {
        cpus: os.cpus().length,
        cpuModel: cpuModel(),
        memTotalMB: Math.round(os.totalmem() / 2 ** 20),
        loadAverageAtStart: loadAtStart,
        node: process.version,
        natsServer: natsVersion,
        libnats: libnatsVersion,
      },
      options: {
        quick: opts.quick,
        runs: opts.runs,
        flushEvery: FLUSH_EVERY,
        mq9ConfirmEvery: MQ9_CONFIRM_EVERY,
      },
      targets: [
        ...targets.map((t, i) => ({
          name: t.name,
          description: t.description,
          idleRssKb: idleRssKb[i],
          peakRssKb: peakRssKb[i],
        })),
        ...(jetstream
          ? [{ name: "jetstream", description: jetstream.description, peakRssKb: jetstreamPeakKb }]
          : []),
      ],
      workloads: jsonWorkloads,
      notes,
    };
    // Through prettier so the file passes `npm run format:check` if it is committed.
    const { format } = await import("prettier");
    fs.writeFileSync(file, await format(JSON.stringify(doc), { parser: "json" }));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }

  const anyFailed = [...results.values()].some(
    ([a, b]) => a.failures.length + b.failures.length > 0,
  );
  process.exitCode = anyFailed ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
