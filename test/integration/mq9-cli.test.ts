/**
 * The `mq9` command line (server/cli/mq9.ts) as a separate process against an in-process
 * mq9 broker: what it prints, and its exit status (0 done, 1 refused, 2 usage).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startMq9, type TestMq9 } from "../support/mq9";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "server/cli/mq9.ts");
const T = { timeout: 30_000 };

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Spawned {
  done: Promise<Run>;
  /** Resolve once stderr / stdout contains the text. */
  stderrHas(text: string): Promise<void>;
  stdoutHas(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function start(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Spawned {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, MQ9_SERVER: "", ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { out: "stdout" | "stderr"; text: string; resolve(): void }[] = [];
  const text = { stdout: () => stdout, stderr: () => stderr };
  const wake = () => {
    for (const w of waiters.filter((w) => text[w.out]().includes(w.text))) w.resolve();
  };
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    wake();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    wake();
  });
  const has = (out: "stdout" | "stderr", t: string) =>
    text[out]().includes(t)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ out, text: t, resolve }));
  child.stdin.end(opts.stdin ?? "");
  const done = new Promise<Run>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    done,
    stderrHas: (t) => has("stderr", t),
    stdoutHas: (t) => has("stdout", t),
    kill: (signal) => child.kill(signal),
  };
}

describe("mq9 command line", () => {
  let b: TestMq9;
  let server: string;
  const mq9 = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
    start([...args, "--server", server], opts).done;

  before(async () => {
    b = await startMq9();
    server = `nats://127.0.0.1:${b.port}`;
  });
  after(() => b.stop());

  it("create → send (argument and stdin) → sub → query → delete", T, async () => {
    const created = await mq9(["create", "--ttl", "60", "--prefix", "m-cli-", "--json"]);
    assert.equal(created.code, 0, created.stderr);
    const box = JSON.parse(created.stdout) as {
      mail_id: string;
      token: string;
      ttl: number;
      expires_at: number;
    };
    assert.match(box.mail_id, /^m-cli-/);
    assert.equal(box.ttl, 60);

    const sent = await mq9(["send", box.mail_id, "hello", "--header", "Trace: t-1"]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout, `stored: $mq9.AI.INBOX.${box.mail_id}.normal\n`);
    const piped = await mq9(["send", box.mail_id, "-", "--priority", "urgent", "--json"], {
      stdin: '{"alert":true}',
    });
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(JSON.parse(piped.stdout), {
      subject: `$mq9.AI.INBOX.${box.mail_id}.urgent`,
      stored: true,
    });

    // Peek first: both stored, urgent first, headers kept, nothing read yet.
    const peek = await mq9(["query", box.mail_id, "--token", box.token, "--peek", "--json"]);
    assert.equal(peek.code, 0, peek.stderr);
    const q = JSON.parse(peek.stdout) as {
      unread: number;
      messages: {
        msg_id: number;
        priority: string;
        payload: string;
        headers: unknown;
        unread: boolean;
      }[];
    };
    assert.equal(q.unread, 2);
    assert.deepEqual(
      q.messages.map((m) => [m.priority, m.payload]),
      [
        ["urgent", '{"alert":true}'],
        ["normal", "hello"],
      ],
    );
    assert.deepEqual(q.messages[1]!.headers, { Trace: ["t-1"] });

    // The owner subscription replays both, in the same order, then stops at --count.
    const sub = await mq9(["sub", box.mail_id, "--count", "2"]);
    assert.equal(sub.code, 0, sub.stderr);
    const lines = sub.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      new RegExp(
        `^#${q.messages[0]!.msg_id} urgent +\\d{4}-\\d\\d-\\d\\dT\\S+Z \\{"alert":true\\}$`,
      ),
    );
    assert.match(lines[1]!, new RegExp(`^#${q.messages[1]!.msg_id} normal .* hello$`));

    const text = await mq9(["query", box.mail_id, "--token", box.token]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^${box.mail_id}  standard  unread before: 0 `));
    assert.match(text.stdout, / read hello\n$/);
    const first = await mq9(["query", box.mail_id, "--token", box.token, "--limit", "1"]);
    assert.match(
      first.stdout,
      new RegExp(`\\(more follow: --after ${q.messages[0]!.msg_id}\\)\n$`),
    );

    const deleted = await mq9(["delete", box.mail_id, "--token", box.token]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `deleted ${box.mail_id}\n`);
    const gone = await mq9(["query", box.mail_id, "--token", box.token]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^mq9: not_found: /);
  });

  it("exits 1 with the mq9 error code when the broker refuses", T, async () => {
    const created = await mq9(["create", "--name", "cli-named", "--json"]);
    assert.equal(created.code, 0, created.stderr);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const cases: [string[], string][] = [
      [["create", "--name", "cli-named"], "name_taken"],
      [["create", "--ttl", "999999999"], "ttl_out_of_range"],
      [["query", "cli-named", "--token", "tok-wrong"], "unauthorized"],
      [["send", "m-nobody-here", "x"], "not_found"],
    ];
    const runs = await Promise.all(cases.map(([args]) => mq9(args)));
    runs.forEach((r, i) => {
      assert.equal(r.code, 1, `${cases[i]![0].join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^mq9: ${cases[i]![1]}: `));
      assert.equal(r.stdout, "");
    });
    assert.equal((await mq9(["delete", "cli-named", "--token", token])).code, 0);
  });

  it("exits 2 on a bad command line, and 1 when the broker cannot be reached", T, async () => {
    // The full set of usage errors is in test/unit/mq9-cli.test.ts (the parser is pure).
    const usage = await Promise.all(
      [["frobnicate"], ["send", "M-X", "payload"], ["query", "m-x"]].map((args) => mq9(args)),
    );
    for (const r of usage) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^mq9: .*\n\(mq9 --help shows the usage\)\n$/);
      assert.equal(r.stdout, "");
    }
    const help = await start(["--help"]).done;
    assert.equal(help.code, 0);
    assert.match(help.stdout, /mq9 create \[--type standard\|latest\]/);

    const refused = await start(["create"], { env: { MQ9_SERVER: "nats://127.0.0.1:1" } }).done;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^mq9: cannot connect to nats:\/\/127\.0\.0\.1:1: /);
  });

  it("sub prints live messages until Ctrl-C; broadcast publishes", T, async () => {
    const created = await mq9(["create", "--json"]);
    const box = JSON.parse(created.stdout) as { mail_id: string };
    const sub = start(["sub", box.mail_id, "--json", "--server", server]);
    await sub.stderrHas("listening on");
    assert.equal((await mq9(["send", box.mail_id, "live one", "--priority", "notify"])).code, 0);
    const bc = await mq9(["broadcast", "task", "available", "{}"]);
    assert.equal(bc.code, 0, bc.stderr);
    assert.equal(bc.stdout, "broadcast: $mq9.AI.BROADCAST.task.available\n");
    await sub.stdoutHas("live one");
    sub.kill("SIGINT");
    const r = await sub.done;
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(m.mail_id, box.mail_id);
    assert.equal(m.priority, "notify");
    assert.equal(m.payload, "live one");
    assert.equal(m.encoding, "utf8");
    assert.equal(typeof m.msg_id, "number");
  });
});
