/**
 * Subject rules (nats-wire-notes §1.6, sublist.go): tokens separated by `.`, none empty;
 * `*` and `>` are wildcards only as whole tokens; `>` only last. Anything else, including
 * non-ASCII bytes and `foo*`, is a literal token.
 */

const DOT = 46;

/** A subject a subscription may use (wildcards allowed). */
export function isValidSubject(subject: string): boolean {
  const len = subject.length;
  if (len === 0) return false;
  let start = 0;
  for (let i = 0; i <= len; i++) {
    if (i === len || subject.charCodeAt(i) === DOT) {
      const n = i - start;
      if (n === 0) return false;
      // `>` anywhere but last (sublist.go: sfwc then another token).
      if (n === 1 && subject.charCodeAt(start) === 62 /* > */ && i !== len) return false;
      start = i + 1;
    }
  }
  return true;
}

/** A subject a message may be published to: valid and without wildcard tokens. */
export function isValidLiteralSubject(subject: string): boolean {
  if (!isValidSubject(subject)) return false;
  const len = subject.length;
  let start = 0;
  for (let i = 0; i <= len; i++) {
    if (i === len || subject.charCodeAt(i) === DOT) {
      if (i - start === 1) {
        const c = subject.charCodeAt(start);
        if (c === 42 /* * */ || c === 62 /* > */) return false;
      }
      start = i + 1;
    }
  }
  return true;
}

/**
 * Whether a literal subject is matched by a pattern (`*` one token, `>` one or more
 * trailing tokens). Token-wise, without splitting into arrays.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  let pi = 0;
  let si = 0;
  const pl = pattern.length;
  const sl = subject.length;
  for (;;) {
    const pe = nextDot(pattern, pi);
    const se = nextDot(subject, si);
    if (pe - pi === 1) {
      const c = pattern.charCodeAt(pi);
      if (c === 62 /* > */) return si < sl;
      if (c !== 42 /* * */ && !sameToken(pattern, pi, pe, subject, si, se)) return false;
    } else if (!sameToken(pattern, pi, pe, subject, si, se)) return false;
    const pDone = pe >= pl;
    const sDone = se >= sl;
    if (pDone || sDone) return pDone && sDone;
    pi = pe + 1;
    si = se + 1;
  }
}

function nextDot(s: string, from: number): number {
  const i = s.indexOf(".", from);
  return i < 0 ? s.length : i;
}

function sameToken(a: string, as: number, ae: number, b: string, bs: number, be: number): boolean {
  if (ae - as !== be - bs) return false;
  for (let i = 0; i < ae - as; i++) if (a.charCodeAt(as + i) !== b.charCodeAt(bs + i)) return false;
  return true;
}
