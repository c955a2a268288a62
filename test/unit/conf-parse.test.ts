import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  ConfParseError,
  parseConf,
  type ConfEntry,
  type ConfMap,
  type ConfValue,
  type ParseConfOptions,
} from "../../server/conf/parse";

// nats-server's own test configs, compared with its Go parser's reading. They are not
// vendored here: point MQ9_NATS_CONF_CORPUS at a copy (see docs/config.md) to run them.
const FIXTURES =
  process.env.MQ9_NATS_CONF_CORPUS ??
  path.join(import.meta.dirname, "../../.tmp/nats-server-2.9.10");
const HAVE_CORPUS = fs.existsSync(FIXTURES);

function parse(text: string, options: ParseConfOptions = {}): ConfMap {
  return parseConf(text, { file: "t.conf", ...options });
}

/** Plain JS for deepEqual: integers and floats as numbers, maps as objects. */
function plain(v: ConfValue): unknown {
  switch (v.kind) {
    case "array":
      return v.items.map(plain);
    case "map":
      return Object.fromEntries([...v.entries].map(([k, e]) => [k, plain(e.value)]));
    default:
      return v.value;
  }
}

function values(text: string, options?: ParseConfOptions): Record<string, unknown> {
  return plain(parse(text, options)) as Record<string, unknown>;
}

function entry(map: ConfMap, key: string): ConfEntry {
  const e = map.entries.get(key);
  assert.ok(e, `no key ${key}`);
  return e;
}

function value(text: string, key = "a", options?: ParseConfOptions): ConfValue {
  return entry(parse(text, options), key).value;
}

/** Asserts a ConfParseError at line:column whose reason matches. */
function fails(
  text: string,
  line: number,
  column: number,
  reason: RegExp,
  options?: ParseConfOptions,
) {
  assert.throws(
    () => parse(text, options),
    (e: unknown) => {
      assert.ok(e instanceof ConfParseError, String(e));
      assert.match(e.reason, reason);
      assert.deepEqual([e.pos.line, e.pos.column], [line, column], e.message);
      assert.equal(e.message, `${e.pos.file}:${line}:${column}: ${e.reason}`);
      return true;
    },
  );
}

describe("conf syntax", () => {
  it("accepts the three key separators, with or without spaces", () => {
    assert.deepEqual(values("a: 1\nb = 2\nc 3\nd:4\ne=5\nf\t6\n"), {
      a: 1,
      b: 2,
      c: 3,
      d: 4,
      e: 5,
      f: 6,
    });
  });

  it("ends values at new lines, semicolons or commas", () => {
    assert.deepEqual(values("foo='1'; bar=2.2; baz=true; boo=22"), {
      foo: "1",
      bar: 2.2,
      baz: true,
      boo: 22,
    });
    assert.deepEqual(values("a:1,b:2\r\nc: 3\r\n"), { a: 1, b: 2, c: 3 });
  });

  it("skips # and // comments everywhere", () => {
    const text = `# top
// also top
a = 1 # after a value
b = 2 // after a value
m {
  # in a map
  x: 1 // after
  // before the end
}
l [
  1 # in an array
  // between items
  2
]`;
    assert.deepEqual(values(text), { a: 1, b: 2, m: { x: 1 }, l: [1, 2] });
    assert.deepEqual(values("# only a comment"), {});
    assert.deepEqual(values(""), {});
  });

  it("takes quoted keys, which may hold spaces", () => {
    assert.deepEqual(values(`"quoted key": 1\n'single' = 2\n" k" : 3\nm { "a b": 4 }`), {
      "quoted key": 1,
      single: 2,
      " k": 3,
      m: { "a b": 4 },
    });
  });

  it("lets a value start on the next line where nats-server does", () => {
    // After a key with no separator, and inside maps (lex.go lexKeyEnd, lexMapValue).
    assert.deepEqual(values("a\n= 1\nm {\n b:\n  2\n}"), { a: 1, m: { b: 2 } });
    fails("a =\n1", 1, 4, /expected a value, found a new line/);
  });

  it("tolerates a whole file wrapped in braces", () => {
    assert.deepEqual(values("{ port: 1 }"), { port: 1 });
    assert.deepEqual(values("{\n  port: 1\n  host: x\n}\n"), { port: 1, host: "x" });
  });

  it("parses nested maps with any separators", () => {
    const text = `
foo  {
  host {
    ip   = '127.0.0.1'
    port = 4242
  }
  servers = [ "a.com", "b.com", "c.com"]
}
m = {ip='127.0.0.1', port = 4242}
n {a: 1; b: 2,}`;
    assert.deepEqual(values(text), {
      foo: { host: { ip: "127.0.0.1", port: 4242 }, servers: ["a.com", "b.com", "c.com"] },
      m: { ip: "127.0.0.1", port: 4242 },
      n: { a: 1, b: 2 },
    });
  });

  it("parses arrays separated by commas or new lines, nested, with maps", () => {
    const text = `
a = [1, 2,3,'bar']
b [
  1
  2,
  "three",
]
c: []
d: [[1, 2], ["x"]]
e [
  { abc: 123 }
  { xyz: "word" }
]`;
    assert.deepEqual(values(text), {
      a: [1, 2, 3, "bar"],
      b: [1, 2, "three"],
      c: [],
      d: [[1, 2], ["x"]],
      e: [{ abc: 123 }, { xyz: "word" }],
    });
  });

  it("reads `[1, 2]` as integers (nats-server 2.9.10 fails on a digit touching `]`)", () => {
    assert.deepEqual(values("a: [1, 2]"), { a: [1, 2] });
    assert.deepEqual(values("a: [1k]"), { a: [1000] });
  });

  it("keeps the last definition of a key, in the slot of the first", () => {
    const m = parse("a = 1\nb = 2\na = 3");
    assert.deepEqual([...m.entries.keys()], ["a", "b"]);
    assert.equal(plain(entry(m, "a").value), 3);
  });
});

describe("conf values", () => {
  it("strings: unquoted, single-quoted (raw, multi-line), double-quoted (escapes)", () => {
    assert.deepEqual(
      values(`a: bar
b: 'bar\\r\\n  \\t'
c: 'multi
line'
d: "x\\ty\\n\\r\\"q\\"\\\\"
e: "\\x41\\x42"
f: start\\x45\\x71
g: ""
h: ''
i: foo#bar
j: nats-route://foo:bar@apcera.me:4245
k: "multi
line"
l: "\\xc3\\xa9"`),
      {
        a: "bar",
        b: "bar\\r\\n  \\t",
        c: "multi\nline",
        d: 'x\ty\n\r"q"\\',
        e: "AB",
        f: "startEq",
        g: "",
        h: "",
        i: "foo#bar",
        j: "nats-route://foo:bar@apcera.me:4245",
        k: "multi\nline",
        l: "é",
      },
    );
  });

  it("strings that start with digits, addresses and durations stay strings", () => {
    assert.deepEqual(
      values(
        "a: 3xyz\nb: 1.2.3.4\nc: 127.0.0.1:4222\nd: 2s\ne: 10s\nf: 1h\ng: 5ms\nh: 1Ghz\ni: 0x10\nj: 1b\nk: 10.0.0.1:-1",
      ),
      {
        a: "3xyz",
        b: "1.2.3.4",
        c: "127.0.0.1:4222",
        d: "2s",
        e: "10s",
        f: "1h",
        g: "5ms",
        h: "1Ghz",
        i: "0x10",
        j: "1b",
        k: "10.0.0.1:-1",
      },
    );
  });

  it('durations: quoted strings such as "1m30s" are kept; unquoted 1m30s is an error as in nats-server', () => {
    assert.deepEqual(values('a: "2s"\nb: "1m30s"'), { a: "2s", b: "1m30s" });
    fails("a: 1m30s", 1, 6, /found '3'/);
  });

  it("integers, negatives, leading zeros; floats", () => {
    assert.deepEqual(values("a: 123\nb: -123\nc: 007\nd: 22.2\ne: -1.5\nf: 0\ng: 0.5"), {
      a: 123,
      b: -123,
      c: 7,
      d: 22.2,
      e: -1.5,
      f: 0,
      g: 0.5,
    });
    const i = value("a: 64KB");
    assert.equal(i.kind, "integer");
    assert.equal(i.kind === "integer" && i.raw, "64KB");
    assert.equal(value("a: 1.5").kind, "float");
  });

  it("booleans: true/false, yes/no, on/off in any case; quoted ones are strings", () => {
    assert.deepEqual(
      values(
        'a: true\nb: TRUE\nc: yes\nd: on\ne: false\nf: No\ng: OFF\nh: "true"\ni: \\\\true\nj: tRuE;',
      ),
      {
        a: true,
        b: true,
        c: true,
        d: true,
        e: false,
        f: false,
        g: false,
        h: "true",
        i: "\\true",
        j: true,
      },
    );
  });

  it("sizes: one letter is 1000-based, b/i/ib after it 1024-based (conf/parse.go)", () => {
    const table: [string, number][] = [
      ["8k", 8_000],
      ["1K", 1_000],
      ["4kb", 4 * 1024],
      ["3ki", 3 * 1024],
      ["4KiB", 4 * 1024],
      ["1m", 1_000_000],
      ["1M", 1_000_000],
      ["2MB", 2 * 1024 ** 2],
      ["2Mi", 2 * 1024 ** 2],
      ["64MiB", 64 * 1024 ** 2],
      ["2g", 2e9],
      ["1Gb", 1024 ** 3],
      ["22GB", 22 * 1024 ** 3],
      ["22Gi", 22 * 1024 ** 3],
      ["1t", 1e12],
      ["22TB", 22 * 1024 ** 4],
      ["1p", 1e15],
      ["2PB", 2 * 1024 ** 5],
      ["-1m", -1_000_000],
      ["-1GB", -(1024 ** 3)],
    ];
    for (const [text, expected] of table) {
      assert.equal(plain(value(`a = ${text}`)), expected, text);
    }
    // Letters after a size suffix make it a string (lex_test.go).
    assert.deepEqual(values("a: 2Pie\nb: 3Mbs,"), { a: "2Pie", b: "3Mbs" });
  });

  it("datetimes in full Zulu form", () => {
    const v = value("now = 2016-05-04T18:53:41Z\ngmt = false", "now");
    assert.equal(v.kind, "datetime");
    assert.equal(v.kind === "datetime" && v.value.toISOString(), "2016-05-04T18:53:41.000Z");
    fails("a: 2016-05-04", 1, 14, /ISO 8601/);
    fails("a: 12-34", 1, 6, /ISO 8601/);
  });

  it("blocks: ( … ) with ')' alone on a line hold raw multi-line text", () => {
    assert.equal(
      plain(value("a: (\nline one\n  $notavar {\n)\nb: 1", "a")),
      "\nline one\n  $notavar {\n",
    );
    fails("a: (\nnever closed)", 1, 4, /unterminated block/);
  });

  it("$2a$ values are bcrypt hashes, not variables", () => {
    assert.deepEqual(values("password: $2a$11$ooo"), { password: "$2a$11$ooo" });
  });
});

describe("conf variables", () => {
  it("resolve keys defined above, innermost block first (parse_test.go)", () => {
    const text = `
  index = 22
  nest {
    index = 11
    foo = $index
  }
  bar = $index
`;
    assert.deepEqual(values(text), { index: 22, nest: { index: 11, foo: 11 }, bar: 22 });
  });

  it("see only what is defined before the reference", () => {
    assert.deepEqual(values("A = 1\nB = $A\nA = 2\nC = $A"), { A: 2, B: 1, C: 2 });
    fails("a { b = $a }", 1, 9, /variable "\$a" is not defined/);
  });

  it("can be maps and arrays, and mark their definition as used", () => {
    const m = parse("perm = { publish: [a, b] }\nunused = 1\nusers = [ {p: $perm}, {p: $perm} ]");
    assert.deepEqual(plain(m), {
      perm: { publish: ["a", "b"] },
      unused: 1,
      users: [{ p: { publish: ["a", "b"] } }, { p: { publish: ["a", "b"] } }],
    });
    assert.equal(entry(m, "perm").usedAsVariable, true);
    assert.equal(entry(m, "unused").usedAsVariable, false);
  });

  it("report their own position, at the reference", () => {
    const v = value("x = 5\n\nport: $x", "port");
    assert.deepEqual([v.pos.line, v.pos.column], [3, 7]);
  });

  it("fall back to the environment, whose text is parsed as a value", () => {
    const env = {
      NUM: "22",
      STR: "xyz",
      DIGITS: "3xyz",
      QUOTED: "'3xyz'",
      SIZE: "1k",
      BOOL: "true",
      LIST: "[1, 2]",
      EMPTY: "",
      REF: "$NUM",
    };
    assert.deepEqual(
      values(
        "a = $NUM\nb = $STR\nc = $DIGITS\nd = $QUOTED\ne = $SIZE\nf = $BOOL\ng = $LIST\nh = $EMPTY\ni = $REF",
        { env },
      ),
      { a: 22, b: "xyz", c: "3xyz", d: "3xyz", e: 1000, f: true, g: [1, 2], h: "", i: 22 },
    );
    // A key in the file wins over the environment.
    assert.deepEqual(values("NUM = 1\na = $NUM", { env }), { NUM: 1, a: 1 });
  });

  it("report a missing variable, a bad environment value and a cycle at the reference", () => {
    fails("foo = 1\nbar = $index", 2, 7, /variable "\$index" is not defined/);
    fails("a = $E", 1, 5, /environment variable \$E could not be parsed/, { env: { E: "a b" } });
    fails("a = $A", 1, 5, /cycle/, { env: { A: "$B", B: "$A" } });
  });
});

describe("conf includes", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-conf-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const readInclude = (p: string) => fs.readFileSync(p, "utf8");
  const parseFile = (p: string) => parseConf(fs.readFileSync(p, "utf8"), { file: p, readInclude });

  it("merges an included file's keys where the include is, relative to the including file", () => {
    write("sub/passwords.conf", "ALICE_PASS: $2a$10$abc\nBOB_PASS: bob\n");
    write(
      "sub/users.conf",
      "include ./passwords.conf;\nusers = [\n {user: alice, password: $ALICE_PASS}\n {user: bob, password: $BOB_PASS}\n]\n",
    );
    const main = write(
      "main.conf",
      "listen: 127.0.0.1:4222\nauthorization {\n  include 'sub/users.conf' # from a file\n  timeout: 0.5\n}\n",
    );
    const m = parseFile(main);
    assert.deepEqual(plain(m), {
      listen: "127.0.0.1:4222",
      authorization: {
        ALICE_PASS: "$2a$10$abc",
        BOB_PASS: "bob",
        users: [
          { user: "alice", password: "$2a$10$abc" },
          { user: "bob", password: "bob" },
        ],
        timeout: 0.5,
      },
    });
    const users = entry(m.entries.get("authorization")?.value as ConfMap, "users");
    assert.equal(users.pos.file, path.join(dir, "sub/users.conf"));
    assert.equal(users.pos.line, 2);
  });

  it("accepts double-quoted and bare file names; included keys can be variables below", () => {
    write("vars.conf", "PORT = 4333\n");
    const main = write(
      "vars-main.conf",
      'include "vars.conf"\nport = $PORT\nm { include vars.conf\n p = $PORT }\n',
    );
    assert.deepEqual(plain(parseFile(main)), {
      PORT: 4333,
      port: 4333,
      m: { PORT: 4333, p: 4333 },
    });
  });

  it("reports a missing include, a cycle and an include where none can be read", () => {
    const missing = write("missing.conf", "a = 1\n\ninclude 'nope.conf'\n");
    assert.throws(
      () => parseFile(missing),
      (e: unknown) => {
        assert.ok(e instanceof ConfParseError);
        assert.equal(e.pos.line, 3);
        assert.match(e.reason, /cannot read include file "nope.conf"/);
        return true;
      },
    );
    write("cycle-a.conf", "include cycle-b.conf\n");
    const b = write("cycle-b.conf", "x = 1\ninclude cycle-a.conf\n");
    assert.throws(() => parseFile(b), /include cycle/);
    fails("include 'x.conf'", 1, 1, /includes are not available/);
  });

  it("reports errors inside an included file with that file's name and line", () => {
    write("bad-inc.conf", "ok = 1\nbad = [1,,2]\n");
    const main = write("bad-main.conf", "include bad-inc.conf\n");
    assert.throws(
      () => parseFile(main),
      (e: unknown) => {
        assert.ok(e instanceof ConfParseError);
        assert.equal(e.pos.file, path.join(dir, "bad-inc.conf"));
        assert.equal(e.pos.line, 2);
        return true;
      },
    );
  });
});

describe("conf errors and positions", () => {
  it("gives every key and value a line and a column", () => {
    const m = parse("a = 1\n  b {\n    c: 'x'\n  }\nd: [\n  7\n]\n");
    const b = entry(m, "b");
    assert.deepEqual([b.pos.line, b.pos.column], [2, 3]);
    assert.deepEqual([b.value.pos.line, b.value.pos.column], [2, 5]);
    const c = entry(b.value as ConfMap, "c");
    assert.deepEqual([c.pos.line, c.pos.column, c.value.pos.column], [3, 5, 8]);
    const d = entry(m, "d").value;
    assert.ok(d.kind === "array");
    assert.deepEqual([d.items[0]?.pos.line, d.items[0]?.pos.column], [6, 3]);
  });

  it("counts CRLF as one line break", () => {
    const m = parse("a: 1\r\nb {\r\n  c: 2\r\n}\r\n");
    assert.equal(entry(entry(m, "b").value as ConfMap, "c").pos.line, 3);
  });

  it("reports bad input with file:line:column and the reason", () => {
    const cases: [string, number, number, RegExp][] = [
      ["a = 1\nb = [1,,2]", 2, 8, /unexpected ','/],
      ["a = [,1]", 1, 6, /unexpected ','/],
      ["a = [1 2]", 1, 8, /expected ',', a new line or ']'/],
      ["a = {b: 1 c: 2}", 1, 11, /expected ',', a new line or '}'/],
      ["a {\n b: 1\n", 1, 3, /missing '}'/],
      ["a = [1,\n2", 1, 5, /missing '\]'/],
      ['a = "abc', 1, 5, /unterminated string/],
      ["a = 'abc", 1, 5, /unterminated string/],
      ['a = "\\y"', 1, 6, /invalid escape '\\y'/],
      ['a = "\\x4"', 1, 6, /two hexadecimal digits/],
      ['a = "\\xZZ"', 1, 6, /two hexadecimal digits/],
      ["a = .5", 1, 5, /must start with a digit/],
      ["a = 1.x", 1, 7, /expected a digit after '.'/],
      ["a = -x", 1, 6, /expected a digit after '-'/],
      ["a = 1 2", 1, 7, /expected a new line/],
      ["a = 10.0.1.22:foo", 1, 15, /expected a new line/],
      ["a: 1kbb", 1, 4, /invalid size suffix/],
      ["a: 99999999999999999999", 1, 4, /out of range/],
      ["a: 8EB", 1, 4, /too large/],
      ["foo", 1, 1, /missing value for key "foo"/],
      ["foo =", 1, 1, /missing value for key "foo"/],
      ["m { b: }", 1, 5, /missing value for key "b"/],
      [": 1", 1, 1, /unexpected key separator/],
      ["m { ] }", 1, 5, /unexpected '\]'/],
      ["/a: 1", 1, 1, /unexpected '\/'/],
      ["include\n", 1, 8, /expected a file name after include/],
      ["include 42", 1, 9, /expected a file name after include/],
      ["a [[[[", 1, 6, /missing '\]'/],
    ];
    for (const [text, line, column, reason] of cases) fails(text, line, column, reason);
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    fails(`a = ${"[".repeat(500)}`, 1, 205, /nested too deeply/);
  });
});

// --- the corpus: nats-server's own test configs, read as nats-server reads them ---

interface Row {
  file: string;
  path: string;
  type: string;
  value: string;
  line: string;
}

/** Same shape as oracle/main.go's output. */
function flatten(file: string, map: ConfMap): string[] {
  const out: string[] = [];
  const visit = (p: string, v: ConfValue, line: string) => {
    const leaf =
      v.kind === "string"
        ? JSON.stringify(v.value)
        : v.kind === "datetime"
          ? v.value.toISOString().replace(".000Z", "Z")
          : v.kind === "array" || v.kind === "map"
            ? ""
            : String(v.value);
    out.push([file, p, v.kind, leaf, line].join("\t"));
    if (v.kind === "array") {
      // nats-server places a map inside an array at its closing brace: compare without.
      v.items.forEach((x, i) =>
        visit(`${p}[${i}]`, x, x.kind === "map" ? "-" : String(x.pos.line)),
      );
    } else if (v.kind === "map") {
      for (const k of [...v.entries.keys()].sort()) {
        const e = v.entries.get(k) as ConfEntry;
        visit(`${p}.${k}`, e.value, String(e.pos.line));
      }
    }
  };
  for (const k of [...map.entries.keys()].sort()) {
    const e = map.entries.get(k) as ConfEntry;
    visit(k, e.value, String(e.pos.line));
  }
  return out;
}

function corpus(): Map<string, Row[]> {
  const rows = new Map<string, Row[]>();
  const tsv = fs.readFileSync(path.join(FIXTURES, "parsed-by-nats-server.tsv"), "utf8");
  for (const line of tsv.split("\n")) {
    if (line === "") continue;
    const [file, p, type, v, l] = line.split("\t") as [string, string, string, string, string];
    const list = rows.get(file) ?? [];
    list.push({ file, path: p, type, value: v ?? "", line: l ?? "" });
    rows.set(file, list);
  }
  return rows;
}

describe(
  "nats-server 2.9.10's own config files",
  { skip: !HAVE_CORPUS && "no corpus (MQ9_NATS_CONF_CORPUS)" },
  () => {
    const expected = corpus();
    const files = [...expected.keys()];

    it("are all in the corpus (97 files)", () => {
      assert.equal(files.length, 97);
    });

    it("parse exactly as nats-server parses them: same keys, types, values and lines", () => {
      let compared = 0;
      for (const file of files) {
        const rows = expected.get(file) as Row[];
        const text = fs.readFileSync(path.join(FIXTURES, file), "utf8");
        const readInclude = (p: string) => fs.readFileSync(path.join(FIXTURES, p), "utf8");
        if (rows[0]?.path === "!error") {
          assert.throws(() => parseConf(text, { file, readInclude }), ConfParseError, file);
          continue;
        }
        const ours = flatten(file, parseConf(text, { file, readInclude }));
        const theirs = rows.map((r) => [r.file, r.path, r.type, r.value, r.line].join("\t"));
        assert.deepEqual(ours, theirs, file);
        compared += theirs.length;
      }
      assert.ok(compared > 1000, `only ${compared} values compared`);
    });

    it("fail where nats-server fails, at the same line or the one before", () => {
      const failing: [string, number][] = [
        ["server/configs/malformed_cluster_address.conf", 3],
        ["server/configs/malformed_listen_address.conf", 2],
        // nats-server reports line 3 for "trace:\n" on line 2: it has consumed the new line.
        ["server/configs/reload/invalid.conf", 2],
        ["server/configs/reload/reload.conf", 1],
      ];
      for (const [file, line] of failing) {
        assert.equal(expected.get(file)?.[0]?.path, "!error", file);
        const readInclude = (p: string) => fs.readFileSync(path.join(FIXTURES, p), "utf8");
        assert.throws(
          () =>
            parseConf(fs.readFileSync(path.join(FIXTURES, file), "utf8"), { file, readInclude }),
          (e: unknown) => e instanceof ConfParseError && e.pos.line === line,
          file,
        );
      }
    });

    it("reload.conf parses once the platform.conf its test writes exists", () => {
      const file = "server/configs/reload/reload.conf";
      const readInclude = (p: string) =>
        p.endsWith("platform.conf") ? "listen: 127.0.0.1:-1\n" : fs.readFileSync(p, "utf8");
      const m = parseConf(fs.readFileSync(path.join(FIXTURES, file), "utf8"), {
        file,
        readInclude,
      });
      assert.equal(plain(entry(m, "listen").value), "127.0.0.1:-1");
      assert.equal(plain(entry(m, "write_deadline").value), "3s");
    });
  },
);
