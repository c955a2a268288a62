/**
 * The demo agent (server/cli/demo-agent.ts) as a child process driven by its --json events:
 * what the agent integration test and the Playwright specs share. Waits are on events the
 * agent prints, never on time.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentEvent } from "../../server/cli/demo/events";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ENTRY = path.join(ROOT, "server/cli/demo-agent.ts");

export type Stamped = AgentEvent & { time: number };
type Named<K extends AgentEvent["event"]> = Extract<Stamped, { event: K }>;

export interface DemoAgent {
  /** Every event so far, in order. */
  readonly events: readonly Stamped[];
  /** The first event (already seen or still to come) of that kind matching `pred`. */
  next<K extends AgentEvent["event"]>(
    kind: K,
    pred?: (e: Named<K>) => boolean,
    timeoutMs?: number,
  ): Promise<Named<K>>;
  /** The first `n` events of that kind. */
  several<K extends AgentEvent["event"]>(
    kind: K,
    n: number,
    timeoutMs?: number,
  ): Promise<Named<K>[]>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export function startDemoAgent(args: string[]): DemoAgent {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "--json", ...args], {
    cwd: ROOT,
    env: { ...process.env, MQ9_SERVER: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: Stamped[] = [];
  const wake = new Set<() => void>();
  let stderr = "";
  let partial = "";
  child.stdout.on("data", (d: Buffer) => {
    const lines = (partial + d.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") events.push(JSON.parse(line) as Stamped);
    for (const w of wake) w();
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      for (const w of wake) w();
      resolve({ code, signal });
    }),
  );

  const matching = <K extends AgentEvent["event"]>(kind: K, pred: (e: Named<K>) => boolean) =>
    events.filter((e): e is Named<K> => e.event === kind && pred(e as Named<K>));

  const waitUntil = <T>(found: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = found();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`demo agent exited before ${what}; stderr:\n${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} from the demo agent in ${timeoutMs} ms; stderr:\n${stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        wake.delete(check);
      };
      wake.add(check);
      check();
    });

  return {
    events,
    next: (kind, pred = () => true, timeoutMs = 15_000) =>
      waitUntil(() => matching(kind, pred)[0], `"${kind}" event`, timeoutMs),
    several: (kind, n, timeoutMs = 15_000) =>
      waitUntil(
        () => {
          const found = matching(kind, () => true);
          return found.length >= n ? found.slice(0, n) : undefined;
        },
        `${n} "${kind}" events`,
        timeoutMs,
      ),
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
