/**
 * SIGHUP reload of `max_payload` and `max_control_line` reaches connections already open,
 * as in nats-server 2.9.10 (reload.go maxPayloadOption and maxControlLineOption set each
 * client's limit; no INFO is sent to them). The same file and the same bytes go to
 * Debian's nats-server and to our broker, and the open connections must see the same.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { startLogged, type ServerKind } from "../support/logged-server";
import { haveNatsServer } from "../support/nats-server";
import { freePort } from "../support/ports";
import { killAll, withTimeout } from "../support/spawned";
import { rawConnection } from "../support/raw-connection";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-reload-limits-"));
after(() => {
  killAll();
  fs.rmSync(TMP, { recursive: true, force: true });
});

function maxPayloadInInfo(text: string): number {
  const m = /^INFO (\{.*\}) \r\n/.exec(text);
  assert.ok(m, `no INFO in ${JSON.stringify(text)}`);
  return (JSON.parse(m[1]!) as { max_payload: number }).max_payload;
}

/** What the connection received after INFO, with nothing server-specific left in it. */
const afterInfo = (text: string) => text.slice(text.indexOf("\r\n") + 2);

interface Outcome {
  /** What the open connections received after their INFO. */
  payloadConn: string;
  controlConn: string;
  /** max_payload in the INFO of a connection opened after each reload. */
  newInfo: number[];
}

async function run(kind: ServerKind): Promise<Outcome> {
  const port = await freePort();
  const conf = path.join(TMP, `${kind}.conf`);
  const write = (limits: string) =>
    fs.writeFileSync(conf, `host: 127.0.0.1\nport: ${port}\n${limits}\n`);
  write("max_payload: 1KB");
  const server = startLogged(kind, conf, path.join(TMP, `data-${kind}`));
  try {
    await server.waitFor(/Server is ready/);
    let reloads = 0;
    const reload = async (limits: string) => {
      write(limits);
      server.signal("SIGHUP");
      const n = ++reloads;
      await server.waitFor(new RegExp(`(\\[INF\\] Reloaded server configuration\\n[^]*){${n}}`));
    };
    const newInfo = async () => {
      const r = rawConnection(port);
      const text = await r.until(/\r\n/);
      r.socket.destroy();
      return maxPayloadInInfo(text);
    };

    const a = rawConnection(port);
    const b = rawConnection(port);
    for (const c of [a, b]) {
      assert.equal(maxPayloadInInfo(await c.until(/\r\n/)), 1024);
      c.socket.write('CONNECT {"verbose":false}\r\nPING\r\n');
      await c.until(/PONG\r\n/);
    }
    const infos = [await newInfo()];

    // Raised: the open connection may now send 3000 bytes, without being told so.
    await reload("max_payload: 4KB");
    infos.push(await newInfo());
    a.socket.write(`PUB big 3000\r\n${"x".repeat(3000)}\r\nPING\r\n`);
    await a.until(/PONG\r\nPONG\r\n/);

    // Lowered, with a short control line: both are enforced on the open connections.
    await reload("max_payload: 512\nmax_control_line: 64");
    infos.push(await newInfo());
    a.socket.write(`PUB big 1000\r\n${"x".repeat(1000)}\r\n`);
    await a.until(/-ERR/);
    await withTimeout(a.closed, 5000, "close after the payload violation");
    b.socket.write(`SUB ${"s".repeat(80)} 1\r\n`);
    await b.until(/-ERR/);
    await withTimeout(b.closed, 5000, "close after the control line violation");
    return {
      payloadConn: afterInfo(a.text()),
      controlConn: afterInfo(b.text()),
      newInfo: infos,
    };
  } finally {
    await server.stop();
  }
}

describe("SIGHUP reload of max_payload and max_control_line", { skip: !haveNatsServer() }, () => {
  it("applies to open connections, as nats-server does", async () => {
    const theirs = await run("nats-server");
    const ours = await run("mq9");
    // The reference first, so a change in it shows as such.
    assert.deepEqual(theirs, {
      payloadConn: "PONG\r\nPONG\r\n-ERR 'Maximum Payload Violation'\r\n",
      controlConn: "PONG\r\n-ERR 'maximum control line exceeded'\r\n",
      newInfo: [1024, 4096, 512],
    });
    assert.deepEqual(ours, theirs);
  });
});
