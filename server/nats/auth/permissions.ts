/**
 * Per-user publish and subscribe permissions (nats-wire-notes §1.11; client.go
 * canPublish/canSubscribe). Decisions sit on the hot path, so they are cached per subject.
 */
import { subjectMatches } from "../subjects/validate";

import type { UserPermissions } from "./types";

interface Entry {
  subject: string;
  /** A subscribe entry written `"subject queue"` only allows that queue group. */
  queue: string | null;
}

function compile(list: string[] | null | undefined): Entry[] | null {
  if (list === null || list === undefined) return null;
  return list.map((s) => {
    const [subject = "", queue] = s.trim().split(/\s+/);
    return { subject, queue: queue ?? null };
  });
}

const CACHE_MAX = 1024;

/** One user's compiled permissions, shared by all of its connections. */
export class Permissions {
  private readonly pubAllow: Entry[] | null;
  private readonly pubDeny: Entry[] | null;
  private readonly subAllow: Entry[] | null;
  private readonly subDeny: Entry[] | null;
  readonly responses: UserPermissions["response"];
  private readonly pubCache = new Map<string, boolean>();

  constructor(rules: UserPermissions) {
    this.pubAllow = compile(rules.publish?.allow);
    this.pubDeny = compile(rules.publish?.deny);
    this.subAllow = compile(rules.subscribe?.allow);
    this.subDeny = compile(rules.subscribe?.deny);
    this.responses = rules.response;
  }

  canPublish(subject: string): boolean {
    const hit = this.pubCache.get(subject);
    if (hit !== undefined) return hit;
    let ok =
      this.pubAllow === null || this.pubAllow.some((e) => subjectMatches(e.subject, subject));
    if (ok && this.pubDeny !== null)
      ok = !this.pubDeny.some((e) => subjectMatches(e.subject, subject));
    if (this.pubCache.size >= CACHE_MAX) this.pubCache.clear();
    this.pubCache.set(subject, ok);
    return ok;
  }

  /**
   * The subscription's subject is matched against the lists token for token, its own
   * wildcards taken literally (so `foo.*` needs an allow of `foo.*`, `foo.>` or `>`). A
   * queue-qualified entry decides for that queue group (client.go canSubscribe).
   */
  canSubscribe(subject: string, queue: string | null): boolean {
    let ok = true;
    if (this.subAllow !== null) ok = listed(this.subAllow, subject, queue);
    if (ok && this.subDeny !== null) ok = !listed(this.subDeny, subject, queue);
    return ok;
  }

  /**
   * Whether a wildcard subscription reaches into denied subjects, so that its deliveries
   * must be filtered (client.go loadMsgDenyFilter).
   */
  needsDeliveryFilter(subject: string): boolean {
    if (this.subDeny === null || !/(^|\.)[*>](\.|$)/.test(subject)) return false;
    return this.subDeny.some((e) => e.queue === null && subjectMatches(subject, e.subject));
  }

  /** Whether a message on `subject` may be delivered at all (the deny filter). */
  canReceive(subject: string): boolean {
    return (
      this.subDeny === null ||
      !this.subDeny.some((e) => e.queue === null && subjectMatches(e.subject, subject))
    );
  }
}

/**
 * Whether a list names a subscription: by its plain entries, except that for a queue
 * subscription, entries for this subject that name queues decide alone.
 */
function listed(list: Entry[], subject: string, queue: string | null): boolean {
  const matching = list.filter((e) => subjectMatches(e.subject, subject));
  const queued = matching.filter((e) => e.queue !== null);
  if (queue !== null && queued.length > 0) {
    return queued.some((e) => e.queue === queue || subjectMatches(e.queue!, queue));
  }
  return matching.some((e) => e.queue === null);
}
