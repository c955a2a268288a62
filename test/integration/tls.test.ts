/**
 * TLS with real clients (issue 3 item 6; nats-wire-notes §1.1, §2): our broker and Debian's
 * nats-server start from the same `tls { }` and `websocket { tls { } }` blocks, and the
 * `nats` client, nats.c and nats.ws must see the same thing from both. Certificates are
 * made with openssl for this run (a CA, a server certificate for 127.0.0.1 and localhost,
 * client certificates from that CA and from another one); no key is committed.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect, StringCodec, type ConnectionOptions, type NatsConnection } from "nats";
import { connect as wsConnect } from "nats.ws";
import { WebSocket, type ClientOptions } from "ws";
import { startBrokerService, type BrokerService } from "../../server/broker-service";
import { resolveConfig } from "../../server/config";
import { createLogger } from "../../server/log";
import { Broker, listenTcp } from "../../server/nats/mod";
import { startBroker } from "../support/broker";
import { haveNatsServer, startNatsServer, type RunningServer } from "../support/nats-server";
import { freePort } from "../support/ports";

const run = promisify(execFile);
const sc = StringCodec();
const C_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "c/nats_tls_check.c");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-tls-"));
const HANDSHAKE_TIMEOUT_S = 0.5;

interface Certs {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Signed by a CA the servers do not trust. */
  strangerCert: string;
  strangerKey: string;
}

const OPENSSL_CONF = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

async function makeCerts(dir: string): Promise<Certs> {
  fs.writeFileSync(path.join(dir, "openssl.cnf"), OPENSSL_CONF);
  const f = (name: string) => path.join(dir, name);
  // File names are relative to `dir`, so the words never contain spaces.
  const openssl = (words: string) => run("openssl", words.split(" "), { cwd: dir });
  const newKey = "-config openssl.cnf -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const makeCa = (name: string) =>
    openssl(
      `req -x509 ${newKey} -days 2 -extensions ca_ext -keyout ${name}-key.pem -out ${name}.pem -subj /CN=${name}`,
    );
  const issue = async (name: string, ca: string, ext: string, serial: number) => {
    await openssl(`req -new ${newKey} -keyout ${name}-key.pem -out ${name}.csr -subj /CN=${name}`);
    await openssl(
      `x509 -req -in ${name}.csr -CA ${ca}.pem -CAkey ${ca}-key.pem -set_serial ${serial} -days 2 -extfile openssl.cnf -extensions ${ext} -out ${name}.pem`,
    );
  };
  await Promise.all([makeCa("ca"), makeCa("other-ca")]);
  await Promise.all([
    issue("server", "ca", "server_ext", 1),
    issue("client", "ca", "client_ext", 2),
    issue("stranger", "other-ca", "client_ext", 3),
  ]);
  return {
    ca: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server-key.pem"),
    clientCert: f("client.pem"),
    clientKey: f("client-key.pem"),
    strangerCert: f("stranger.pem"),
    strangerKey: f("stranger-key.pem"),
  };
}

async function missingTool(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    await run(cmd, args);
    return undefined;
  } catch {
    return `${cmd} not available`;
  }
}

const noOpenssl = await missingTool("openssl", ["version"]);
const noC =
  (await missingTool("gcc", ["--version"])) ??
  (await missingTool("pkg-config", ["--exists", "libnats"]));

/** A `tls { }` block; with `verify` a client certificate is required. */
function tlsBlock(c: Certs, verify: boolean): string {
  return `tls {
  cert_file: "${c.serverCert}"
  key_file: "${c.serverKey}"
  ca_file: "${c.ca}"
  verify: ${verify}
  timeout: ${HANDSHAKE_TIMEOUT_S}
}`;
}

function wsBlock(c: Certs, port: number): string {
  return `websocket {
  port: ${port}
  tls { cert_file: "${c.serverCert}", key_file: "${c.serverKey}" }
}`;
}

interface Target {
  port: number;
  /** The wss port, when the config has one. */
  wsPort: number | null;
  stop(): Promise<void>;
}

/** Ours, from a config file of the same shape as startNatsServer writes. */
async function startOurs(block: string, wsPort: number | null, log: string[]): Promise<Target> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(TMP, "ours-"));
  const conf = path.join(dir, "server.conf");
  fs.writeFileSync(conf, `host: 127.0.0.1\nport: ${port}\n${block}\n`);
  const r = resolveConfig(["-c", conf, "--data", path.join(dir, "data")], {});
  if (r.kind !== "run") throw new Error(`config refused: ${JSON.stringify(r)}`);
  const service: BrokerService = await startBrokerService(
    r.config,
    createLogger({ write: (l) => void log.push(l) }),
  );
  return { port, wsPort, stop: () => service.stop() };
}

async function startReference(block: string, wsPort: number | null): Promise<Target> {
  const s: RunningServer = await startNatsServer(block);
  return { port: s.port, wsPort, stop: s.stop };
}

/** The first line a server sends, parsed. */
function readInfo(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let text = "";
    s.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      const m = /^INFO (.*) \r\n/.exec(text);
      if (m) {
        s.destroy();
        resolve(JSON.parse(m[1]!) as Record<string, unknown>);
      }
    });
    s.on("error", reject);
  });
}

/** Reads INFO, then does `then` and resolves with what arrived after INFO and when it closed. */
function afterInfo(
  port: number,
  then: (s: net.Socket) => void,
): Promise<{ after: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let text = "";
    let infoAt = 0;
    s.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      if (infoAt === 0 && text.includes("\r\n")) {
        infoAt = Date.now();
        text = text.slice(text.indexOf("\r\n") + 2);
        then(s);
      }
    });
    s.on("error", () => {});
    s.on("close", () => resolve({ after: text, closedAfterMs: Date.now() - infoAt }));
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error("the server kept the connection open"));
    });
  });
}

/** Answers INFO with a plain CONNECT and PING; resolves with what followed INFO, up to PONG. */
function plainPing(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let text = "";
    s.on("data", (d: Buffer) => {
      if (text === "") s.write('CONNECT {"verbose":false}\r\nPING\r\n');
      text += d.toString("latin1");
      const after = text.slice(text.indexOf("\r\n") + 2);
      if (after.includes("PONG\r\n") || after.includes("-ERR")) {
        s.destroy();
        resolve(after);
      }
    });
    s.on("error", reject);
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error(`no PONG in plain text: ${JSON.stringify(text)}`));
    });
  });
}

async function roundTrip(nc: NatsConnection, subject: string): Promise<void> {
  const sub = nc.subscribe(subject, { max: 1 });
  nc.publish(subject, sc.encode("secret"));
  for await (const m of sub) assert.equal(sc.decode(m.data), "secret");
  await nc.close();
}

/** How a refused connect failed: the error's code. */
async function refusal(opts: ConnectionOptions): Promise<string> {
  try {
    const nc = await connect({ reconnect: false, timeout: 3000, ...opts });
    await nc.flush();
    await nc.close();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  assert.fail("the connection was accepted");
}

// nats.ws uses a global W3C WebSocket; this one trusts the test CA, or not (nats-wire-notes §2.3).
let wsTrust: ClientOptions = {};
class TestWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, wsTrust);
  }
}
(globalThis as { WebSocket?: unknown }).WebSocket = TestWebSocket;

let certs: Certs;
let prog = "";
const logs = new Map<string, string[]>();
const targets = new Map<string, { tls: Target; mtls: Target; optional: Target }>();

before(async () => {
  if (noOpenssl) return;
  certs = await makeCerts(TMP);
  if (!noC) {
    const { stdout } = await run("pkg-config", ["--cflags", "--libs", "libnats"]);
    prog = path.join(TMP, "nats_tls_check");
    await run("gcc", ["-O1", "-o", prog, C_SOURCE, ...stdout.trim().split(/\s+/)]);
  }
  const log: string[] = [];
  logs.set("ours", log);
  const wsOurs = await freePort();
  targets.set("ours", {
    tls: await startOurs(`${tlsBlock(certs, false)}\n${wsBlock(certs, wsOurs)}`, wsOurs, log),
    mtls: await startOurs(tlsBlock(certs, true), null, log),
    optional: await startOurs(`allow_non_tls: true\n${tlsBlock(certs, false)}`, null, log),
  });
  if (haveNatsServer()) {
    const wsRef = await freePort();
    targets.set("nats-server", {
      tls: await startReference(`${tlsBlock(certs, false)}\n${wsBlock(certs, wsRef)}`, wsRef),
      mtls: await startReference(tlsBlock(certs, true), null),
      optional: await startReference(`allow_non_tls: true\n${tlsBlock(certs, false)}`, null),
    });
  }
});
after(async () => {
  for (const t of targets.values())
    await Promise.all([t.tls.stop(), t.mtls.stop(), t.optional.stop()]);
  fs.rmSync(TMP, { recursive: true, force: true });
});

for (const name of ["ours", "nats-server"]) {
  const skip = noOpenssl ?? (name === "nats-server" && !haveNatsServer() && "no nats-server");
  describe(`TLS: ${name}`, { skip }, () => {
    const t = () => targets.get(name)!;

    it("INFO says tls_required, and tls_verify only with verify: true", async () => {
      const plain = await readInfo(t().tls.port);
      assert.equal(plain.tls_required, true);
      assert.equal("tls_verify" in plain, false);
      assert.equal("tls_available" in plain, false);
      const mutual = await readInfo(t().mtls.port);
      assert.equal(mutual.tls_required, true);
      assert.equal(mutual.tls_verify, true);
    });

    it("a client that trusts the CA connects; pub/sub works", async () => {
      const nc = await connect({ port: t().tls.port, tls: { caFile: certs.ca } });
      assert.equal(nc.info?.tls_required, true);
      await roundTrip(nc, "tls.pubsub");
    });

    it("a client without TLS options upgrades anyway and rejects the unknown CA", async () => {
      assert.equal(await refusal({ port: t().tls.port }), "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    });

    it("a client that answers INFO in plain text is disconnected, unanswered", async () => {
      const r = await afterInfo(t().tls.port, (s) => s.write("CONNECT {}\r\nPING\r\n"));
      assert.doesNotMatch(r.after, /PONG|\+OK/);
    });

    it("a client that never starts the handshake is closed after tls.timeout", async () => {
      const r = await afterInfo(t().tls.port, () => {});
      assert.equal(r.after, "");
      assert.ok(r.closedAfterMs >= HANDSHAKE_TIMEOUT_S * 1000 - 100, `${r.closedAfterMs} ms`);
      assert.ok(r.closedAfterMs < HANDSHAKE_TIMEOUT_S * 1000 + 1500, `${r.closedAfterMs} ms`);
    });

    it("verify: true: a client with a certificate from the CA connects", async () => {
      const nc = await connect({
        port: t().mtls.port,
        tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey },
      });
      await roundTrip(nc, "tls.mutual");
    });

    it("verify: true: a client without a certificate, or with a stranger's, is refused", async () => {
      const none = await refusal({ port: t().mtls.port, tls: { caFile: certs.ca } });
      // TLS 1.3 ends the handshake on the client's side before the server has checked the
      // certificate, so the refusal arrives as an alert or, if the close wins, a reset.
      assert.match(none, /^ERR_SSL_.*ALERT|ECONNRESET|CONNECTION_REFUSED/);
      const stranger = await refusal({
        port: t().mtls.port,
        tls: { caFile: certs.ca, certFile: certs.strangerCert, keyFile: certs.strangerKey },
      });
      assert.match(stranger, /^ERR_SSL_.*ALERT|ECONNRESET|CONNECTION_REFUSED/);
    });

    it("allow_non_tls: INFO offers TLS (tls_available) instead of requiring it", async () => {
      const info = await readInfo(t().optional.port);
      assert.equal("tls_required" in info, false);
      assert.equal(info.tls_available, true);
    });

    it("allow_non_tls: a client may stay in plain text, or upgrade", async () => {
      assert.equal(await plainPing(t().optional.port), "PONG\r\n");
      // nats.js upgrades whenever TLS is offered unless told `tls: null`.
      await roundTrip(await connect({ port: t().optional.port, tls: null }), "tls.optional.plain");
      await roundTrip(
        await connect({ port: t().optional.port, tls: { caFile: certs.ca } }),
        "tls.optional.tls",
      );
      // The upgrade is a real handshake: without the CA the certificate is not trusted.
      assert.equal(await refusal({ port: t().optional.port }), "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    });

    it(
      "nats.c: SetSecure with the CA; and with a client certificate under verify",
      {
        skip: noC,
      },
      async () => {
        const c = async (port: number, ...extra: string[]) =>
          (
            await run(prog, [`tls://127.0.0.1:${port}`, certs.ca, ...extra], { timeout: 15_000 })
          ).stdout.trim();
        assert.equal(await c(t().tls.port), "ok");
        assert.equal(await c(t().mtls.port, certs.clientCert, certs.clientKey), "ok");
        assert.match(await c(t().mtls.port), /^fail: /);
        // nats.c 3.4 wants tls_required for a secure connection; tls_available is not
        // enough for it, from either server.
        assert.equal(await c(t().optional.port), "fail: Secure Connection not available");
      },
    );

    it("wss: nats.ws that trusts the CA connects; one that does not is refused", async () => {
      const servers = `wss://127.0.0.1:${t().tls.wsPort}`;
      wsTrust = { ca: fs.readFileSync(certs.ca) };
      const nc = await wsConnect({ servers, reconnect: false });
      const sub = nc.subscribe("tls.wss", { max: 1 });
      nc.publish("tls.wss", sc.encode("secret"));
      for await (const m of sub) assert.equal(sc.decode(m.data), "secret");
      await nc.close();
      wsTrust = {};
      await assert.rejects(wsConnect({ servers, reconnect: false, timeout: 3000 }));
    });
  });
}

describe("TLS: ours only", { skip: noOpenssl }, () => {
  it("logs that TLS is required, and each failed handshake", () => {
    const log = logs.get("ours")!.join("");
    assert.match(log, /\[INF\] TLS required for client connections/);
    assert.match(log, /\[INF\] Listening for websocket clients on wss:\/\/127\.0\.0\.1:\d+/);
    assert.match(log, /\[ERR\] TLS handshake error/);
  });

  it("a certificate that cannot be read stops the listener from starting", async () => {
    const broker = new Broker({ host: "127.0.0.1" });
    await assert.rejects(
      listenTcp(broker, {
        host: "127.0.0.1",
        port: 0,
        tls: {
          certFile: path.join(TMP, "missing.pem"),
          keyFile: certs.serverKey,
          caFile: null,
          verify: false,
          timeoutMs: 1000,
        },
      }),
      /tls: cannot read cert_file .*missing\.pem/,
    );
    await assert.rejects(
      listenTcp(broker, {
        host: "127.0.0.1",
        port: 0,
        tls: {
          certFile: certs.clientCert,
          keyFile: certs.serverKey,
          caFile: null,
          verify: false,
          timeoutMs: 1000,
        },
      }),
      /tls: cannot use/,
    );
    await broker.shutdown();
  });
});

describe("INFO without TLS configured", () => {
  it("has no tls_required, tls_verify or tls_available, from either server", async () => {
    const ours = await startBroker();
    const ref = haveNatsServer() ? await startNatsServer() : null;
    try {
      for (const port of [ours.port, ...(ref ? [ref.port] : [])]) {
        const info = await readInfo(port);
        for (const key of ["tls_required", "tls_verify", "tls_available"])
          assert.equal(key in info, false, `${key} on port ${port}`);
      }
    } finally {
      await ours.stop();
      await ref?.stop();
    }
  });
});
