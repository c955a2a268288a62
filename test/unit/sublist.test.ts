/** The subject index and subject rules (nats-wire-notes §1.6, §1.7). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SubjectIndex } from "../../server/nats/subjects/sublist";
import {
  isValidLiteralSubject,
  isValidSubject,
  subjectMatches,
} from "../../server/nats/subjects/validate";

interface E {
  subject: string;
  queue: string | null;
  name: string;
}
const e = (subject: string, name = subject, queue: string | null = null): E => ({
  subject,
  queue,
  name,
});
const names = (xs: readonly E[]) => xs.map((x) => x.name).sort();

describe("subject rules", () => {
  it("validates subscription subjects", () => {
    for (const s of ["foo", "foo.bar", "foo.*", "foo.>", ">", "*", "foo*.bar", "f*o", "foo>"]) {
      assert.ok(isValidSubject(s), s);
    }
    for (const s of ["", "foo..bar", ".foo", "foo.", "foo.>.bar", ">.foo"]) {
      assert.ok(!isValidSubject(s), s);
    }
  });

  it("validates publish subjects", () => {
    assert.ok(isValidLiteralSubject("foo.bar"));
    assert.ok(isValidLiteralSubject("foo*.bar"));
    assert.ok(!isValidLiteralSubject("foo.*"));
    assert.ok(!isValidLiteralSubject("foo.>"));
  });

  it("matches token-wise", () => {
    assert.ok(subjectMatches("foo.*", "foo.bar"));
    assert.ok(!subjectMatches("foo.*", "foo.bar.baz"));
    assert.ok(subjectMatches("foo.>", "foo.bar.baz"));
    assert.ok(!subjectMatches("foo.>", "foo"));
    assert.ok(subjectMatches(">", "a"));
    assert.ok(!subjectMatches("foo", "foobar"));
    assert.ok(subjectMatches("*.b", "a.b"));
  });
});

describe("SubjectIndex", () => {
  it("gives every overlapping plain subscription a copy", () => {
    const idx = new SubjectIndex<E>();
    for (const s of ["foo.bar", "foo.*", "foo.>", ">", "*.bar", "foo", "foo.bar.baz"]) {
      assert.ok(idx.insert(e(s)));
    }
    assert.deepEqual(
      names(idx.match("foo.bar").plain),
      [">", "*.bar", "foo.*", "foo.>", "foo.bar"].sort(),
    );
    assert.deepEqual(names(idx.match("foo").plain), [">", "foo"]);
  });

  it("merges queue groups by name across patterns", () => {
    const idx = new SubjectIndex<E>();
    idx.insert(e("foo", "a", "g"));
    idx.insert(e("*", "b", "g"));
    idx.insert(e("foo", "c", "h"));
    const r = idx.match("foo");
    assert.equal(r.plain.length, 0);
    assert.deepEqual(r.groups.map((g) => names(g)).sort(), [["a", "b"], ["c"]]);
  });

  it("keeps cached results correct across inserts and removals", () => {
    const idx = new SubjectIndex<E>();
    const a = e("foo.*", "a");
    idx.insert(a);
    assert.deepEqual(names(idx.match("foo.x").plain), ["a"]);
    const b = e("foo.x", "b");
    idx.insert(b);
    assert.deepEqual(names(idx.match("foo.x").plain), ["a", "b"]);
    idx.remove(a);
    assert.deepEqual(names(idx.match("foo.x").plain), ["b"]);
    assert.ok(!idx.remove(a), "second removal is a no-op");
    idx.remove(b);
    assert.deepEqual(idx.match("foo.x").plain, []);
    assert.equal(idx.size, 0);
  });

  it("rejects invalid patterns and matches nothing for subjects with empty tokens", () => {
    const idx = new SubjectIndex<E>();
    assert.ok(!idx.insert(e("foo..bar")));
    idx.insert(e(">"));
    assert.equal(idx.match("foo..bar").plain.length, 0);
    assert.equal(idx.match("foo.").plain.length, 0);
  });

  it("counts lookups, cache hits and fanout as nats-server's /subsz reports them", () => {
    const idx = new SubjectIndex<E>();
    const zero = { cached: 0, matches: 0, hits: 0, maxFanout: 0, avgFanout: 0 };
    assert.deepEqual(idx.cacheStats(), zero);
    idx.insert(e("a.*"));
    idx.insert(e("a.b"));
    idx.insert(e("a.>", "w1", "workers"));
    idx.insert(e("a.>", "w2", "workers"));
    idx.insert(e("c"));
    idx.match("a.b"); // miss: 2 plain + 1 group
    idx.match("a.b"); // the previous subject again: not a lookup
    idx.match("c"); // miss: 1
    idx.match("a.b"); // hit
    idx.match("nothing"); // miss: 0
    idx.match("a.b"); // hit
    assert.deepEqual(idx.cacheStats(), {
      cached: 3,
      matches: 5,
      hits: 2,
      maxFanout: 3,
      avgFanout: 4 / 3,
    });
    // A change evicts the subjects it matches; the counters stay.
    idx.insert(e("a.b", "second"));
    assert.deepEqual(idx.cacheStats(), {
      ...zero,
      cached: 2,
      matches: 5,
      hits: 2,
      maxFanout: 1,
      avgFanout: 0.5,
    });
  });

  it("prunes empty branches so churn does not leak", () => {
    const idx = new SubjectIndex<E>(8);
    for (let i = 0; i < 1000; i++) {
      const x = e(`_INBOX.${i}.reply`);
      idx.insert(x);
      assert.equal(idx.match(`_INBOX.${i}.reply`).plain.length, 1);
      idx.remove(x);
    }
    assert.equal(idx.size, 0);
    // Internal: the root has no children left.
    const root = (idx as unknown as { root: { literal: Map<string, unknown> } }).root;
    assert.equal(root.literal.size, 0);
  });

  it("agrees with a brute-force matcher on random subjects", () => {
    const tokens = ["a", "b", "c", "*", ">"];
    const rnd = (n: number) => Math.floor(Math.random() * n);
    const idx = new SubjectIndex<E>(16);
    const all: E[] = [];
    for (let i = 0; i < 300; i++) {
      const len = 1 + rnd(4);
      const parts: string[] = [];
      for (let k = 0; k < len; k++) parts.push(tokens[rnd(k === len - 1 ? 5 : 4)]!);
      const x = e(parts.join("."), `s${i}`);
      if (idx.insert(x)) all.push(x);
    }
    for (let i = 0; i < 300; i++) {
      const len = 1 + rnd(4);
      const parts: string[] = [];
      for (let k = 0; k < len; k++) parts.push(tokens[rnd(3)]!);
      const subject = parts.join(".");
      const expected = all.filter((x) => subjectMatches(x.subject, subject));
      assert.deepEqual(names(idx.match(subject).plain), names(expected), subject);
      if (i % 10 === 0 && all.length > 0) idx.remove(all.pop()!);
    }
  });
});
