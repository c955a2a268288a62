/**
 * Raw-protocol cases for the differential suite (test/integration/differential.test.ts).
 * Data only: each case is bytes to send and how to compare what comes back; the expected
 * transcript is whatever nats-server 2.9.10 answers in the same run. Section references are
 * to nats-wire-notes; `proto_test` marks ideas taken from nats-server's test/proto_test.go.
 */
import type { AuthConfig } from "../../server/nats/auth/types";
import type { BrokerConfig } from "../../server/nats/mod";
import type { TranscriptScript } from "./transcript";

/** One server setup, spelled for both servers. */
export interface ServerConfig {
  /** Appended to nats-server's config file. */
  nats: string;
  broker: BrokerConfig;
}

export const CONFIGS = {
  default: { nats: "", broker: {} },
  maxPayload512: { nats: "max_payload: 512", broker: { maxPayload: 512 } },
  maxControlLine256: { nats: "max_control_line: 256", broker: { maxControlLine: 256 } },
  ping1s: {
    nats: 'ping_interval: "1s"\nping_max: 2',
    broker: { pingInterval: 1000, maxPingsOut: 2 },
  },
  maxSubs2: { nats: "max_subscriptions: 2", broker: { maxSubscriptions: 2 } },
  maxConns1: { nats: "max_connections: 1", broker: { maxConnections: 1 } },
  token: { nats: "authorization { token: s3cr3t }", broker: { auth: auth({ token: "s3cr3t" }) } },
  users: {
    nats: `authorization {
  users: [
    { user: alice, password: pw, permissions: {
        publish: { allow: ["orders.>", "_INBOX.>"], deny: ["orders.secret"] },
        subscribe: { allow: ["orders.*", "work", "work v1"], deny: ["orders.private"] } } },
    { user: bob, password: pw2 }
  ]
}`,
    broker: {
      auth: auth({
        users: [
          {
            user: "alice",
            password: "pw",
            permissions: {
              publish: { allow: ["orders.>", "_INBOX.>"], deny: ["orders.secret"] },
              subscribe: { allow: ["orders.*", "work", "work v1"], deny: ["orders.private"] },
              response: null,
            },
          },
          { user: "bob", password: "pw2", permissions: null },
        ],
      }),
    },
  },
  noAuthUser: {
    nats: "authorization { users: [ { user: guest, password: x } ] }\nno_auth_user: guest",
    broker: {
      auth: auth({
        users: [{ user: "guest", password: "x", permissions: null }],
        noAuthUser: "guest",
      }),
    },
  },
  authTimeout1s: {
    nats: "authorization { token: t, timeout: 1 }",
    broker: { auth: auth({ token: "t", timeoutMs: 1000 }) },
  },
} satisfies Record<string, ServerConfig>;

function auth(a: Partial<AuthConfig>): AuthConfig {
  return {
    user: null,
    password: null,
    token: null,
    timeoutMs: 2000,
    users: [],
    nkeys: [],
    noAuthUser: null,
    ...a,
  };
}

export type ConfigName = keyof typeof CONFIGS;

export interface TranscriptCase extends TranscriptScript {
  name: string;
  config?: ConfigName;
  /** Reason the case is not run. */
  skip?: string;
  /** Reason the case is left out of the byte-by-byte variant. */
  noSplit?: string;
}

/** Quiet client: no +OK, no pedantic subject checks. */
const Q = 'CONNECT {"verbose":false,"pedantic":false}\r\n';
/** What nats.js/nats.go send (nats-wire-notes §1.2). */
const H = 'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n';
/** Headers without no_responders. */
const HO = 'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n';
/** Header block "NATS/1.0\r\nA: B\r\n\r\n": 18 bytes. */
const HDR = "NATS/1.0\r\nA: B\r\n\r\n";
const PING = "PING\r\n";
/**
 * nats-server re-parses a PUB line when its payload arrives in a later read (clonePubArg),
 * which repeats the pedantic -ERR depending on read boundaries: not a behaviour to copy.
 */
const PEDANTIC_SPLIT = "nats-server repeats 'Invalid Publish Subject' on split reads";

export const CASES: readonly TranscriptCase[] = [
  // §1.1 INFO
  { name: "INFO on accept, before the client sends anything", steps: [] },
  { name: "INFO advertises the configured max_payload", config: "maxPayload512", steps: [] },

  // §1.2 CONNECT
  { name: "CONNECT {} keeps verbose on: +OK", steps: [{ send: "CONNECT {}\r\nPING\r\n" }] },
  { name: "CONNECT verbose false: no +OK", steps: [{ send: Q + PING }] },
  {
    name: "CONNECT without pedantic: pedantic is on by default",
    steps: [{ send: 'CONNECT {"verbose":false}\r\nSUB > 1\r\nPUB foo.* 1\r\nx\r\nPING\r\n' }],
    noSplit: PEDANTIC_SPLIT,
  },
  {
    name: "CONNECT without echo: echo is on by default",
    steps: [{ send: 'CONNECT {"verbose":false}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n' }],
  },
  { name: "CONNECT invalid JSON: silent close", steps: [{ send: "CONNECT {bad\r\nPING\r\n" }] },
  { name: "CONNECT JSON array: silent close", steps: [{ send: "CONNECT []\r\nPING\r\n" }] },
  {
    name: "CONNECT wrong field type: silent close",
    steps: [{ send: 'CONNECT {"verbose":"yes"}\r\nPING\r\n' }],
  },
  { name: "CONNECT null keeps the defaults", steps: [{ send: "CONNECT null\r\nPING\r\n" }] },
  { name: "CONNECT with no argument", steps: [{ send: "CONNECT \r\nPING\r\n" }] },
  { name: "CONNECT with no space before the JSON", steps: [{ send: "CONNECT{}\r\nPING\r\n" }] },
  { name: "CONNECT separated by tabs", steps: [{ send: "CONNECT\t\t{}\r\nPING\r\n" }] },
  {
    name: "CONNECT protocol 2: invalid client protocol",
    steps: [{ send: 'CONNECT {"protocol":2}\r\nPING\r\n' }],
  },
  {
    name: "CONNECT protocol -1: invalid client protocol",
    steps: [{ send: 'CONNECT {"verbose":false,"protocol":-1}\r\nPING\r\n' }],
  },
  {
    name: "CONNECT protocol 0 and 1 are accepted",
    steps: [{ send: 'CONNECT {"protocol":0}\r\nCONNECT {"protocol":1}\r\nPING\r\n' }],
  },
  {
    name: "CONNECT no_responders without headers",
    steps: [{ send: 'CONNECT {"verbose":false,"no_responders":true}\r\nPING\r\n' }],
  },
  {
    name: "CONNECT unknown fields are ignored",
    steps: [
      {
        send:
          'CONNECT {"verbose":false,"foo":"bar","nested":{"a":[1,2]},"lang":"x","version":"9",' +
          '"name":"n","tls_required":false}\r\nPING\r\n',
      },
    ],
  },
  {
    name: "second CONNECT changes verbose and keeps subscriptions",
    steps: [{ send: Q + "SUB foo 1\r\nCONNECT {}\r\nPUB foo 1\r\nx\r\nPING\r\n" }],
  },
  {
    name: "CONNECT with user/pass and no auth configured (proto_test ProtoCrash)",
    steps: [
      {
        send: 'CONNECT {"verbose":true,"tls_required":false,"user":"test","pedantic":true,"pass":"password"}',
        pongs: 0,
      },
      { waitMs: 100 },
      { send: "\r\n" },
    ],
  },
  {
    name: "ops before CONNECT are accepted with verbose defaults",
    steps: [{ send: "SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n" }],
  },
  {
    name: "verbose: +OK for PUB comes before the self-delivered MSG",
    steps: [{ send: 'CONNECT {"verbose":true}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n' }],
  },
  {
    name: "verbose: +OK for UNSUB of an unknown sid",
    steps: [{ send: "CONNECT {}\r\nUNSUB 99\r\nUNSUB 98 5\r\nPING\r\n" }],
  },
  {
    name: "echo false: own subscription skipped, other connection delivered",
    steps: [
      { conn: 1, send: Q + "SUB foo 1\r\nPING\r\n" },
      {
        send: 'CONNECT {"verbose":false,"pedantic":false,"echo":false}\r\nSUB foo 7\r\nPUB foo 2\r\nhi\r\nPING\r\n',
      },
      { conn: 1, send: PING },
    ],
  },

  // §1.3 Parser
  {
    name: "ops are case-insensitive",
    steps: [
      {
        send: 'connect {"verbose":false,"pedantic":false}\r\nsub foo 1\r\nPuB foo 2\r\nhi\r\nUnSuB 1\r\npub foo 2\r\nhi\r\npInG\r\n',
      },
    ],
  },
  {
    name: "tabs and runs of spaces separate args",
    steps: [
      {
        send:
          Q +
          "SUB\t foo \t 1 \r\nSUB  bar\t\tq   2\t\r\nPUB\tfoo\t\t2 \r\nhi\r\nPUB   bar  r  2  \r\nhi\r\nPING\r\n",
      },
    ],
  },
  {
    name: "bare \\n line ends",
    steps: [
      {
        send: 'CONNECT {"verbose":false,"pedantic":false}\nSUB foo 1\nPUB foo 2\nhi\r\nUNSUB 1\nPING\n',
      },
    ],
  },
  {
    name: "PING and PONG ignore trailing junk",
    steps: [
      { send: Q + "PING foo bar\r\nPINGX\r\nping\tjunk\r\nPONG whatever\r\nPONGPONG\r\nPING\r\n" },
    ],
  },
  {
    name: "PING split across writes",
    steps: [
      { send: Q + "PI", pongs: 0 },
      { send: "NG\r", pongs: 0 },
      { send: "\n", pongs: 1 },
    ],
  },
  {
    name: "CONNECT split mid-JSON across writes",
    steps: [{ send: 'CONNECT {"verb', pongs: 0 }, { send: 'ose":false}\r\nPING\r\n' }],
  },
  {
    name: "payload split across writes",
    steps: [
      { send: Q + "SUB foo 1\r\nPUB foo 10\r\nhello", pongs: 0 },
      { send: "world\r", pongs: 0 },
      { send: "\nPING\r\n" },
    ],
  },
  {
    name: "blank line is not an op: Unknown Protocol Operation",
    steps: [{ send: Q + "\r\nPING\r\n" }],
  },
  {
    name: "space before an op",
    steps: [{ send: Q + " PING\r\n" }],
  },

  // §1.4 PUB / SUB / UNSUB formats
  {
    name: "PUB and MSG, with and without reply",
    steps: [{ send: Q + "SUB foo 1\r\nPUB foo 5\r\nhello\r\nPUB foo bar 5\r\nworld\r\nPING\r\n" }],
  },
  {
    name: "PUB with empty payload",
    steps: [{ send: Q + "SUB foo 1\r\nPUB foo 0\r\n\r\nPING\r\n" }],
  },
  {
    name: "payload containing CRLF and protocol text",
    steps: [{ send: Q + "SUB a 1\r\nPUB a 12\r\nab\r\nPING\r\ncd\r\nPING\r\n", pongs: 1 }],
  },
  {
    name: "size with leading zeros is echoed as sent",
    steps: [{ send: Q + "SUB foo 1\r\nPUB foo 002\r\nhi\r\nPING\r\n" }],
  },
  {
    name: "non-numeric sid is echoed",
    steps: [{ send: Q + "SUB foo abc.9\r\nPUB foo 1\r\nx\r\nPING\r\n" }],
  },
  {
    name: "payload longer than size: Unknown Protocol Operation",
    steps: [{ send: Q + "SUB foo 1\r\nPUB foo 2\r\nabc\r\nPING\r\n" }],
  },
  {
    name: "payload shorter than size: Unknown Protocol Operation",
    steps: [{ send: Q + "SUB foo 1\r\nPUB foo 10\r\nabc\r\nPING\r\n" }],
  },
  {
    name: "payload not followed by CRLF",
    steps: [{ send: Q + "PUB foo 3\r\nabcPING\r\n" }],
  },
  {
    name: "pipelined PUBs, one big write (proto_test IncompletePubArg, good part)",
    steps: [
      {
        send:
          Q +
          "SUB example 1\r\n" +
          `PUB example 300\r\n${"A".repeat(300)}\r\n`.repeat(3) +
          "PING\r\n",
      },
    ],
    noSplit: "large input",
  },
  {
    name: "corrupt PUB among good ones (proto_test IncompletePubArg)",
    steps: [
      {
        send:
          Q +
          `PUB example 10000\r\n${"A".repeat(10000)}\r\n`.repeat(2) +
          `PUB example 10000\r\n${"B".repeat(3371)}` +
          `PUB example 10000\r\n${"C".repeat(10000)}\r\n`,
      },
    ],
    noSplit: "large input",
  },
  {
    name: "100 KB payload delivered exactly",
    steps: [{ send: Q + `SUB big 1\r\nPUB big 102400\r\n${"x".repeat(102400)}\r\nPING\r\n` }],
    noSplit: "large input",
  },
  {
    name: "50 pipelined PUBs",
    steps: [{ send: Q + "SUB n 1\r\n" + "PUB n 2\r\nok\r\n".repeat(50) + PING }],
    noSplit: "large input",
  },
  {
    name: "UTF-8 subject and multi-byte payload",
    steps: [
      {
        send: Q + "SUB héllo.wörld.日本 1\r\nPUB héllo.wörld.日本 6\r\n日本\r\nPING\r\n",
      },
    ],
  },

  // Unknown and client-side ops
  { name: "unknown op FOO", steps: [{ send: Q + "FOO\r\nPING\r\n" }] },
  { name: "unknown op PUBS (proto_test)", steps: [{ send: Q + "PUBS foo 2\r\nok\r\n" }] },
  { name: "unknown op SUBZZZ (proto_test)", steps: [{ send: Q + "SUBZZZ foo 1\r\n" }] },
  { name: "unknown op ZZZ without line end (proto_test)", steps: [{ send: Q + "ZZZ" }] },
  { name: "op without args: UNSUB", steps: [{ send: Q + "UNSUB\r\nPING\r\n" }] },
  { name: "client MSG op is rejected", steps: [{ send: Q + "MSG foo 1 2\r\nhi\r\n" }] },
  { name: "route op RS+ from a client", steps: [{ send: Q + "RS+ $G foo\r\n" }] },
  { name: "account op A+ from a client", steps: [{ send: Q + "A+ foo\r\n" }] },
  { name: "leaf op LS+ from a client", steps: [{ send: Q + "LS+ foo\r\n" }] },
  {
    name: "client sends +OK and INFO: ignored",
    steps: [{ send: Q + '+OK\r\n+ok junk\r\nINFO {"server_id":"x"}\r\nPING\r\n' }],
  },
  {
    name: "client sends INFO with invalid JSON",
    steps: [{ send: Q + "INFO nope\r\nPING\r\n" }],
  },
  {
    name: "client sends -ERR",
    steps: [{ send: Q + "-ERR 'whatever'\r\nPING\r\n" }],
  },

  // Arg-count and size errors: silent close (§1.3)
  { name: "SUB a b c d: silent close", steps: [{ send: Q + "SUB a b c d\r\nPING\r\n" }] },
  { name: "SUB with one arg: silent close", steps: [{ send: Q + "SUB foo\r\nPING\r\n" }] },
  { name: "PUB foo bar: silent close", steps: [{ send: Q + "PUB foo bar\r\nPING\r\n" }] },
  { name: "PUB  1 (no subject): silent close", steps: [{ send: Q + "PUB  1\r\nPING\r\n" }] },
  { name: "PUB a b c d: silent close", steps: [{ send: Q + "PUB a b c 1\r\nx\r\nPING\r\n" }] },
  { name: "PUB negative size: silent close", steps: [{ send: Q + "PUB foo -1\r\nPING\r\n" }] },
  {
    name: "PUB size overflowing int64",
    steps: [{ send: Q + "PUB foo 99999999999999999999\r\nPING\r\n" }],
  },
  { name: "UNSUB with no sid", steps: [{ send: Q + "UNSUB \r\nPING\r\n" }] },
  { name: "UNSUB with 3 args", steps: [{ send: Q + "UNSUB 1 2 3\r\nPING\r\n" }] },

  // §1.4 HPUB / HMSG
  {
    name: "HPUB to header and non-header subscribers (headers stripped, size recomputed)",
    steps: [
      { conn: 1, send: Q + "SUB foo 1\r\nPING\r\n" },
      { send: H + `SUB foo 2\r\nHPUB foo reply 18 23\r\n${HDR}hello\r\nPING\r\n` },
      { conn: 1, send: PING },
    ],
  },
  {
    name: "HPUB without reply and with empty payload",
    steps: [{ send: H + `SUB foo 1\r\nHPUB foo 18 18\r\n${HDR}\r\nPING\r\n` }],
  },
  {
    name: "HPUB with zero header size",
    steps: [{ send: H + "SUB foo 1\r\nHPUB foo 0 5\r\nhello\r\nPING\r\n" }],
  },
  {
    name: "HPUB without headers negotiated: silent close",
    steps: [{ send: Q + `SUB foo 1\r\nHPUB foo 18 23\r\n${HDR}hello\r\nPING\r\n` }],
  },
  {
    name: "HPUB before CONNECT: silent close",
    steps: [{ send: `HPUB foo 18 23\r\n${HDR}hello\r\nPING\r\n` }],
  },
  {
    name: "HPUB header size > total: silent close",
    steps: [{ send: H + "HPUB foo 20 10\r\nPING\r\n" }],
  },
  { name: "HPUB with 2 args: silent close", steps: [{ send: H + "HPUB foo 10\r\nPING\r\n" }] },
  {
    name: "HPUB lowercase op",
    steps: [{ send: H + `SUB foo 1\r\nhpub foo 18 23\r\n${HDR}hello\r\nPING\r\n` }],
  },

  // §1.4 SUB / UNSUB semantics
  {
    name: "duplicate sid is ignored",
    steps: [{ send: Q + "SUB foo 1\r\nSUB bar 1\r\nPUB foo 1\r\na\r\nPUB bar 1\r\nb\r\nPING\r\n" }],
  },
  {
    name: "UNSUB then PUB: nothing delivered",
    steps: [{ send: Q + "SUB foo 1\r\nUNSUB 1\r\nPUB foo 1\r\na\r\nPING\r\n" }],
  },
  {
    name: "UNSUB 1 2 then 3 PUBs: 2 MSGs",
    steps: [{ send: Q + "SUB foo 1\r\nUNSUB 1 2\r\n" + "PUB foo 1\r\na\r\n".repeat(3) + PING }],
  },
  {
    name: "UNSUB 22 2 then 10 PUBs (proto_test UnsubMax)",
    steps: [{ send: Q + "SUB foo 22\r\nUNSUB 22 2\r\n" + "PUB foo 2\r\nok\r\n".repeat(10) + PING }],
  },
  {
    name: "UNSUB 1 1 after 2 deliveries removes at once",
    steps: [
      {
        send:
          Q +
          "SUB foo 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nUNSUB 1 1\r\nPUB foo 1\r\nc\r\nPING\r\n",
      },
    ],
  },
  {
    name: "UNSUB 1 3 after 1 delivery: 2 more",
    steps: [
      {
        send:
          Q +
          "SUB foo 1\r\nPUB foo 1\r\na\r\nUNSUB 1 3\r\n" +
          "PUB foo 1\r\nb\r\n".repeat(4) +
          PING,
      },
    ],
  },
  {
    name: "UNSUB with max 0 unsubscribes",
    steps: [{ send: Q + "SUB foo 1\r\nUNSUB 1 0\r\nPUB foo 1\r\na\r\nPING\r\n" }],
  },
  {
    name: "UNSUB with non-numeric max unsubscribes",
    steps: [{ send: Q + "SUB foo 1\r\nUNSUB 1 x\r\nPUB foo 1\r\na\r\nPING\r\n" }],
  },
  {
    name: "UNSUB max then re-SUB with the same sid",
    steps: [
      {
        send:
          Q +
          "SUB foo 1\r\nUNSUB 1 1\r\nPUB foo 1\r\na\r\nSUB bar 1\r\nPUB foo 1\r\nb\r\nPUB bar 1\r\nc\r\nPING\r\n",
      },
    ],
  },

  // §1.6 Subjects
  {
    name: "wildcard * matches exactly one token",
    steps: [
      {
        send:
          Q +
          "SUB foo.* 1\r\nPUB foo 1\r\na\r\nPUB foo.bar 1\r\nb\r\nPUB foo.bar.baz 1\r\nc\r\nPUB x.bar 1\r\nd\r\nPING\r\n",
      },
    ],
  },
  {
    name: "wildcard > matches one or more trailing tokens",
    steps: [
      {
        send:
          Q +
          "SUB foo.> 1\r\nPUB foo 1\r\na\r\nPUB foo.bar 1\r\nb\r\nPUB foo.bar.baz 1\r\nc\r\nPING\r\n",
      },
    ],
  },
  {
    name: "bare > matches everything",
    steps: [{ send: Q + "SUB > 1\r\nPUB a 1\r\na\r\nPUB a.b.c 1\r\nb\r\nPING\r\n" }],
  },
  {
    name: "wildcards in the middle: *.bar.*",
    steps: [
      {
        send:
          Q +
          "SUB *.bar.* 1\r\nPUB a.bar.c 1\r\na\r\nPUB a.baz.c 1\r\nb\r\nPUB bar.c 1\r\nc\r\nPING\r\n",
      },
    ],
  },
  {
    name: "literal tokens containing * and >",
    steps: [
      {
        send:
          Q +
          "SUB foo*.bar 1\r\nSUB f*o 2\r\nSUB foo> 3\r\nSUB *bar 4\r\n" +
          "PUB foo*.bar 1\r\na\r\nPUB fooX.bar 1\r\nb\r\nPUB f*o 1\r\nc\r\nPUB fxo 1\r\nd\r\n" +
          "PUB foo> 1\r\ne\r\nPUB *bar 1\r\nf\r\nPING\r\n",
      },
    ],
  },
  {
    name: "subjects are case-sensitive",
    steps: [{ send: Q + "SUB Foo 1\r\nPUB foo 1\r\na\r\nPUB Foo 1\r\nb\r\nPING\r\n" }],
  },
  {
    name: "overlapping subscriptions each get a copy (order unspecified)",
    steps: [
      {
        send:
          Q +
          "SUB foo.bar 1\r\nSUB foo.* 2\r\nSUB foo.> 3\r\nSUB > 4\r\nPUB foo.bar 2\r\nhi\r\nPING\r\n",
      },
    ],
    unordered: ["^MSG "],
  },
  {
    name: "two subs on one PUB (proto_test ProtoBasics)",
    steps: [
      { send: Q + "PING\r\n" },
      { send: "SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n" },
      { send: "SUB * 2\r\nPUB foo 2\r\nok\r\nPING\r\n" },
    ],
    unordered: ["^MSG "],
  },
  {
    name: "invalid SUB subjects: Invalid Subject, connection stays open",
    steps: [
      {
        send: Q + "SUB foo..bar 1\r\nSUB .foo 2\r\nSUB foo. 3\r\nSUB foo.>.bar 4\r\nPING\r\n",
      },
    ],
  },
  {
    name: "invalid SUB subjects: lone dot, >.> and *.>.*",
    steps: [{ send: Q + "SUB . 1\r\nSUB >.> 2\r\nSUB *.>.* 3\r\nPING\r\n" }],
  },
  {
    name: "invalid SUB subject with a queue group",
    steps: [{ send: Q + "SUB foo..bar q 1\r\nPING\r\n" }],
  },
  {
    name: "invalid subject SUB is not registered",
    steps: [{ send: Q + "SUB foo. 1\r\nSUB foo.* 1\r\nPUB foo.x 1\r\na\r\nPING\r\n" }],
  },
  {
    name: "pedantic PUB with wildcard: Invalid Publish Subject, still delivered",
    steps: [
      {
        send: 'CONNECT {"verbose":false,"pedantic":true}\r\nSUB > 1\r\nPUB foo.* 1\r\na\r\nPUB foo.> 1\r\nb\r\nPING\r\n',
      },
    ],
    noSplit: PEDANTIC_SPLIT,
  },
  {
    name: "pedantic PUB with empty token",
    steps: [
      {
        send: 'CONNECT {"verbose":false,"pedantic":true}\r\nSUB foo.* 1\r\nPUB foo..bar 1\r\na\r\nPUB foo. 1\r\nb\r\nPING\r\n',
      },
    ],
    noSplit: PEDANTIC_SPLIT,
  },
  {
    name: "pedantic + verbose PUB with wildcard",
    steps: [{ send: 'CONNECT {"pedantic":true}\r\nPUB foo.* 1\r\na\r\nPING\r\n' }],
    noSplit: PEDANTIC_SPLIT,
  },
  {
    name: "non-pedantic PUB foo.* is delivered to SUB foo.*",
    steps: [{ send: Q + "SUB foo.* 1\r\nSUB foo.> 2\r\nPUB foo.* 1\r\na\r\nPING\r\n" }],
    unordered: ["^MSG "],
  },
  {
    name: "reply subject is not validated",
    steps: [{ send: Q + "SUB a.b 1\r\nPUB a.b r.* 1\r\nx\r\nPUB a.b r..> 1\r\ny\r\nPING\r\n" }],
  },

  // §1.8 no responders
  {
    name: "no responders: 503 HMSG to the reply subscription",
    steps: [{ send: H + "SUB _INBOX.abc.* 9\r\nPUB svc _INBOX.abc.1 0\r\n\r\nPING\r\n" }],
  },
  {
    name: "no responders after HPUB request",
    steps: [
      { send: H + `SUB _INBOX.abc.* 9\r\nHPUB svc _INBOX.abc.2 18 20\r\n${HDR}hi\r\nPING\r\n` },
    ],
  },
  {
    name: "no responders: not sent without a reply subject",
    steps: [{ send: H + "SUB _INBOX.abc.* 9\r\nPUB svc 0\r\n\r\nPING\r\n" }],
  },
  {
    name: "no responders: not sent when no own sub matches the reply",
    steps: [{ send: H + "SUB _INBOX.abc.* 9\r\nPUB svc _INBOX.zzz.1 0\r\n\r\nPING\r\n" }],
  },
  {
    name: "no responders: not sent without no_responders in CONNECT",
    steps: [{ send: HO + "SUB _INBOX.abc.* 9\r\nPUB svc _INBOX.abc.1 0\r\n\r\nPING\r\n" }],
  },
  {
    name: "no responders: not sent when a responder exists",
    steps: [
      { conn: 1, send: Q + "SUB svc 1\r\nPING\r\n" },
      { send: H + "SUB _INBOX.abc.* 9\r\nPUB svc _INBOX.abc.1 2\r\nhi\r\nPING\r\n" },
      { conn: 1, send: PING },
    ],
  },
  {
    name: "no responders: own plain sub on the subject counts as a receiver",
    steps: [
      { send: H + "SUB _INBOX.abc.* 9\r\nSUB svc 3\r\nPUB svc _INBOX.abc.1 0\r\n\r\nPING\r\n" },
    ],
  },
  {
    name: "no responders: reply matched only by own queue sub",
    steps: [{ send: H + "SUB _INBOX.abc.* q 9\r\nPUB svc _INBOX.abc.1 0\r\n\r\nPING\r\n" }],
  },
  {
    name: "no responders with echo false",
    steps: [
      {
        send:
          'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"echo":false}\r\n' +
          "SUB _INBOX.abc.* 9\r\nPUB svc _INBOX.abc.1 0\r\n\r\nPING\r\n",
      },
    ],
  },

  // §1.7 queue groups
  {
    name: "queue group with one member gets every message",
    steps: [{ send: Q + "SUB foo g 1\r\n" + "PUB foo 1\r\na\r\n".repeat(3) + PING }],
  },
  {
    name: "queue group plus plain sub: each gets one",
    steps: [{ send: Q + "SUB foo 1\r\nSUB foo g 2\r\nSUB foo g 3\r\nPUB foo 1\r\na\r\nPING\r\n" }],
    mask: [["^MSG foo [23] ", "MSG foo <g> "]],
    unordered: ["^MSG "],
  },
  {
    name: "two queue groups: one member of each (proto_test MultipleQueueSub)",
    steps: [
      {
        send:
          Q +
          "SUB foo g1 1\r\nSUB foo g1 2\r\nSUB foo g2 3\r\nSUB foo g2 4\r\n" +
          "PUB foo 2\r\nok\r\n".repeat(5) +
          PING,
      },
    ],
    mask: [
      ["^MSG foo [12] ", "MSG foo <g1> "],
      ["^MSG foo [34] ", "MSG foo <g2> "],
    ],
    unordered: ["^MSG "],
  },
  {
    name: "queue group of two gets each message once (proto_test QueueSub)",
    steps: [
      {
        send:
          Q +
          "SUB foo qgroup1 22\r\nSUB foo qgroup1 32\r\n" +
          "PUB foo 2\r\nok\r\n".repeat(20) +
          PING,
      },
    ],
    mask: [["^MSG foo (22|32) ", "MSG foo <q> "]],
  },
  {
    name: "queue member UNSUB",
    steps: [{ send: Q + "SUB foo g 1\r\nUNSUB 1\r\nPUB foo 1\r\na\r\nPING\r\n" }],
  },
  {
    name: "queue sub with wildcard subject",
    steps: [{ send: Q + "SUB foo.* g 1\r\nPUB foo.a 1\r\na\r\nPUB foo 1\r\nb\r\nPING\r\n" }],
  },

  // Limits
  {
    name: "max_control_line exceeded by a SUB",
    config: "maxControlLine256",
    steps: [{ send: Q + `SUB ${"s".repeat(300)} 1\r\nPING\r\n` }],
  },
  {
    name: "control line exactly at max_control_line",
    config: "maxControlLine256",
    steps: [{ send: Q + `SUB ${"s".repeat(250)} 1\r\nPING\r\n` }],
  },
  {
    name: "max_control_line exceeded by a long CONNECT",
    config: "maxControlLine256",
    steps: [{ send: `CONNECT {"verbose":false,"name":"${"n".repeat(300)}"}\r\nPING\r\n` }],
  },
  {
    name: "max_control_line exceeded without a line end (proto_test ControlLineMaximums)",
    config: "maxControlLine256",
    steps: [{ send: Q + "PUB foo " + "2222222222".repeat(32) }],
  },
  {
    name: "PING longer than max_control_line is fine",
    config: "maxControlLine256",
    steps: [{ send: Q + `PING ${"j".repeat(400)}\r\n` }],
  },
  {
    name: "default max_control_line 4096: long CONNECT",
    steps: [{ send: `CONNECT {"verbose":false,"name":"${"n".repeat(5000)}"}\r\nPING\r\n` }],
    noSplit: "large input",
  },
  {
    name: "max_payload: PUB at the limit is delivered",
    config: "maxPayload512",
    steps: [{ send: Q + `SUB foo 1\r\nPUB foo 512\r\n${"p".repeat(512)}\r\nPING\r\n` }],
  },
  {
    name: "max_payload: PUB over the limit",
    config: "maxPayload512",
    steps: [{ send: Q + `SUB foo 1\r\nPUB foo 513\r\n${"p".repeat(513)}\r\nPING\r\n` }],
  },
  {
    name: "max_payload: HPUB total over the limit",
    config: "maxPayload512",
    steps: [{ send: H + "HPUB foo 18 600\r\nPING\r\n" }],
  },
  {
    name: "max_payload: default limit 1 MiB + 1",
    steps: [{ send: Q + "PUB foo 1048577\r\n" }],
  },
  {
    name: "max_subscriptions exceeded: error, connection stays open",
    config: "maxSubs2",
    steps: [
      {
        send:
          Q +
          "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPUB a 1\r\ny\r\nUNSUB 1\r\nSUB c 3\r\nPUB c 1\r\nz\r\nPING\r\n",
      },
    ],
  },
  {
    name: "max_connections exceeded",
    config: "maxConns1",
    steps: [{ send: Q + PING }, { conn: 1, send: Q + PING }],
  },

  // §1.10 keepalive
  {
    name: "stale connection: PING, PING, Stale Connection, close",
    config: "ping1s",
    serverPings: true,
    steps: [{ send: Q }, { waitMs: 3300 }],
    closeWaitMs: 1000,
    noSplit: "timer-driven",
  },
  {
    name: "PONG resets the outstanding PING count",
    config: "ping1s",
    serverPings: true,
    steps: [{ send: Q }, { waitMs: 1500 }, { send: "PONG\r\n" }, { waitMs: 2000 }],
    noSplit: "timer-driven",
  },
  {
    // No RTT has been measured yet, so nats-server pings whatever the client did.
    name: "first server PING is sent despite client activity",
    config: "ping1s",
    serverPings: true,
    steps: [{ send: Q }, { waitMs: 500 }, { send: "PUB x 1\r\na\r\n" }, { waitMs: 900 }],
    noSplit: "timer-driven",
  },
  {
    // After a PING/PONG round trip, a PUB within the interval skips the next PING (§1.10).
    name: "after a PONG, client PUB activity delays the next server PING",
    config: "ping1s",
    serverPings: true,
    steps: [{ send: Q }, { waitMs: 1500 }, { send: "PONG\r\nPUB x 1\r\na\r\n" }, { waitMs: 1000 }],
    closeWaitMs: 50,
    noSplit: "timer-driven",
  },

  // §1.11 auth
  {
    name: "token auth: INFO has auth_required",
    config: "token",
    steps: [],
  },
  {
    name: "token auth: PUB before CONNECT is an Authorization Violation",
    config: "token",
    steps: [{ send: "PUB foo 1\r\nx\r\n" }],
  },
  {
    name: "token auth: PING before CONNECT is an Authorization Violation",
    config: "token",
    steps: [{ send: "PING\r\n" }],
  },
  {
    name: "token auth: wrong token",
    config: "token",
    steps: [{ send: 'CONNECT {"verbose":false,"auth_token":"nope"}\r\nPING\r\n' }],
  },
  {
    name: "token auth: no token",
    config: "token",
    steps: [{ send: 'CONNECT {"verbose":false}\r\nPING\r\n' }],
  },
  {
    name: "token auth: right token",
    config: "token",
    steps: [{ send: 'CONNECT {"verbose":false,"auth_token":"s3cr3t"}\r\nPING\r\n' }],
  },
  {
    name: "token auth: verbose CONNECT gets +OK",
    config: "token",
    steps: [{ send: 'CONNECT {"auth_token":"s3cr3t"}\r\nPING\r\n' }],
  },
  {
    name: "users: wrong password",
    config: "users",
    steps: [{ send: 'CONNECT {"verbose":false,"user":"alice","pass":"nope"}\r\nPING\r\n' }],
  },
  {
    name: "users: unknown user",
    config: "users",
    steps: [{ send: 'CONNECT {"verbose":false,"user":"carol","pass":"pw"}\r\nPING\r\n' }],
  },
  {
    name: "users: a user without permissions may do anything",
    config: "users",
    steps: [
      {
        send: 'CONNECT {"verbose":false,"user":"bob","pass":"pw2"}\r\nSUB > 1\r\nPUB any.thing 2\r\nhi\r\nPING\r\n',
      },
    ],
  },
  {
    name: "permissions: publish allowed, denied, and not in the allow list; connection stays open",
    config: "users",
    steps: [
      {
        send:
          'CONNECT {"verbose":false,"user":"alice","pass":"pw"}\r\nSUB orders.* 1\r\n' +
          "PUB orders.new 1\r\na\r\nPUB orders.secret 1\r\nb\r\nPUB other 1\r\nc\r\nPING\r\n",
      },
    ],
  },
  {
    name: "permissions: subscribe allowed, denied, outside the allow list; connection stays open",
    config: "users",
    steps: [
      {
        send:
          'CONNECT {"verbose":false,"user":"alice","pass":"pw"}\r\nSUB orders.x 1\r\nSUB orders.private 2\r\n' +
          "SUB other 3\r\nSUB orders.> 4\r\nPING\r\n",
      },
    ],
  },
  {
    name: "permissions: queue-qualified subscribe allow",
    config: "users",
    steps: [
      {
        send:
          'CONNECT {"verbose":false,"user":"alice","pass":"pw"}\r\nSUB work 1\r\nSUB work v1 2\r\n' +
          "SUB work v2 3\r\nPING\r\n",
      },
    ],
  },
  {
    name: "permissions: verbose +OK and the violation for a denied publish",
    config: "users",
    steps: [
      { send: 'CONNECT {"user":"alice","pass":"pw"}\r\nPUB orders.secret 1\r\nb\r\nPING\r\n' },
    ],
  },
  {
    name: "no_auth_user: PUB and SUB without CONNECT",
    config: "noAuthUser",
    steps: [{ send: "SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n" }],
  },
  {
    name: "no_auth_user: CONNECT without credentials",
    config: "noAuthUser",
    steps: [{ send: 'CONNECT {"verbose":false}\r\nPING\r\n' }],
  },
  {
    name: "auth timeout: no CONNECT within authorization.timeout",
    config: "authTimeout1s",
    steps: [{ waitMs: 1300 }],
    noSplit: "timer-driven",
  },
];

/** Total bytes a case sends; the byte-by-byte variant is limited to small cases. */
export function caseInputBytes(c: TranscriptCase): number {
  return c.steps.reduce((n, s) => n + Buffer.byteLength(s.send ?? "", "utf8"), 0);
}
