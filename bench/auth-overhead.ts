/**
 * `npm run bench:auth`: what permissions cost on the hot path (issue 3). The same pub→sub
 * load (C client, 16 B) against our broker without authorization and against our broker
 * with a user whose permissions have 20 allow and 20 deny rules, alternating, median of
 * the rounds. Target: within 10% of the unauthenticated figure.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildCLoadgen } from "./build-loadgens";
import { median } from "./report";
import { startOurBroker } from "./targets";
import { FLUSH_EVERY } from "./workloads";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 1 : 3;
const COUNT = quick ? 200_000 : 2_000_000;

function rules(kind: string): string {
  // Rules that never match the load's subject, plus one that does: every publish and
  // subscription walks the whole list at least once.
  return Array.from({ length: 19 }, (_, i) => `"${kind}.${i}.>"`).join(", ");
}

const conf = `authorization {
  users: [
    { user: limited, password: pw, permissions: {
        publish: { allow: [${rules("pa")}, "bench.>"], deny: [${rules("pd")}, "bench.denied"] }
        subscribe: { allow: [${rules("sa")}, "bench.>"], deny: [${rules("sd")}, "bench.denied"] } } }
  ]
}
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-bench-auth-"));
const confFile = path.join(dir, "auth.conf");
fs.writeFileSync(confFile, conf);
const loadgen = buildCLoadgen("loadgen");
const plain = await startOurBroker();
const authed = await startOurBroker({ extraArgs: ["-c", confFile] });

function run(url: string): number {
  const out = execFileSync(
    loadgen,
    [
      "pubsub",
      "--url",
      url,
      "--count",
      String(COUNT),
      "--size",
      "16",
      "--subs",
      "1",
      "--flush",
      String(FLUSH_EVERY),
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  const r = JSON.parse(out.trim().split("\n").pop()!) as { delivered_rate?: number; rate?: number };
  return r.delivered_rate ?? r.rate ?? 0;
}

const a: number[] = [];
const b: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? ["plain", "auth"] : ["auth", "plain"];
    for (const which of order) {
      if (which === "plain") a.push(run(`nats://127.0.0.1:${plain.port}`));
      else b.push(run(`nats://limited:pw@127.0.0.1:${authed.port}`));
    }
  }
} finally {
  await plain.stop();
  await authed.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
const ma = median(a)!;
const mb = median(b)!;
const k = (n: number) => `${(n / 1000).toFixed(0)}k msg/s`;
console.log(`pub→sub 16 B, no authorization:          ${k(ma)}   (rounds: ${a.map(k).join(", ")})`);
console.log(
  `pub→sub 16 B, user with 20+20+20+20 rules: ${k(mb)}   (rounds: ${b.map(k).join(", ")})`,
);
console.log(`ratio with/without permissions: ${(mb / ma).toFixed(2)}× (target ≥ 0.90×)`);
