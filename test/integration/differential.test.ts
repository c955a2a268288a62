/**
 * Differential raw-protocol suite (nats-wire-notes §7 item 13): every case in
 * test/support/transcript-cases.ts is sent to Debian's nats-server 2.9.10 and to our broker
 * in the same run, and the transcripts must be equal apart from ids and timing.
 *
 * DIFF_SELF_CHECK=1 runs nats-server against itself instead, which checks that the harness
 * and the cases are deterministic.
 * DIFF_ONLY=<substring> runs only cases whose name contains it; DIFF_DUMP=<file> writes
 * both sides' transcripts there as JSON, for reading the reference behaviour.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { before, describe, it } from "node:test";
import { startBroker } from "../support/broker";
import { haveNatsServer, startNatsServer } from "../support/nats-server";
import { runTranscript, type DriverOptions } from "../support/transcript";
import {
  CASES,
  CONFIGS,
  caseInputBytes,
  type ConfigName,
  type TranscriptCase,
} from "../support/transcript-cases";

interface Running {
  port: number;
  stop(): Promise<void>;
}

interface Target {
  label: string;
  start(config: ConfigName): Promise<Running>;
}

interface Run {
  name: string;
  testCase: TranscriptCase;
  driver: DriverOptions;
}

/** Inputs up to this size are also replayed one byte per write (nats-wire-notes §1.3). */
const SPLIT_MAX_BYTES = 400;
/** Servers per config running cases side by side; each server runs one case at a time. */
const WORKERS_PER_CONFIG = 4;
const SETTLE_MS = 150;

const natsTarget: Target = {
  label: "nats-server",
  start: (config) => startNatsServer(CONFIGS[config].nats),
};

const brokerTarget: Target = {
  label: "mq9 broker",
  start: (config) => startBroker(CONFIGS[config].broker),
};

function expandRuns(): Run[] {
  const only = process.env.DIFF_ONLY;
  const runs: Run[] = [];
  for (const c of CASES) {
    runs.push({ name: c.name, testCase: c, driver: {} });
    if (!c.skip && !c.noSplit && caseInputBytes(c) <= SPLIT_MAX_BYTES && caseInputBytes(c) > 0) {
      // The pause lets a server's -ERR and close arrive before the next byte is written;
      // writing into a closed socket resets it and can swallow that -ERR.
      const driver = { chunk: 1, pauseMs: 1 };
      runs.push({ name: `${c.name} [1-byte chunks]`, testCase: c, driver });
    }
  }
  return only ? runs.filter((r) => r.name.includes(only)) : runs;
}

/**
 * Runs every case once against `target`. Cases never share a server at the same time, since
 * subjects are server-wide; a few servers per config keep the run short.
 */
async function runAll(runs: Run[], target: Target): Promise<Map<string, string[]>> {
  const results = new Map<string, string[]>();
  const byConfig = new Map<ConfigName, Run[]>();
  for (const r of runs) {
    if (r.testCase.skip) continue;
    const config = r.testCase.config ?? "default";
    byConfig.set(config, [...(byConfig.get(config) ?? []), r]);
  }
  const workers: Promise<void>[] = [];
  for (const [config, queue] of byConfig) {
    const n = Math.min(queue.length, WORKERS_PER_CONFIG);
    for (let w = 0; w < n; w++) {
      workers.push(
        (async () => {
          const server = await target.start(config);
          // Let the server forget its start-up probe connection (max_connections cases).
          await new Promise((r) => setTimeout(r, SETTLE_MS));
          try {
            for (let r = queue.shift(); r; r = queue.shift()) {
              try {
                results.set(r.name, await runTranscript(server.port, r.testCase, r.driver));
              } catch (e) {
                results.set(r.name, [`<driver error> ${String(e)}`]);
              }
            }
          } finally {
            await server.stop();
          }
        })(),
      );
    }
  }
  await Promise.all(workers);
  return results;
}

/** A line diff (longest common subsequence) for failure messages. */
function lineDiff(expected: string[], actual: string[]): string {
  const n = expected.length;
  const m = actual.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        expected[i] === actual[j]
          ? (lcs[i + 1]?.[j + 1] ?? 0) + 1
          : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      out.push(`    ${expected[i]}`);
      i++;
      j++;
    } else if (j < m && (i >= n || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      out.push(`  + ${actual[j]}`);
      j++;
    } else {
      out.push(`  - ${expected[i]}`);
      i++;
    }
  }
  return out.join("\n");
}

const runs = expandRuns();
const selfCheck = process.env.DIFF_SELF_CHECK === "1";
const target = selfCheck ? natsTarget : brokerTarget;

describe(
  selfCheck
    ? "differential transcripts: nats-server against itself (DIFF_SELF_CHECK)"
    : "differential transcripts: mq9 broker against nats-server 2.9.10",
  { skip: haveNatsServer() ? false : "nats-server not installed" },
  () => {
    let reference = new Map<string, string[]>();
    let actual = new Map<string, string[]>();

    before(async () => {
      reference = await runAll(runs, natsTarget);
      actual = await runAll(runs, target);
      const dump = process.env.DIFF_DUMP;
      if (dump) {
        const both = runs.map((r) => ({
          name: r.name,
          reference: reference.get(r.name),
          actual: actual.get(r.name),
        }));
        fs.writeFileSync(dump, JSON.stringify(both, null, 1));
      }
    });

    for (const r of runs) {
      it(r.name, { skip: r.testCase.skip ?? false }, () => {
        const want = reference.get(r.name);
        const got = actual.get(r.name);
        assert.ok(want && got, "case did not run");
        assert.ok(want.length > 0, "nats-server sent nothing");
        try {
          assert.deepStrictEqual(got, want);
        } catch {
          const who = selfCheck ? "second nats-server run" : target.label;
          assert.fail(
            `${who} differs from nats-server (- nats-server, + ${who}):\n${lineDiff(want, got)}`,
          );
        }
      });
    }
  },
);
