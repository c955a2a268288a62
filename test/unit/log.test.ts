import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLogger, describeError, formatLogLine, formatTimestamp } from "../../server/log";

// nats-server 2.9.10's layout: `[pid] 2006/01/02 15:04:05.000000 [INF] message`.
const LINE = /^\[\d+\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \[(INF|WRN|ERR|DBG)\] .*\n$/;

describe("log", () => {
  it("formats local time with microseconds", () => {
    const d = new Date(2026, 10, 22, 7, 8, 9, 123);
    assert.equal(formatTimestamp(d.getTime() + 0.4567), "2026/11/22 07:08:09.123456");
    assert.equal(formatTimestamp(d.getTime() - 123), "2026/11/22 07:08:09.000000");
  });

  it("writes one nats-server style line per event", () => {
    const lines: string[] = [];
    const log = createLogger({ pid: 42, write: (l) => lines.push(l), now: () => 0 });
    log.info("Server is ready");
    log.warn("w");
    log.error("e");
    log.debug("hidden unless debug is on");
    assert.equal(lines.length, 3);
    for (const l of lines) assert.match(l, LINE);
    assert.match(lines[0] as string, /^\[42\] .* \[INF\] Server is ready\n$/);
    assert.match(lines[1] as string, / \[WRN\] w\n$/);
    assert.match(lines[2] as string, / \[ERR\] e\n$/);
  });

  it("writes DBG lines only when asked", () => {
    const lines: string[] = [];
    createLogger({ debug: true, write: (l) => lines.push(l) }).debug("d");
    assert.match(lines[0] as string, / \[DBG\] d\n$/);
  });

  it("appends fields as key=value and quotes values that need it", () => {
    const line = formatLogLine(1, 0, "INF", "Client closed", {
      cid: 7,
      reason: "Slow Consumer (Write Deadline)",
      ok: true,
      none: undefined,
      empty: "",
    });
    assert.match(
      line,
      /\[INF\] Client closed cid=7 reason="Slow Consumer \(Write Deadline\)" ok=true empty=""\n$/,
    );
  });

  it("keeps a multi-line message on one line", () => {
    const line = formatLogLine(1, 0, "ERR", "a\nb\r\nc");
    assert.equal(line.split("\n").length, 2);
    assert.match(line, /a\\nb\\nc\n$/);
  });

  it("describes an error on one line with its code and first frame", () => {
    const err = Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" });
    const text = describeError(err);
    assert.match(text, /^Error EADDRINUSE: listen EADDRINUSE \(at .*log\.test\.ts/);
    assert.equal(describeError("plain"), "plain");
  });
});
