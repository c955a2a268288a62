/**
 * Operator (JWT) mode, side by side with nats-server 2.9.10 started from the same config
 * file: the same CONNECTs (user JWTs, nonce signatures) and operations go to both, and what
 * each sends back must match line for line (ids and nonces normalised away). Then real
 * clients (`nats` with jwtAuthenticator and credsAuthenticator) against both.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, jwtAuthenticator, StringCodec } from "nats";
import {
  accountJwt,
  createAccount,
  createOperator,
  createUser,
  credsFile,
  operatorJwt,
  userJwt,
  type KeyPair,
} from "../support/jwt";
import { haveNatsServer } from "../support/nats-server";
import { startLogged, type LoggedServer, type ServerKind } from "../support/logged-server";
import { freePort } from "../support/ports";
import { killAll } from "../support/spawned";

after(killAll);

const sc = StringCodec();
const now = () => Math.floor(Date.now() / 1000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-operator-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Running {
  kind: ServerKind;
  port: number;
  /** The monitoring port. */
  http: number;
  server: LoggedServer;
}

/** Both servers from one config file (ours first). */
async function startBoth(name: string, conf: string): Promise<Running[]> {
  const kinds: ServerKind[] = haveNatsServer() ? ["mq9", "nats-server"] : ["mq9"];
  return Promise.all(
    kinds.map(async (kind) => {
      const [port, http] = [await freePort(), await freePort()];
      const file = path.join(dir, `${name}-${kind}.conf`);
      fs.writeFileSync(file, `host: 127.0.0.1\nport: ${port}\nhttp_port: ${http}\n${conf}\n`);
      const server = startLogged(kind, file, path.join(dir, `${name}-data`));
      await server.waitFor(/Server is ready/, 20_000);
      return { kind, port, http, server };
    }),
  );
}

async function stopAll(servers: Running[]): Promise<void> {
  await Promise.all(servers.map((s) => s.server.stop()));
}

interface Login {
  jwt?: string;
  /** Signs the nonce; a bearer JWT needs none. */
  key?: KeyPair;
  /** A signature that does not match. */
  badSig?: boolean;
}

/** INFO with what a client acts on; ids, addresses, versions and the nonce's value dropped. */
function normalise(line: string): string {
  const m = /^INFO (\{.*\}) $/.exec(line);
  if (!m) return line;
  const info = JSON.parse(m[1]!) as Record<string, unknown>;
  const kept: Record<string, unknown> = { max_payload: info.max_payload };
  if (info.auth_required) kept.auth_required = true;
  if (typeof info.nonce === "string") kept.nonce = info.nonce.length;
  if (info.ldm) kept.ldm = true;
  return `INFO ${JSON.stringify(kept)}`;
}

/** A raw connection: every line received, and whether the server closed it. */
class Session {
  private buf = "";
  readonly lines: string[] = [];
  closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf += d.toString("latin1");
      let i;
      while ((i = this.buf.indexOf("\r\n")) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
      }
      this.wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number, login: Login, extra = ""): Promise<Session> {
    const socket = net.connect(port, "127.0.0.1");
    const s = new Session(socket);
    await s.until(() => s.lines.length > 0, 3000);
    const info = JSON.parse(s.lines[0]!.slice(5)) as { nonce?: string };
    const connect: Record<string, unknown> = { verbose: false, protocol: 1, headers: true };
    if (login.jwt !== undefined) connect.jwt = login.jwt;
    if (login.key !== undefined) {
      const data = Buffer.from(info.nonce ?? "");
      const sig = login.key.sign(login.badSig ? Buffer.concat([data, Buffer.from("x")]) : data);
      connect.sig = Buffer.from(sig).toString("base64url");
    }
    socket.write(`CONNECT ${JSON.stringify(connect)}\r\nPING\r\n${extra}`);
    return s;
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(text);
  }

  async until(cond: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond() && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.max(1, deadline - Date.now()));
        const waiters = this.waiters;
        function done() {
          clearTimeout(t);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  /** Waits until `pongs` PONGs arrived (or the connection closed), then a quiet moment. */
  async settle(pongs: number, quietMs = 100): Promise<void> {
    await this.until(() => this.lines.filter((l) => l === "PONG").length >= pongs, 3000);
    let seen = -1;
    while (seen !== this.lines.length && !this.closed) {
      seen = this.lines.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  transcript(): string[] {
    return [...this.lines.map(normalise), ...(this.closed ? ["<closed>"] : [])];
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** The same login and operations on each server; returns each transcript. */
async function exchange(
  servers: Running[],
  login: Login,
  ops = "",
  opts: { pongs?: number; waitMs?: number } = {},
): Promise<string[][]> {
  return Promise.all(
    servers.map(async ({ port }) => {
      const s = await Session.open(port, login, ops);
      await s.settle(opts.pongs ?? 1 + (ops.match(/PING\r\n/g) ?? []).length);
      if (opts.waitMs) await s.until(() => false, opts.waitMs);
      s.close();
      return s.transcript();
    }),
  );
}

function assertSame(results: string[][], expected?: RegExp): void {
  const [ours, theirs] = results;
  if (theirs !== undefined) assert.deepEqual(ours, theirs);
  if (expected) assert.match(ours!.join("\n"), expected);
}

const O = createOperator();
const OSK = createOperator(); // an operator signing key
const A = createAccount();
const ASK = createAccount(); // an account signing key
const ASCOPE = createAccount(); // a scoped one
const REVOKED = createUser();

const opJwt = operatorJwt(O, { signing_keys: [OSK.getPublicKey()] });
const accJwt = accountJwt(A, OSK, {
  signing_keys: [
    ASK.getPublicKey(),
    {
      kind: "user_scope",
      key: ASCOPE.getPublicKey(),
      role: "scoped",
      template: {
        pub: { allow: ["scoped.{{name()}}.>", "_INBOX.>"] },
        sub: { allow: ["_INBOX.>", "scoped.>"] },
        subs: -1,
        payload: 64,
        data: -1,
      },
    },
  ],
  revocations: { [REVOKED.getPublicKey()]: now() + 3600 },
  limits: { subs: -1, payload: -1, conn: -1 },
});
const MAIN_CONF = `operator: ${opJwt}\nresolver: MEMORY\nresolver_preload: {\n  ${A.getPublicKey()}: ${accJwt}\n}`;

describe("operator mode, ours and nats-server from the same config", { timeout: 120_000 }, () => {
  let servers: Running[] = [];
  before(async () => {
    servers = await startBoth("main", MAIN_CONF);
  });
  after(() => stopAll(servers));

  const user = (nats: Record<string, unknown> = {}, opts = {}) => {
    const u = createUser();
    return { u, jwt: userJwt(u, A, nats, opts) };
  };

  it("announces auth and a nonce, and refuses a CONNECT without a JWT", async () => {
    assertSame(
      await exchange(servers, {}),
      /^INFO \{"max_payload":1048576,"auth_required":true,"nonce":\d+\}\n-ERR 'Authorization Violation'\n<closed>$/,
    );
  });

  it("takes a bearer JWT without a signature, and a plain JWT with the nonce signed", async () => {
    const bearer = user({ bearer_token: true });
    const ops = "SUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n";
    assertSame(await exchange(servers, { jwt: bearer.jwt }, ops), /MSG a 1 2\nhi\nPONG$/);
    const plain = user();
    assertSame(await exchange(servers, { jwt: plain.jwt, key: plain.u }, ops), /MSG a 1 2/);
  });

  it("refuses a missing or wrong signature, an unknown account, a bad or expired JWT", async () => {
    const plain = user();
    const violation = /-ERR 'Authorization Violation'\n<closed>$/;
    assertSame(await exchange(servers, { jwt: plain.jwt }), violation);
    assertSame(await exchange(servers, { jwt: plain.jwt, key: plain.u, badSig: true }), violation);
    const stranger = createUser();
    const other = userJwt(stranger, createAccount());
    assertSame(await exchange(servers, { jwt: other, key: stranger }), violation);
    const tampered = plain.jwt.slice(0, -4) + (plain.jwt.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertSame(await exchange(servers, { jwt: tampered, key: plain.u }), violation);
    const expired = user({}, { exp: now() - 10 });
    assertSame(await exchange(servers, { jwt: expired.jwt, key: expired.u }), violation);
    const early = user({}, { nbf: now() + 3600 });
    assertSame(await exchange(servers, { jwt: early.jwt, key: early.u }), violation);
    assertSame(await exchange(servers, { jwt: userJwt(REVOKED, A), key: REVOKED }), violation);
  });

  it("takes users signed by the account's signing keys; a scoped key imposes its template", async () => {
    const u = createUser();
    const viaKey = userJwt(u, A, {}, { signer: ASK });
    assertSame(await exchange(servers, { jwt: viaKey, key: u }, "PUB x 1\r\n1\r\nPING\r\n"));
    const s = createUser();
    // Scoped users carry no permissions or limits of their own.
    const scoped = userJwt(s, A, {}, { signer: ASCOPE, raw: true });
    const ops =
      "PUB scoped.U.x 1\r\n1\r\nPUB other 1\r\n1\r\nSUB nope 1\r\nPUB scoped.U.y 65\r\n" +
      `${"x".repeat(65)}\r\nPING\r\n`;
    assertSame(
      await exchange(servers, { jwt: scoped, key: s }, ops),
      /Permissions Violation for Publish to "other"[\s\S]*Subscription to "nope"[\s\S]*Maximum Payload Violation/,
    );
    const own = userJwt(s, A, { pub: { allow: [">"] } }, { signer: ASCOPE, raw: true });
    assertSame(await exchange(servers, { jwt: own, key: s }), /Authorization Violation/);
  });

  it("enforces the JWT's permissions, response permission, src, connection types and times", async () => {
    const p = user({
      pub: { allow: ["foo.>", "_INBOX.>"], deny: ["foo.bar"] },
      sub: { deny: ["secret"] },
    });
    const ops =
      "PUB foo.x 0\r\n\r\nPUB foo.bar 0\r\n\r\nPUB baz 0\r\n\r\nSUB secret 1\r\nSUB ok 2\r\nPING\r\n";
    assertSame(
      await exchange(servers, { jwt: p.jwt, key: p.u }, ops),
      /"foo\.bar"[\s\S]*"baz"[\s\S]*"secret"/,
    );
    const r = user({ resp: { max: 1, ttl: 0 } });
    assertSame(
      await exchange(servers, { jwt: r.jwt, key: r.u }, "PUB x 0\r\n\r\nPING\r\n"),
      /Publish to "x"/,
    );
    // An allow list that is there but empty allows nothing, as in nats-server.
    const empty = user({ pub: { allow: [], deny: ["z"] } });
    assertSame(
      await exchange(servers, { jwt: empty.jwt, key: empty.u }, "PUB y 0\r\n\r\nPING\r\n"),
      /Publish to "y"/,
    );

    const violation = /Authorization Violation/;
    const far = user({ src: ["10.0.0.0/8"] });
    assertSame(await exchange(servers, { jwt: far.jwt, key: far.u }), violation);
    const near = user({ src: ["10.0.0.0/8", "127.0.0.0/8"] });
    assertSame(await exchange(servers, { jwt: near.jwt, key: near.u }), /^INFO.*\nPONG$/);
    const ws = user({ allowed_connection_types: ["WEBSOCKET"] });
    assertSame(await exchange(servers, { jwt: ws.jwt, key: ws.u }), violation);
    const std = user({ allowed_connection_types: ["STANDARD", "SOMETHING_NEW"] });
    assertSame(await exchange(servers, { jwt: std.jwt, key: std.u }), /PONG$/);
    const unknownOnly = user({ allowed_connection_types: ["SOMETHING_NEW"] });
    assertSame(await exchange(servers, { jwt: unknownOnly.jwt, key: unknownOnly.u }), violation);

    const clock = (s: number) => new Date(s * 1000).toISOString().slice(11, 19);
    const t = now();
    const inside = user({
      times: [{ start: clock(t - 120), end: clock(t + 3600) }],
      times_location: "UTC",
    });
    const outside = user({
      times: [{ start: clock(t + 600), end: clock(t + 1200) }],
      times_location: "UTC",
    });
    // Close to midnight a range wraps, which nats-server treats its own way; skip then.
    if (t % 86_400 > 120 && t % 86_400 < 86_400 - 3600) {
      assertSame(await exchange(servers, { jwt: inside.jwt, key: inside.u }), /PONG$/);
      assertSame(await exchange(servers, { jwt: outside.jwt, key: outside.u }), violation);
    }
  });

  it("applies the JWT's limits: max payload (with a second INFO), subscriptions, Go's zero values", async () => {
    const small = user({ payload: 10, subs: 1 });
    const ops = "SUB a 1\r\nSUB b 2\r\nPUB a 11\r\n01234567890\r\nPING\r\n";
    assertSame(
      await exchange(servers, { jwt: small.jwt, key: small.u }, ops),
      /PONG\nINFO \{"max_payload":10,"auth_required":true\}\n-ERR 'maximum subscriptions exceeded'\n-ERR 'Maximum Payload Violation'\n<closed>$/,
    );
    // A version 2 JWT without limits has Go's zero values: nothing may be subscribed, no
    // payload sent, and nats-server closes the connection at once.
    const bare = createUser();
    const zero = userJwt(bare, A, {}, { raw: true });
    assertSame(
      await exchange(servers, { jwt: zero, key: bare }, "", { waitMs: 200 }),
      /INFO \{"max_payload":0,"auth_required":true\}\n-ERR 'maximum subscriptions exceeded'\n<closed>$/,
    );
  });

  it("closes a user whose JWT expires while connected", async () => {
    const soon = user({}, { exp: now() + 2 });
    assertSame(
      await exchange(servers, { jwt: soon.jwt, key: soon.u }, "", { waitMs: 3500 }),
      /PONG\n-ERR 'User Authentication Expired'\n<closed>$/,
    );
  });

  it("shows the JWT user, its account and issuer in /connz?auth=1 and /subsz", async () => {
    const u = createUser();
    const jwt = userJwt(u, A, { tags: ["team:blue"] }, { signer: ASK });
    const seen = await Promise.all(
      servers.map(async ({ port, http }) => {
        const s = await Session.open(port, { jwt, key: u }, "SUB watched 1\r\nPING\r\n");
        await s.settle(2);
        const connz = (await (
          await fetch(`http://127.0.0.1:${http}/connz?auth=1&subs=detail`)
        ).json()) as {
          connections: Record<string, unknown>[];
        };
        const subsz = (await (await fetch(`http://127.0.0.1:${http}/subsz?subs=1`)).json()) as {
          subscriptions_list?: { account?: string }[];
        };
        s.close();
        const c = connz.connections.find((x) => x.jwt === jwt) ?? {};
        const { authorized_user, account, issuer_key, name_tag, tags } = c;
        const detail = (c.subscriptions_list_detail as { account?: string }[] | undefined)?.[0];
        return {
          authorized_user,
          account,
          issuer_key,
          name_tag,
          tags,
          detailAccount: detail?.account,
          subszAccount: subsz.subscriptions_list?.[0]?.account,
        };
      }),
    );
    if (seen[1]) assert.deepEqual(seen[0], seen[1]);
    assert.deepEqual(seen[0], {
      authorized_user: u.getPublicKey(),
      account: A.getPublicKey(),
      issuer_key: ASK.getPublicKey(),
      name_tag: "U",
      tags: ["team:blue"],
      // Open connections' subscription details name no account in nats-server either.
      detailAccount: undefined,
      subszAccount: A.getPublicKey(),
    });
  });

  it("real clients connect with jwtAuthenticator and credsAuthenticator", async () => {
    for (const { port, kind } of servers) {
      const u = createUser();
      const jwt = userJwt(u, A);
      const a = await connect({ port, authenticator: jwtAuthenticator(jwt, u.getSeed()) });
      const b = await connect({
        port,
        authenticator: credsAuthenticator(new TextEncoder().encode(credsFile(jwt, u))),
      });
      const sub = b.subscribe("jwt.test", { max: 1 });
      await b.flush();
      a.publish("jwt.test", sc.encode("signed"));
      for await (const m of sub) assert.equal(sc.decode(m.data), "signed", kind);
      await a.close();
      await b.close();
    }
  });
});

describe(
  "operator mode: account limits, bearer tokens, expiry, version 1 JWTs",
  { timeout: 120_000 },
  () => {
    it("counts connections against the account and refuses bearer tokens it disallows", async () => {
      const O2 = createOperator();
      const A2 = createAccount();
      const SYS = createAccount();
      const acc = accountJwt(A2, O2, { limits: { conn: 1, disallow_bearer: true } });
      const servers = await startBoth(
        "limits",
        `operator: ${operatorJwt(O2)}\nresolver: MEM\nsystem_account: ${SYS.getPublicKey()}\n` +
          `resolver_preload: {\n ${A2.getPublicKey()}: ${acc}\n ${SYS.getPublicKey()}: ${accountJwt(SYS, O2)}\n}`,
      );
      try {
        const u = createUser();
        const jwt = userJwt(u, A2);
        const results = await Promise.all(
          servers.map(async ({ port }) => {
            const first = await Session.open(port, { jwt, key: u });
            await first.settle(1);
            const second = await Session.open(port, { jwt, key: u });
            await second.settle(1);
            first.close();
            // The account has room again once the first one is gone.
            await new Promise((r) => setTimeout(r, 100));
            const third = await Session.open(port, { jwt, key: u });
            await third.settle(1);
            third.close();
            return [
              ...first.transcript(),
              "--",
              ...second.transcript(),
              "--",
              ...third.transcript(),
            ];
          }),
        );
        assertSame(
          results,
          /-ERR 'maximum account active connections exceeded'\n<closed>\n--\nINFO.*\nPONG$/,
        );
        const b = createUser();
        assertSame(
          await exchange(servers, { jwt: userJwt(b, A2, { bearer_token: true }) }),
          /Authorization Violation/,
        );
        // Where we differ on purpose: one subject namespace, so no system account users
        // (nats-server lets them in, to its $SYS subjects).
        const sysUser = createUser();
        const [ours] = await exchange(servers.slice(0, 1), {
          jwt: userJwt(sysUser, SYS),
          key: sysUser,
        });
        assert.match(ours!.join("\n"), /-ERR 'Authorization Violation'\n<closed>$/);
      } finally {
        await stopAll(servers);
      }
    });

    it("closes the account's users when the account expires, and refuses new ones", async () => {
      const O3 = createOperator();
      const A3 = createAccount();
      // Room for both servers to start on a busy machine; the connection is then made
      // 0.6 s before the expiry. Both servers close it 0.5–0.8 s after the expiry, before
      // either sends its first PING (2 s after CONNECT), so the transcripts stay exact.
      const exp = now() + 6;
      const acc = accountJwt(A3, O3, {}, { exp });
      const servers = await startBoth(
        "expiry",
        `operator: ${operatorJwt(O3)}\nresolver: MEMORY\nresolver_preload: { ${A3.getPublicKey()}: ${acc} }`,
      );
      try {
        const u = createUser();
        const jwt = userJwt(u, A3);
        await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - 600 - Date.now())));
        assertSame(
          await exchange(servers, { jwt, key: u }, "", { waitMs: 1700 }),
          /PONG\n-ERR 'Account Authentication Expired'\n<closed>$/,
        );
        assertSame(await exchange(servers, { jwt, key: u }), /Authorization Violation/);
      } finally {
        await stopAll(servers);
      }
    });

    it("reads version 1 JWTs and an operator JWT from a decorated file", async () => {
      const O4 = createOperator();
      const A4 = createAccount();
      const opFile = path.join(dir, "op.jwt");
      fs.writeFileSync(
        opFile,
        `-----BEGIN NATS OPERATOR JWT-----\n${operatorJwt(O4, {}, { v1: true })}\n------END NATS OPERATOR JWT------\n`,
      );
      const acc = accountJwt(A4, O4, {}, { v1: true });
      const servers = await startBoth(
        "v1",
        `operator: "${opFile}"\nresolver: MEMORY\nresolver_preload: { ${A4.getPublicKey()}: ${acc} }`,
      );
      try {
        const u = createUser();
        // Version 1 user limits default to unlimited.
        const jwt = userJwt(u, A4, {}, { v1: true, raw: true });
        assertSame(
          await exchange(servers, { jwt, key: u }, "SUB a 1\r\nPUB a 1\r\nx\r\nPING\r\n"),
          /^INFO.*\nPONG\nMSG a 1 1\nx\nPONG$/,
        );
      } finally {
        await stopAll(servers);
      }
    });
  },
);
