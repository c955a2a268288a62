#!/bin/sh
# Runs the official nats.js core test suite (core/tests/*.ts) against our broker through a
# `nats-server` symlink to scripts/nats-server, and prints passed/failed/ignored per file.
# issue 3 ("Prove it"): compare with Debian's nats-server via --server /usr/sbin/nats-server.
#
#   scripts/run-natsjs-suite.sh [options] <nats.js checkout> <deno binary> [test file …]
#     --server <exe>   the nats-server to test (default: this repository's scripts/nats-server)
#     --std <dir>      a checkout of Deno's standard library (denoland/std); without it a small
#                      built-in stand-in for @std/assert and @std/io is used
#     --out <dir>      where to keep the logs and counts (default: a temp dir)
#     --count-only     only print the counts of an earlier run in --out <dir>
#   env: JOBS (files run at once, 2), FILE_TIMEOUT (seconds per file, 600): against
#   nats-server 2.9 "basics - publish tracing" waits forever, so basics_test.ts always times out.
#
# Not for CI: it needs Deno (the `deno` npm package ships the binary: `npm install deno` in a
# temp dir, then node_modules/@deno/linux-x64-glibc/deno) and takes several minutes. It
# downloads nothing itself; Deno fetches the suite's three npm dependencies (nkeys, nuid,
# jwt) from the npm registry. jsr.io is never asked: every `jsr:` import of the suite is
# mapped to the checkout's own sources, to npm, or to the std/stand-in modules.
set -eu

usage() {
  sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

server=""
std=""
out=""
count_only=""
while [ $# -gt 0 ]; do
  case $1 in
    --server) server=$2; shift 2 ;;
    --std) std=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --count-only) count_only=1; shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
  esac
done
if [ -z "$count_only" ]; then
[ $# -ge 2 ] || usage
natsjs=$(cd "$1" && pwd -P)
deno=$2
shift 2
[ -f "$natsjs/core/tests/basics_test.ts" ] || { echo "not a nats.js (v3) checkout: $natsjs" >&2; exit 2; }
case $deno in */*) deno=$(cd "$(dirname "$deno")" && pwd -P)/$(basename "$deno") ;; esac
"$deno" --version >/dev/null

root=$(cd "$(dirname "$0")/.." && pwd -P)
[ -n "$server" ] || server=$root/scripts/nats-server
case $server in /*) ;; *) server=$(pwd -P)/$server ;; esac
[ -x "$server" ] || { echo "not executable: $server" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/natsjs-suite.XXXXXX")
mkdir -p "$out/bin" "$out/deps"
out=$(cd "$out" && pwd -P)
# The harness runs `nats-server -c <conf>` from PATH; the symlink's name is what our launcher
# names the ports file after.
ln -sf "$server" "$out/bin/nats-server"

if [ -z "$std" ]; then
  std=$out/deps/std
  mkdir -p "$std/assert" "$std/io"
  # A stand-in for the parts of @std/assert and @std/io the suite imports. Equality is
  # node's deep strict equality, which is what the suite's assertEquals calls rely on.
  cat >"$std/assert/mod.ts" <<'EOF'
import { isDeepStrictEqual, inspect } from "node:util";

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}
const show = (v: unknown) => inspect(v, { depth: 6 });
const why = (msg: string | undefined, text: string) => (msg ? `${msg}: ${text}` : text);

export function equal(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || isDeepStrictEqual(a, b);
}
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(msg);
}
export function assertFalse(expr: unknown, msg = ""): void {
  if (expr) throw new AssertionError(why(msg, `expected falsy, got ${show(expr)}`));
}
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) {
    throw new AssertionError(why(msg, `values are not equal: ${show(actual)} != ${show(expected)}`));
  }
}
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (equal(actual, expected)) throw new AssertionError(why(msg, `expected not equal to ${show(expected)}`));
}
export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T> {
  if (actual === undefined || actual === null) {
    throw new AssertionError(why(msg, `expected a value, got ${actual}`));
  }
}
// deno-lint-ignore no-explicit-any
type Ctor<T> = abstract new (...args: any[]) => T;
export function assertInstanceOf<T>(actual: unknown, type: Ctor<T>, msg?: string): asserts actual is T {
  if (!(actual instanceof type)) throw new AssertionError(why(msg, `expected an instance of ${type.name}`));
}
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  if (!expected.test(actual)) throw new AssertionError(why(msg, `${show(actual)} does not match ${expected}`));
}
export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(why(msg, `${show(actual)} does not include ${show(expected)}`));
  }
}
export function assertArrayIncludes<T>(actual: ArrayLike<T>, expected: ArrayLike<T>, msg?: string): void {
  const have = Array.from(actual);
  const missing = Array.from(expected).filter((e) => !have.some((a) => equal(a, e)));
  if (missing.length) throw new AssertionError(why(msg, `missing ${show(missing)} in ${show(have)}`));
}
export function fail(msg?: string): never {
  throw new AssertionError(why(msg, "Failed assertion"));
}
export function unreachable(msg?: string): never {
  throw new AssertionError(msg ?? "unreachable");
}

// assertThrows/assertRejects(fn, ErrorClass?, includes?, msg?) or (fn, msg?), as std's.
function checkError(e: unknown, args: unknown[]): Error {
  if (typeof args[0] !== "function") return e as Error;
  const [type, includes, msg] = args as [Ctor<Error>, string | undefined, string | undefined];
  if (!(e instanceof type)) {
    throw new AssertionError(why(msg, `expected error ${type.name}, got ${show(e)}`));
  }
  if (includes !== undefined && !String(e.message).includes(includes)) {
    throw new AssertionError(why(msg, `expected message to include ${show(includes)}, got ${show(e.message)}`));
  }
  return e;
}
export function assertThrows(fn: () => unknown, ...args: unknown[]): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof AssertionError && typeof args[0] !== "function") throw e;
    return checkError(e, args);
  }
  throw new AssertionError(why(typeof args[0] === "string" ? args[0] : (args[2] as string | undefined), "expected function to throw"));
}
export async function assertRejects(fn: () => PromiseLike<unknown>, ...args: unknown[]): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, args);
  }
  throw new AssertionError(why(typeof args[0] === "string" ? args[0] : (args[2] as string | undefined), "expected promise to reject"));
}
EOF
  cat >"$std/io/mod.ts" <<'EOF'
export async function writeAll(w: { write(p: Uint8Array): Promise<number> }, data: Uint8Array): Promise<void> {
  let n = 0;
  while (n < data.length) n += await w.write(data.subarray(n));
}
EOF
  printf '{"exports":{".":"./mod.ts"}}\n' >"$std/assert/deno.json"
  printf '{"exports":{".":"./mod.ts","./write-all":"./mod.ts"}}\n' >"$std/io/deno.json"
  pkgs="assert io"
else
  std=$(cd "$std" && pwd -P)
  pkgs="assert internal io fmt bytes"
fi

# The import map: nats.js's own packages from the checkout, its npm-published deps from npm,
# @std/* from $std (the suite's deno.json files would send all of these to jsr).
node - "$natsjs" "$std" "$out/deps/import_map.json" $pkgs <<'EOF'
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const [natsjs, std, file, ...pkgs] = process.argv.slice(2);
const imports = {};
for (const pkg of pkgs) {
  const meta = JSON.parse(readFileSync(join(std, pkg, "deno.json"), "utf8"));
  for (const [k, v] of Object.entries(meta.exports)) {
    imports[`@std/${pkg}${k === "." ? "" : k.slice(1)}`] = join(std, pkg, v);
  }
}
Object.assign(imports, {
  "@nats-io/nkeys": "npm:@nats-io/nkeys@2.0.3",
  "@nats-io/nuid": "npm:@nats-io/nuid@3.0.0",
  "@nats-io/jwt": "npm:@nats-io/jwt@0.0.11",
  "@nats-io/nats-core": join(natsjs, "core/src/mod.ts"),
  "@nats-io/nats-core/internal": join(natsjs, "core/src/internal_mod.ts"),
  "@nats-io/transport-deno": join(natsjs, "transport-deno/src/mod.ts"),
  nst: join(natsjs, "nst/src/mod.ts"),
});
const scopes = { [join(natsjs, "core/tests") + "/"]: { nst: join(natsjs, "core/tests/nst.ts") } };
writeFileSync(file, JSON.stringify({ imports, scopes }, null, 2));
EOF

echo "nats-server: $server" >&2
echo "output: $out" >&2
cd "$natsjs"
[ $# -gt 0 ] || set -- core/tests/*_test.ts
mkdir -p "$out/logs"
# One deno process per file, $JOBS at a time, each under a time limit: a file that hangs
# (or leaves a server behind) then costs only itself, and its log still counts what ran.
# --no-config: the checkout's deno.json files map everything to jsr. Our broker keeps its
# SQLite data in ./data: the servers a file starts share $out/data/<file>. (One directory
# for all would have the first servers of two files create the same database at once,
# which SQLite can refuse with SQLITE_BUSY.)
export PATH="$out/bin:$PATH" DENO_DIR="${DENO_DIR:-$out/deno-dir}" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
export deno out
# Type-check and fetch the npm deps once, before the files run side by side.
"$deno" check --no-config --no-lock --import-map "$out/deps/import_map.json" "$@" >"$out/check.log" 2>&1 ||
  { echo "deno check failed, see $out/check.log" >&2; exit 1; }
printf '%s\n' "$@" | xargs -P "${JOBS:-2}" -I{} sh -c '
  name=$(basename "$1" .ts)
  log=$out/logs/$name.log
  MQ9_DATA=${MQ9_DATA:-$out/data/$name} timeout -k 10 "${FILE_TIMEOUT:-600}" "$deno" test -A \
    --no-check --no-config --no-lock --import-map "$out/deps/import_map.json" "$1" >"$log" 2>&1
  echo "exit $?" >>"$log"' sh {} || true
else
  [ -n "$out" ] && [ -d "$out/logs" ] || usage
fi

# Per-file counts from the logs: deno prints "name ... ok|FAILED|ignored" for each test
# (steps are indented and not counted, as in deno's own summary line).
node - "$out/logs" <<'EOF' | tee "$out/counts.txt"
const { readFileSync, readdirSync } = require("node:fs");
const { join } = require("node:path");
const dir = process.argv[2];
const rows = [];
const total = { passed: 0, failed: 0, ignored: 0, cancelled: 0, note: "" };
for (const f of readdirSync(dir).sort()) {
  const text = readFileSync(join(dir, f), "utf8");
  const c = { passed: 0, failed: 0, ignored: 0, cancelled: 0, note: "" };
  const body = text.split(/^ ERRORS $/m)[0];
  for (const line of body.split("\n")) {
    const m = /^\S.* \.\.\. (ok|FAILED|ignored|cancelled)\b/.exec(line);
    if (!m) continue;
    if (m[1] === "ok") c.passed++;
    else if (m[1] === "FAILED") c.failed++;
    else if (m[1] === "ignored") c.ignored++;
    else c.cancelled++;
  }
  const exit = /^exit (\d+)$/m.exec(text)?.[1];
  if (exit === "124" || exit === "137") c.note = "timed out";
  else if (/^Uncaught error from /m.test(text)) c.note = "uncaught error";
  rows.push([f.replace(/\.log$/, ".ts"), c]);
  for (const k of ["passed", "failed", "ignored", "cancelled"]) total[k] += c[k];
}
const w = Math.max(...rows.map(([n]) => n.length), 5);
// "cancelled": not run, because an uncaught error ended the file.
console.log(`${"file".padEnd(w)}  passed  failed  ignored  cancelled`);
for (const [n, c] of [...rows, ["TOTAL", total]]) {
  const cols = [c.passed, c.failed, c.ignored, c.cancelled].map((v, i) =>
    String(v).padStart(["passed", "failed", "ignored", "cancelled"][i].length)
  );
  console.log(`${n.padEnd(w)}  ${cols.join("  ")}  ${c.note}`.trimEnd());
}
EOF
echo "failures: the ERRORS section of each log in $out/logs" >&2
