/**
 * nats.c (libnats from libnats-dev) against our broker and, as the reference that proves each
 * check is right, against Debian's nats-server. The checks live in c/nats_client_check.c,
 * which prints one "ok <name>" or "fail <name>: <why>" line per check; this file compiles it,
 * runs it once per server and turns each line into a test.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { serverTargets, type SuiteServer } from "../support/clients";

const run = promisify(execFile);
const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "c/nats_client_check.c");
const MAX_PAYLOAD = 200_000;

/** The checks the program runs, in its order (CHECKS in nats_client_check.c, after connect). */
const CHECK_NAMES = [
  "connect",
  "pubsub",
  "wildcards",
  "queue_group",
  "request_reply",
  "headers",
  "no_responders",
  "unsub_max",
  "sub_drain",
  "queue_drain",
  "conn_drain",
  "no_echo",
  "flush",
  "large_payload",
  "over_max_payload",
  "headers_stripped",
] as const;

interface Outcome {
  lines: string[];
  exitCode: number;
  stderr: string;
}

/** Why the C suite cannot run here, or undefined when gcc and libnats are available. */
async function missingToolchain(): Promise<string | undefined> {
  try {
    await run("gcc", ["--version"]);
    await run("pkg-config", ["--exists", "libnats"]);
    return undefined;
  } catch {
    return "gcc or libnats (pkg-config libnats) not installed";
  }
}

async function compile(dir: string): Promise<string> {
  const { stdout } = await run("pkg-config", ["--cflags", "--libs", "libnats"]);
  const prog = path.join(dir, "prog");
  await run("gcc", ["-O2", "-o", prog, SOURCE, ...stdout.trim().split(/\s+/)]);
  return prog;
}

/** Runs the program without blocking this process, which also hosts our broker. */
async function runChecks(prog: string, port: number): Promise<Outcome> {
  const args = [`nats://127.0.0.1:${port}`, String(MAX_PAYLOAD)];
  try {
    const { stdout, stderr } = await run(prog, args, { timeout: 10_000 });
    return { lines: stdout.split("\n").filter(Boolean), exitCode: 0, stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number | string };
    const exitCode = typeof err.code === "number" ? err.code : -1;
    const lines = (err.stdout ?? "").split("\n").filter(Boolean);
    return { lines, exitCode, stderr: err.stderr ?? String(e) };
  }
}

const skip = await missingToolchain();
let prog = "";
let tmp = "";

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-nats-c-"));
  prog = await compile(tmp);
});
after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

for (const target of serverTargets()) {
  describe(`nats.c against ${target.label}`, { skip }, () => {
    let server: SuiteServer;
    let outcome: Outcome;

    before(async () => {
      server = await target.start({ maxPayload: MAX_PAYLOAD });
      outcome = await runChecks(prog, server.port);
    });
    after(async () => {
      await server.stop();
    });

    for (const name of CHECK_NAMES) {
      it(name, () => {
        const line = outcome.lines.find((l) => l === `ok ${name}` || l.startsWith(`fail ${name}:`));
        assert.ok(
          line,
          `no line for ${name}; output:\n${outcome.lines.join("\n")}\n${outcome.stderr}`,
        );
        assert.equal(line, `ok ${name}`);
      });
    }

    it("reports exactly the known checks and exits 0", () => {
      const names = outcome.lines.map((l) => /^(?:ok|fail) ([a-z_]+)/.exec(l)?.[1] ?? l);
      assert.deepEqual(names, [...CHECK_NAMES]);
      assert.equal(outcome.exitCode, 0, outcome.stderr);
    });
  });
}
