import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../server/log";
import { exitOnSignals } from "../../server/shutdown";

function recorder() {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(l) }) };
}

// The test runner handles real SIGINT/SIGTERM itself; the process tests send real ones.
const signals = new EventEmitter();
const send = (signal: NodeJS.Signals) => signals.emit(signal, signal);

/** Resolves with the exit code the handler chose. */
function exitCode(): { exit: (code: number) => void; code: Promise<number> } {
  let exit!: (code: number) => void;
  const code = new Promise<number>((resolve) => (exit = resolve));
  return { exit, code };
}

describe("exitOnSignals", () => {
  it("runs stop once and exits 0 after it finishes", async () => {
    const { lines, log } = recorder();
    const { exit, code } = exitCode();
    let stops = 0;
    const off = exitOnSignals(async () => void stops++, log, { exit, signals });
    try {
      send("SIGTERM");
      assert.equal(await code, 0);
      assert.equal(stops, 1);
      assert.match(
        lines.join(""),
        /\[INF\] Received SIGTERM, initiating shutdown\.\.\.\n.*\[INF\] Server Exiting\.\.\n$/,
      );
    } finally {
      off();
    }
  });

  it("exits 1 at once on a second signal while stopping", async () => {
    const { lines, log } = recorder();
    const { exit, code } = exitCode();
    const off = exitOnSignals(() => new Promise<void>(() => {}), log, { exit, signals });
    try {
      send("SIGINT");
      await new Promise((r) => setTimeout(r, 20));
      send("SIGINT");
      assert.equal(await code, 1);
      assert.match(lines.join(""), /\[WRN\] Received SIGINT again, exiting now/);
    } finally {
      off();
    }
  });

  it("removes its handlers when asked", () => {
    const { log } = recorder();
    const off = exitOnSignals(async () => {}, log, { exit: () => {}, signals });
    assert.equal(signals.listenerCount("SIGTERM"), 1);
    off();
    assert.equal(signals.listenerCount("SIGTERM") + signals.listenerCount("SIGINT"), 0);
  });

  it("exits 1 when stop overruns its grace period or fails", async () => {
    const hang = exitCode();
    const { lines, log } = recorder();
    let off = exitOnSignals(() => new Promise<void>(() => {}), log, {
      exit: hang.exit,
      graceMs: 30,
      signals,
    });
    // The grace timer is unref'd (it must not hold a finished process open); in a real
    // server the open sockets keep the loop alive, here this timer does.
    const alive = setTimeout(() => {}, 5000);
    try {
      send("SIGTERM");
      assert.equal(await hang.code, 1);
      assert.match(lines.join(""), /\[ERR\] Shutdown did not finish within 30 ms/);
    } finally {
      off();
    }

    const fail = exitCode();
    off = exitOnSignals(() => Promise.reject(new Error("boom")), log, { exit: fail.exit, signals });
    try {
      send("SIGTERM");
      assert.equal(await fail.code, 1);
      assert.match(lines.join(""), /\[ERR\] Shutdown failed: Error: boom/);
    } finally {
      off();
      clearTimeout(alive);
    }
  });
});
