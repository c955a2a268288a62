/**
 * A parser for nats-server's configuration format (the grammar of nats-server 2.9's
 * conf/lex.go and conf/parse.go, re-derived, not ported): text in, a tree of typed values
 * out, every value with its file, line and column. Pure: includes are read through the
 * caller's `readInclude`, environment variables come from the caller's `env`.
 *
 * Where 2.9.10 silently drops or garbles input (a key without a value, `[1, 2]` whose last
 * integer touches the `]`, an unknown size suffix) we either accept the obvious meaning
 * (`[1, 2]`) or report an error, never guess silently.
 */
import path from "node:path";

export interface ConfPosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

interface Node {
  pos: ConfPosition;
}
export interface ConfString extends Node {
  kind: "string";
  value: string;
}
export interface ConfInteger extends Node {
  kind: "integer";
  value: number;
  /** As written, e.g. `64KB`. */
  raw: string;
}
export interface ConfFloat extends Node {
  kind: "float";
  value: number;
}
export interface ConfBoolean extends Node {
  kind: "boolean";
  value: boolean;
}
export interface ConfDatetime extends Node {
  kind: "datetime";
  value: Date;
}
export interface ConfArray extends Node {
  kind: "array";
  items: ConfValue[];
}
export interface ConfMap extends Node {
  kind: "map";
  /** In order of first definition; a key defined again keeps its slot and takes the new value. */
  entries: Map<string, ConfEntry>;
}
export type ConfValue =
  ConfString | ConfInteger | ConfFloat | ConfBoolean | ConfDatetime | ConfArray | ConfMap;

export interface ConfEntry {
  key: string;
  /** Where the key is written (nats-server reports option errors there). */
  pos: ConfPosition;
  value: ConfValue;
  /** Referenced as `$key` somewhere: nats-server then does not call it an unknown option. */
  usedAsVariable: boolean;
}

export class ConfParseError extends Error {
  constructor(
    readonly pos: ConfPosition,
    readonly reason: string,
  ) {
    super(`${pos.file}:${pos.line}:${pos.column}: ${reason}`);
    this.name = "ConfParseError";
  }
}

export interface ParseConfOptions {
  /** Used in positions and as the base for relative includes. Default `<config>`. */
  file?: string;
  /** Looked up after the variables defined in the file. Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Returns the text of an include (a path already resolved against the including file). */
  readInclude?: (file: string) => string;
}

/** Parses a whole file; throws ConfParseError. */
export function parseConf(text: string, options: ParseConfOptions = {}): ConfMap {
  const shared: Shared = {
    env: options.env ?? {},
    readInclude: options.readInclude ?? null,
    includeStack: [],
    envStack: [],
  };
  return new Parser(text, options.file ?? "<config>", shared).document();
}

/** Resolves an include the way nats-server does: relative to the including file's directory. */
export function resolveIncludePath(fromFile: string, name: string): string {
  return path.isAbsolute(name) ? name : path.join(path.dirname(fromFile), name);
}

interface Shared {
  env: Readonly<Record<string, string | undefined>>;
  readInclude: ((file: string) => string) | null;
  /** Files being parsed, outermost first, to report include cycles. */
  includeStack: string[];
  /** Environment variables being expanded, to report reference cycles. */
  envStack: string[];
}

const MAX_DEPTH = 200;
const MAX_INCLUDE_DEPTH = 32;
const EOF = "";

const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  on: true,
  false: false,
  no: false,
  off: false,
};

/** nats-server: one letter 1000-based, `b`/`i`/`ib` after it 1024-based (conf/parse.go). */
const SIZE_SUFFIXES: ReadonlyMap<string, bigint> = (() => {
  const m = new Map<string, bigint>([["", 1n]]);
  "kmgtpe".split("").forEach((letter, i) => {
    const power = BigInt(i + 1);
    m.set(letter, 1000n ** power);
    for (const binary of ["b", "i", "ib"]) m.set(letter + binary, 1024n ** power);
  });
  return m;
})();
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const isSpace = (c: string): boolean => c !== EOF && /\s/.test(c);
const isBlank = (c: string): boolean => c === " " || c === "\t";
const isNewline = (c: string): boolean => c === "\n" || c === "\r";
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isSizeLetter = (c: string): boolean => c !== EOF && "kKmMgGtTpPeE".includes(c);
const isKeySeparator = (c: string): boolean => c === ":" || c === "=";
/** Ends an unquoted number (lex.go's list, plus `]`: 2.9.10 turns `[1, 2]` into an error). */
const endsNumber = (c: string): boolean =>
  c === EOF || isNewline(c) || isBlank(c) || c === "}" || c === "]" || c === ";" || c === ",";
/** Ends an unquoted string; a `'` also ends it, and is consumed. */
const endsUnquoted = (c: string): boolean =>
  c === EOF || isNewline(c) || isBlank(c) || c === ";" || c === "," || c === "]" || c === "}";

function describe(c: string): string {
  if (c === EOF) return "the end of the file";
  if (c === "\n" || c === "\r") return "a new line";
  return `'${c}'`;
}

/** Builds a string that may contain `\xHH` bytes; the bytes are read as UTF-8 at the end. */
class StringBuilder {
  private text = "";
  private bytes: number[] | null = null;

  add(s: string): void {
    if (this.bytes) for (const b of Buffer.from(s, "utf8")) this.bytes.push(b);
    else this.text += s;
  }

  addByte(b: number): void {
    if (!this.bytes) this.bytes = [...Buffer.from(this.text, "utf8")];
    this.bytes.push(b);
  }

  toString(): string {
    return this.bytes ? Buffer.from(this.bytes).toString("utf8") : this.text;
  }
}

class Parser {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  /** The maps being built, outermost first: variables are looked up innermost first. */
  private readonly scopes: ConfMap[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly shared: Shared,
  ) {}

  document(): ConfMap {
    const root: ConfMap = { kind: "map", entries: new Map(), pos: this.pos() };
    this.scopes.push(root);
    for (;;) {
      // Top-level braces are tolerated so that a whole file may be wrapped in `{ }`.
      this.skipSpaceAndComments(true);
      if (this.peek() === "}" && (this.peek(1) === EOF || isSpace(this.peek(1)))) {
        this.advance();
        continue;
      }
      if (this.peek() === EOF) break;
      this.entry(root, "top");
    }
    return root;
  }

  // --- characters and positions ---

  private peek(offset = 0): string {
    return this.text.charAt(this.i + offset);
  }

  private advance(): string {
    const c = this.text.charAt(this.i);
    if (c === EOF) return c;
    this.i++;
    if (c === "\n") {
      this.line++;
      this.lineStart = this.i;
    }
    return c;
  }

  private pos(): ConfPosition {
    return { file: this.file, line: this.line, column: this.i - this.lineStart + 1 };
  }

  private fail(reason: string, at: ConfPosition = this.pos()): never {
    throw new ConfParseError(at, reason);
  }

  private atComment(): boolean {
    const c = this.peek();
    return c === "#" || (c === "/" && this.peek(1) === "/");
  }

  private skipComment(): void {
    while (this.peek() !== EOF && !isNewline(this.peek())) this.advance();
  }

  private skipBlanks(): void {
    while (isBlank(this.peek())) this.advance();
  }

  private skipSpaceAndComments(topLevelBraces = false): void {
    for (;;) {
      const c = this.peek();
      if (isSpace(c) || (topLevelBraces && c === "{")) this.advance();
      else if (this.atComment()) this.skipComment();
      else if (c === "/") this.fail("unexpected '/' (comments start with '#' or '//')");
      else return;
    }
  }

  // --- keys and entries ---

  private entry(map: ConfMap, where: "top" | "map"): void {
    const keyPos = this.pos();
    const c = this.peek();
    if (isKeySeparator(c)) this.fail(`unexpected key separator '${c}' where a key should be`);
    if (where === "map" && c === "]") this.fail("unexpected ']' where a key should be");
    let key: string;
    let bare = false;
    if (c === '"' || c === "'") {
      key = this.quotedKey(c, keyPos);
    } else {
      key = this.bareKey();
      bare = true;
    }
    // `include` is a keyword only unquoted and followed by white space (lex.go keyCheckKeyword).
    if (bare && key.toLowerCase() === "include" && isSpace(this.peek())) {
      this.include(map, keyPos);
      this.valueEnd(where);
      return;
    }
    while (isSpace(this.peek())) this.advance();
    let separated = false;
    if (isKeySeparator(this.peek())) {
      this.advance();
      separated = true;
    }
    if (where === "map" || !separated) {
      // Inside a map a value may start on a later line, as it may at the top level after
      // a key with no separator (lex.go lexMapValue, lexKeyEnd).
      while (isSpace(this.peek())) this.advance();
    }
    const next = this.peek();
    if (next === EOF || (where === "map" && next === "}")) {
      this.fail(`missing value for key "${key}"`, keyPos);
    }
    if (where === "map" && next === ",") this.fail("unexpected ',' where a value should be");
    const value = this.value();
    this.set(map, { key, pos: keyPos, value, usedAsVariable: false });
    this.valueEnd(where);
  }

  private set(map: ConfMap, entry: ConfEntry): void {
    map.entries.set(entry.key, entry);
  }

  private quotedKey(quote: string, start: ConfPosition): string {
    this.advance();
    const from = this.i;
    while (this.peek() !== quote) {
      if (this.peek() === EOF) this.fail("unterminated quoted key", start);
      this.advance();
    }
    const key = this.text.slice(from, this.i);
    this.advance();
    return key;
  }

  private bareKey(): string {
    const from = this.i;
    for (;;) {
      const c = this.peek();
      if (c === EOF || isSpace(c) || isKeySeparator(c)) break;
      this.advance();
    }
    return this.text.slice(from, this.i);
  }

  /** After a value: a separator, a comment or the end of the enclosing block. */
  private valueEnd(where: "top" | "map"): void {
    this.skipBlanks();
    const c = this.peek();
    if (this.atComment()) return this.skipComment();
    if (c === EOF) {
      if (where === "map") this.fail("unexpected end of file inside a map (missing '}')");
      return;
    }
    if (isNewline(c) || c === ";" || c === ",") {
      this.advance();
      return;
    }
    if (c === "}") {
      // At the top level this closes an optional outer `{`; in a map the caller closes it.
      if (where === "top") this.advance();
      return;
    }
    if (where === "top") {
      this.fail(`expected a new line, ';' or a comment after the value, found ${describe(c)}`);
    }
    this.fail(`expected ',', a new line or '}' after a map value, found ${describe(c)}`);
  }

  // --- includes ---

  private include(map: ConfMap, at: ConfPosition): void {
    this.skipBlanks();
    const name = this.includeName(at);
    if (name === "") this.fail("include needs a file name", at);
    const stack = this.shared.includeStack;
    const target = resolveIncludePath(this.file, name);
    if (!this.shared.readInclude)
      this.fail(`cannot include "${name}": includes are not available here`, at);
    const chain = [...stack, this.file];
    if (chain.includes(target)) this.fail(`include cycle: ${[...chain, target].join(" -> ")}`, at);
    if (chain.length > MAX_INCLUDE_DEPTH) this.fail("includes nested too deeply", at);
    let text: string;
    try {
      text = this.shared.readInclude(target);
    } catch (e) {
      this.fail(
        `cannot read include file "${name}": ${e instanceof Error ? e.message : String(e)}`,
        at,
      );
    }
    stack.push(this.file);
    try {
      // An included file is parsed on its own (its own variable scope), then its top-level
      // keys are merged into the block that includes it (conf/parse.go itemInclude).
      const included = new Parser(text, target, this.shared).document();
      for (const entry of included.entries.values()) this.set(map, entry);
    } finally {
      stack.pop();
    }
  }

  private includeName(at: ConfPosition): string {
    const c = this.peek();
    if (c === "'" || c === '"') {
      this.advance();
      const from = this.i;
      while (this.peek() !== c) {
        if (this.peek() === EOF) this.fail("unterminated include file name", at);
        this.advance();
      }
      const name = this.text.slice(from, this.i);
      this.advance();
      return name;
    }
    if (c === EOF || isNewline(c) || "[{(-\\".includes(c) || isDigit(c)) {
      this.fail(`expected a file name after include, found ${describe(c)}`);
    }
    const from = this.i;
    for (;;) {
      const d = this.peek();
      if (d === EOF || isNewline(d) || isBlank(d) || d === ";" || d === "}") break;
      if (d === "'") {
        const name = this.text.slice(from, this.i);
        this.advance();
        return name;
      }
      this.advance();
    }
    return this.text.slice(from, this.i);
  }

  // --- values ---

  private value(): ConfValue {
    this.skipBlanks();
    const at = this.pos();
    const c = this.peek();
    if (c === EOF) this.fail("expected a value, found the end of the file");
    if (isNewline(c)) this.fail("expected a value, found a new line");
    if (c === "[" || c === "{") {
      if (++this.depth > MAX_DEPTH) this.fail("blocks nested too deeply");
      const v = c === "[" ? this.array(at) : this.map(at);
      this.depth--;
      return v;
    }
    if (c === "'") return { kind: "string", value: this.singleQuoted(at), pos: at };
    if (c === '"') return { kind: "string", value: this.doubleQuoted(at), pos: at };
    if (c === "(") return { kind: "string", value: this.block(at), pos: at };
    if (c === "-") return this.negativeNumber(at);
    if (isDigit(c)) return this.numberLike(at);
    if (c === ".") this.fail("a number must start with a digit, not '.'");
    return this.unquoted(at, new StringBuilder());
  }

  private array(at: ConfPosition): ConfArray {
    this.advance();
    const items: ConfValue[] = [];
    for (;;) {
      this.skipSpaceAndComments();
      const c = this.peek();
      if (c === EOF) this.fail("unexpected end of file inside an array (missing ']')", at);
      if (c === ",") this.fail("unexpected ',' where an array value should be");
      if (c === "]") {
        this.advance();
        return { kind: "array", items, pos: at };
      }
      items.push(this.value());
      this.skipBlanks();
      const d = this.peek();
      if (this.atComment()) continue; // the loop skips the comment and the new line
      if (d === "," || isNewline(d)) {
        this.advance();
      } else if (d === "]") {
        this.advance();
        return { kind: "array", items, pos: at };
      } else if (d === EOF) {
        this.fail("unexpected end of file inside an array (missing ']')", at);
      } else {
        this.fail(`expected ',', a new line or ']' after an array value, found ${describe(d)}`);
      }
    }
  }

  private map(at: ConfPosition): ConfMap {
    this.advance();
    const map: ConfMap = { kind: "map", entries: new Map(), pos: at };
    this.scopes.push(map);
    for (;;) {
      this.skipSpaceAndComments();
      const c = this.peek();
      if (c === EOF) this.fail("unexpected end of file inside a map (missing '}')", at);
      if (c === "}") {
        this.advance();
        break;
      }
      this.entry(map, "map");
    }
    this.scopes.pop();
    return map;
  }

  private singleQuoted(at: ConfPosition): string {
    this.advance();
    const from = this.i;
    while (this.peek() !== "'") {
      if (this.peek() === EOF) this.fail("unterminated string", at);
      this.advance();
    }
    const s = this.text.slice(from, this.i);
    this.advance();
    return s;
  }

  private doubleQuoted(at: ConfPosition): string {
    this.advance();
    const sb = new StringBuilder();
    for (;;) {
      const c = this.peek();
      if (c === EOF) this.fail("unterminated string", at);
      if (c === '"') {
        this.advance();
        return sb.toString();
      }
      if (c === "\\") this.escape(sb);
      else sb.add(this.advance());
    }
  }

  /** `\xHH \t \n \r \" \\`, nothing else (lex.go lexStringEscape). */
  private escape(sb: StringBuilder): void {
    const at = this.pos();
    this.advance();
    const c = this.advance();
    const simple: Record<string, string> = { t: "\t", n: "\n", r: "\r", '"': '"', "\\": "\\" };
    if (c in simple) return sb.add(simple[c] as string);
    if (c !== "x") {
      this.fail(
        `invalid escape ${c === EOF ? "at the end of the file" : `'\\${c}'`}; only \\xHH, \\t, \\n, \\r, \\" and \\\\ are allowed`,
        at,
      );
    }
    const hex = this.peek() + this.peek(1);
    if (isNewline(this.peek()) || isNewline(this.peek(1)) || !/^[0-9a-fA-F]{2}$/.test(hex)) {
      this.fail(`expected two hexadecimal digits after '\\x', found ${JSON.stringify(hex)}`, at);
    }
    this.advance();
    this.advance();
    sb.addByte(parseInt(hex, 16));
  }

  /** `(` … `)` alone on a line: raw multi-line text (lex.go lexBlock). */
  private block(at: ConfPosition): string {
    this.advance();
    const from = this.i;
    for (;;) {
      const c = this.peek();
      if (c === EOF) this.fail("unterminated block: it ends with ')' alone on a line", at);
      const after = this.peek(1);
      if (
        c === ")" &&
        this.text.charAt(this.i - 1) === "\n" &&
        (after === EOF || isNewline(after))
      ) {
        const s = this.text.slice(from, this.i);
        this.advance();
        return s;
      }
      this.advance();
    }
  }

  /** An unquoted string, boolean or `$variable`; `sb` holds what was already consumed. */
  private unquoted(at: ConfPosition, sb: StringBuilder, mayBeWord = true): ConfValue {
    let plain = mayBeWord;
    for (;;) {
      const c = this.peek();
      if (c === "\\") {
        this.escape(sb);
        plain = false;
        continue;
      }
      if (endsUnquoted(c)) break;
      if (c === "'") {
        this.advance();
        plain = false;
        break;
      }
      sb.add(this.advance());
    }
    const s = sb.toString();
    if (plain) {
      const b = BOOLEANS[s.toLowerCase()];
      if (b !== undefined) return { kind: "boolean", value: b, pos: at };
      if (s.startsWith("$")) return this.variable(s.slice(1), at);
    }
    return { kind: "string", value: s, pos: at };
  }

  private numberLike(at: ConfPosition): ConfValue {
    const from = this.i;
    while (isDigit(this.peek())) this.advance();
    const c = this.peek();
    if (c === "-") {
      if (this.i - from !== 4)
        this.fail("a date must be in full ISO 8601 Zulu form (YYYY-MM-DDTHH:MM:SSZ)");
      return this.datetime(from, at);
    }
    if (c === ".") return this.fraction(from, at);
    if (isSizeLetter(c)) return this.sized(from, at);
    if (endsNumber(c)) return this.integer(from, at);
    // Anything else makes it a string that happens to start with digits (e.g. `3xyz`, `2s`).
    const sb = new StringBuilder();
    sb.add(this.text.slice(from, this.i) + this.advance());
    return this.unquoted(at, sb, false);
  }

  private negativeNumber(at: ConfPosition): ConfValue {
    const from = this.i;
    this.advance();
    const c = this.peek();
    if (!isDigit(c)) {
      this.fail(
        c === "."
          ? "a number must start with a digit, not '.'"
          : `expected a digit after '-', found ${describe(c)}`,
      );
    }
    while (isDigit(this.peek())) this.advance();
    if (this.peek() === ".") return this.fraction(from, at);
    if (isSizeLetter(this.peek())) return this.sized(from, at);
    return this.integer(from, at);
  }

  /** After the integer part and at a `.`: a float, or an address such as `127.0.0.1:4222`. */
  private fraction(from: number, at: ConfPosition): ConfValue {
    this.advance();
    if (!isDigit(this.peek()))
      this.fail(`expected a digit after '.', found ${describe(this.peek())}`);
    while (isDigit(this.peek())) this.advance();
    if (this.peek() === ".") {
      while (isDigit(this.peek()) || (this.peek() !== EOF && ".:-".includes(this.peek()))) {
        this.advance();
      }
      return { kind: "string", value: this.text.slice(from, this.i), pos: at };
    }
    return { kind: "float", value: Number(this.text.slice(from, this.i)), pos: at };
  }

  /** `64KB`, `1k`, `2Gi`… or, if more letters follow, a string such as `1Ghz`. */
  private sized(from: number, at: ConfPosition): ConfValue {
    this.advance();
    while (this.peek() !== EOF && "bBiI".includes(this.peek())) this.advance();
    const c = this.peek();
    if (endsNumber(c) || isDigit(c)) return this.integer(from, at);
    const sb = new StringBuilder();
    sb.add(this.text.slice(from, this.i));
    return this.unquoted(at, sb, false);
  }

  private integer(from: number, at: ConfPosition): ConfInteger {
    const raw = this.text.slice(from, this.i);
    const m = /^(-?\d+)(.*)$/.exec(raw) as RegExpExecArray;
    const digits = BigInt(m[1] as string);
    if (digits < INT64_MIN || digits > INT64_MAX) this.fail(`integer ${raw} is out of range`, at);
    const multiplier = SIZE_SUFFIXES.get((m[2] as string).toLowerCase());
    if (multiplier === undefined) {
      this.fail(
        `invalid size suffix in ${raw} (use k, m, g, t, p, e for 1000s or kb, mb, gb… for 1024s)`,
        at,
      );
    }
    const value = digits * multiplier;
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(`integer ${raw} is too large`, at);
    }
    return { kind: "integer", value: Number(value), raw, pos: at };
  }

  private datetime(from: number, at: ConfPosition): ConfDatetime {
    for (const f of "-00-00T00:00:00Z") {
      const c = this.peek();
      if (f === "0" ? !isDigit(c) : c !== f) {
        this.fail(
          `expected ${f === "0" ? "a digit" : `'${f}'`} in an ISO 8601 date (YYYY-MM-DDTHH:MM:SSZ), found ${describe(c)}`,
        );
      }
      this.advance();
    }
    const raw = this.text.slice(from, this.i);
    const value = new Date(raw);
    if (Number.isNaN(value.getTime())) this.fail(`invalid date ${raw}`, at);
    return { kind: "datetime", value, pos: at };
  }

  // --- variables ---

  /**
   * `$name`: a key defined earlier in this block or an enclosing one, else an environment
   * variable, whose text is parsed as a value. `$2a$…` is a bcrypt hash, not a reference.
   */
  private variable(name: string, at: ConfPosition): ConfValue {
    if (name.startsWith("2a$")) return { kind: "string", value: `$${name}`, pos: at };
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const entry = (this.scopes[s] as ConfMap).entries.get(name);
      if (entry) {
        entry.usedAsVariable = true;
        return { ...entry.value, pos: at };
      }
    }
    const raw = this.shared.env[name];
    if (raw === undefined) {
      this.fail(
        `variable "$${name}" is not defined (neither above in this file nor in the environment)`,
        at,
      );
    }
    const stack = this.shared.envStack;
    if (stack.includes(name))
      this.fail(`variable reference cycle: $${[...stack, name].join(" -> $")}`, at);
    if (/^[ \t]*$/.test(raw)) return { kind: "string", value: "", pos: at };
    stack.push(name);
    try {
      const parsed = new Parser(`v=${raw}`, `$${name}`, {
        ...this.shared,
        readInclude: null,
      }).document();
      const value = parsed.entries.get("v")?.value;
      if (!value || parsed.entries.size !== 1)
        this.fail(`environment variable $${name} is not a single value`, at);
      return relocate(value, at);
    } catch (e) {
      if (e instanceof ConfParseError && e.pos.file !== `$${name}`) throw e;
      const why = e instanceof ConfParseError ? e.reason : String(e);
      this.fail(`environment variable $${name} could not be parsed: ${why}`, at);
    } finally {
      stack.pop();
    }
  }
}

/** Values parsed from an environment variable are reported where the variable is used. */
function relocate(v: ConfValue, pos: ConfPosition): ConfValue {
  switch (v.kind) {
    case "array":
      return { ...v, pos, items: v.items.map((x) => relocate(x, pos)) };
    case "map": {
      const entries = new Map<string, ConfEntry>();
      for (const [k, e] of v.entries) entries.set(k, { ...e, pos, value: relocate(e.value, pos) });
      return { ...v, pos, entries };
    }
    default:
      return { ...v, pos };
  }
}
