/**
 * Protocol tracing (`trace: true`, `-V`): the same config file and the same bytes sent to
 * Debian's nats-server and to our broker give the same `[TRC]` lines, except that we log a
 * payload's size where nats-server logs its text; passwords and payloads never reach our
 * log; and a SIGHUP that turns `trace` on reaches connections already open.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { startLogged, type ServerKind } from "../support/logged-server";
import { haveNatsServer } from "../support/nats-server";
import { freePort } from "../support/ports";
import { killAll, withTimeout } from "../support/spawned";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-trace-"));
after(() => {
  killAll();
  fs.rmSync(TMP, { recursive: true, force: true });
});

const PASSWORD = "s3cret-pw";
const SECRET_PAYLOAD = "top-secret-body";

/** Writes `script`, then resolves with what the server sent once `until` matches it. */
async function converse(port: number, script: string, until: RegExp): Promise<string> {
  const socket = net.connect(port, "127.0.0.1");
  let text = "";
  try {
    return await withTimeout(
      new Promise<string>((resolve, reject) => {
        socket.on("error", reject);
        socket.on("data", (d: Buffer) => {
          if (text === "") socket.write(script);
          text += d.toString("latin1");
          if (until.test(text)) resolve(text);
        });
      }),
      5000,
      `answer to ${JSON.stringify(script.slice(0, 40))}`,
    );
  } finally {
    socket.destroy();
  }
}

/**
 * The `[TRC]` lines without timestamps and connection ids, keepalives dropped (their
 * timing is the server's), and nats-server's payload text reduced to the size we log.
 */
function traceLines(log: string): string[] {
  const out: string[] = [];
  for (const line of log.split("\n")) {
    const m = / \[TRC\] [^ ]+ - cid:\d+ - (.*)$/.exec(line);
    if (!m) continue;
    let t = m[1]!;
    if (/(->> \[PING\]|<<- \[PONG\])$/.test(t)) continue;
    t = t.replace(/<<- MSG_PAYLOAD: \[(".*")\]$/, (_all, quoted: string) => {
      const body = JSON.parse(quoted) as string;
      return `<<- MSG_PAYLOAD: [${Buffer.byteLength(body)} bytes]`;
    });
    out.push(t);
  }
  return out;
}

const CONF = `trace: true
authorization { users = [ { user: alice, password: "${PASSWORD}" } ] }
`;

const CONNECT = JSON.stringify({
  verbose: true,
  pedantic: false,
  user: "alice",
  pass: PASSWORD,
  lang: "test",
  version: "1.2.3",
  name: "tracer",
  headers: true,
  protocol: 1,
});

const body = SECRET_PAYLOAD;
const hdrs = "NATS/1.0\r\nX: y\r\n\r\n";
const SCRIPT = [
  `CONNECT ${CONNECT}`,
  "PING",
  "SUB foo 1",
  "SUB bar q 2",
  "SUB baz 3",
  `PUB foo ${body.length}`,
  body,
  `PUB foo reply.1 ${body.length}`,
  body,
  `HPUB foo ${hdrs.length} ${hdrs.length + body.length}`,
  hdrs + body,
  // Three delivered, so max 4 defers the removal until one more arrives.
  "UNSUB 1 4",
  `PUB foo ${body.length}`,
  body,
  "UNSUB 2",
  "SUB bad..subject 4",
  "PUB bar 0",
  "",
  "PING",
  "",
].join("\r\n");

describe("protocol trace (trace: true)", { skip: !haveNatsServer() }, () => {
  it("traces the same control lines as nats-server, without payloads or passwords", async () => {
    const results: { name: string; log: string }[] = [];
    for (const name of ["nats-server", "mq9"] as ServerKind[]) {
      const port = await freePort();
      const conf = path.join(TMP, `${name}.conf`);
      fs.writeFileSync(conf, `host: 127.0.0.1\nport: ${port}\n${CONF}`);
      const server = startLogged(name, conf, path.join(TMP, `data-${name}`));
      await server.waitFor(/Server is ready/);
      await converse(port, `${SCRIPT}`, /PONG\r\n[^]*PONG\r\n/);
      // The connection closed: its last subscription goes (DELSUB 3).
      await server.waitFor(/<-> \[DELSUB 3\]/);
      // A refused password is redacted too, and the -ERR traced.
      const bad = JSON.stringify({ verbose: false, user: "alice", pass: "wrong-pw" });
      await converse(port, `CONNECT ${bad}\r\n`, /-ERR/);
      await server.waitFor(/->> \[-ERR Authorization Violation\]/);
      results.push({ name, log: server.log() });
      await server.stop();
    }
    const theirs = results[0]!;
    const ours = results[1]!;
    const expected = traceLines(theirs.log);
    // A sanity check of the reference itself, then the comparison.
    assert.ok(expected.includes('"v1.2.3:test:tracer" - <<- [SUB foo 1]'), expected.join("\n"));
    assert.deepEqual(traceLines(ours.log), expected);

    // nats.js's own trace tests look for these (doublesubs_test.ts: /\[SUB (\S+) \d]/).
    assert.match(
      ours.log,
      /\[TRC\] 127\.0\.0\.1:\d+ - cid:\d+ - "v1\.2\.3:test:tracer" - <<- \[SUB baz 3\]\n/,
    );
    assert.match(ours.log, /<<- MSG_PAYLOAD: \[15 bytes\]\n/);
    assert.ok(!ours.log.includes(SECRET_PAYLOAD), "a payload reached the log");
    assert.ok(!ours.log.includes(PASSWORD), "the password reached the log");
    assert.ok(!ours.log.includes("wrong-pw"), "the refused password reached the log");
  });

  it("a SIGHUP that turns trace on reaches connections already open", async () => {
    const conf = path.join(TMP, "reload.conf");
    fs.writeFileSync(conf, "host: 127.0.0.1\nport: -1\n");
    const server = startLogged("mq9", conf, path.join(TMP, "data-reload"));
    const m = await server.waitFor(/Listening for client connections on 127\.0\.0\.1:(\d+)\n/);
    const port = Number(m[1]);
    await server.waitFor(/Server is ready/);

    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
    const pongs = async (n: number) => {
      const deadline = Date.now() + 5000;
      while ((text.match(/PONG\r\n/g) ?? []).length < n) {
        assert.ok(Date.now() < deadline, `waiting for ${n} PONGs: ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    socket.write('CONNECT {"verbose":false,"name":"early"}\r\nSUB before.reload 1\r\nPING\r\n');
    await pongs(1);
    assert.doesNotMatch(server.log(), /\[TRC\]/);

    fs.writeFileSync(conf, "host: 127.0.0.1\nport: -1\ntrace: true\n");
    server.signal("SIGHUP");
    await server.waitFor(/\[INF\] Reloaded: trace = true\n/);
    socket.write("SUB after.reload 2\r\nPING\r\n");
    await pongs(2);
    await server.waitFor(/- "early" - <<- \[SUB after\.reload 2\]\n/);
    assert.doesNotMatch(server.log(), /before\.reload/);
    socket.destroy();
    await server.stop();
  });
});
