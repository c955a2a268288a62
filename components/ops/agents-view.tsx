"use client";

import { useEffect, useId, useMemo, useState } from "react";
import type {
  AgentEntry,
  AgentState,
  AgentsView as AgentsData,
} from "@/server/console/data/agents";
import { TableFrame, TableHead, tdClass } from "@/components/ui/data-table";
import { relative } from "@/components/ui/time";
import { EmptyState } from "./empty-state";
import { fetchJson } from "./fetch-json";
import { MailboxLink } from "./mailbox-link";
import { Time } from "./time";
import { hintClass, inputClass } from "./ui";
import { RefreshError } from "./refresh-error";

const POLL_MS = 3000;

const STATE_STYLE: Record<AgentState, { label: string; className: string; hint: string }> = {
  fresh: {
    label: "fresh",
    className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
    hint: "re-announced within its ttl",
  },
  stale: {
    label: "stale",
    className: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300",
    hint: "no announcement within its ttl",
  },
  gone: {
    label: "gone",
    className: "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
    hint: "its mailbox expired or was deleted",
  },
};

/** Tags as announced; announcements are not trusted to hold strings there. */
function tagsOf(skill: AgentEntry["skills"][number]): string[] {
  const t: unknown = skill.tags;
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : [];
}

function haystack(a: AgentEntry): string {
  const parts = [a.mailId, a.name ?? "", a.description ?? "", ...a.capabilities];
  for (const s of a.skills) parts.push(s.id, s.name, s.description ?? "", ...tagsOf(s));
  return parts.join("\n").toLowerCase();
}

/** Every word of the search must appear somewhere in the agent's announcement. */
function matches(a: AgentEntry, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const h = haystack(a);
  return words.every((w) => h.includes(w));
}

function SkillTag({ label, title, onPick }: { label: string; title?: string; onPick: () => void }) {
  return (
    <button
      type="button"
      data-testid="agent-skill"
      title={title ? `${title} — search for it` : "Search for it"}
      onClick={onPick}
      className="rounded-full border border-zinc-300 bg-zinc-50 px-2 py-0.5 text-xs text-zinc-800 hover:bg-zinc-200 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-200 dark:hover:bg-zinc-700"
    >
      {label}
    </button>
  );
}

/**
 * The server's agents index (mq9.md §12.2), complete at first paint and refreshed every few
 * seconds: fresh → stale → gone, gone ones greyed until the index lets them go.
 */
export function AgentsView({ initial }: { initial: AgentsData }) {
  const [data, setData] = useState(initial);
  const [q, setQ] = useState("");
  const [error, setError] = useState<string | null>(null);
  const searchId = useId();

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const body = await fetchJson<AgentsData>("/api/ops/agents");
        if (stopped) return;
        setData(body);
        setError(null);
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      }
    };
    const t = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, []);

  const shown = useMemo(() => data.agents.filter((a) => matches(a, q)), [data, q]);
  const counts = useMemo(() => {
    const c: Record<AgentState, number> = { fresh: 0, stale: 0, gone: 0 };
    for (const a of data.agents) c[a.state]++;
    return c;
  }, [data]);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-4">
        <div className="flex w-full max-w-md flex-col gap-1">
          <label htmlFor={searchId} className="text-sm font-medium">
            Search by skill or text
          </label>
          <input
            id={searchId}
            type="search"
            data-testid="agents-search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="e.g. pdf, payments, invoice-bot"
            className={inputClass}
            autoComplete="off"
          />
        </div>
        <p className={hintClass} aria-live="polite" data-testid="agents-count">
          {counts.fresh} fresh · {counts.stale} stale · {counts.gone} gone
          {q.trim() !== "" ? ` · ${shown.length} match` : ""}
        </p>
        <RefreshError error={error} />
      </div>

      {data.agents.length === 0 ? (
        <EmptyState title="No agent has announced itself yet" testId="agents-empty">
          Agents appear here when they publish a capability announcement on{" "}
          <code className="font-mono">$mq9.AI.BROADCAST.system.capability</code> (mq9.md §12.2). Try
          the demo: <code className="font-mono">npm run demo:agent</code>.
        </EmptyState>
      ) : shown.length === 0 ? (
        <EmptyState title={`No agent matches “${q}”`} testId="agents-no-match">
          Search matches names, descriptions, skills, tags, capabilities and mail_ids.
        </EmptyState>
      ) : (
        <TableFrame caption="Agents, most recently seen first">
          <TableHead columns={["Agent", "Skills", "Mailbox", "First seen", "Last seen", "State"]} />
          <tbody>
            {shown.map((a) => {
              const style = STATE_STYLE[a.state];
              const gone = a.state === "gone";
              return (
                <tr
                  key={a.mailId}
                  data-testid="agent-row"
                  data-mail-id={a.mailId}
                  data-state={a.state}
                  className={`border-t border-zinc-200 dark:border-zinc-800 ${gone ? "bg-zinc-50 text-zinc-600 dark:bg-zinc-950 dark:text-zinc-400" : ""}`}
                >
                  <td className={`${tdClass} min-w-48`}>
                    <p className={`font-medium ${gone ? "line-through decoration-zinc-400" : ""}`}>
                      {a.name ?? <span className="italic">unnamed</span>}
                    </p>
                    {a.description ? (
                      <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
                        {a.description}
                      </p>
                    ) : null}
                  </td>
                  <td className={tdClass}>
                    <div className="flex flex-wrap gap-1">
                      {a.skills.map((s) => (
                        <SkillTag
                          key={`s-${s.id}`}
                          label={s.name}
                          title={s.description}
                          onPick={() => setQ(s.name)}
                        />
                      ))}
                      {[...new Set(a.skills.flatMap(tagsOf))].map((t) => (
                        <SkillTag key={`t-${t}`} label={`#${t}`} onPick={() => setQ(t)} />
                      ))}
                      {a.capabilities.map((c) => (
                        <SkillTag key={`c-${c}`} label={c} onPick={() => setQ(c)} />
                      ))}
                    </div>
                  </td>
                  <td className={tdClass}>
                    {gone ? (
                      <span className="font-mono text-xs break-all">{a.mailId}</span>
                    ) : (
                      <MailboxLink mailId={a.mailId} />
                    )}
                  </td>
                  <td className={`${tdClass} whitespace-nowrap`}>
                    <Time ms={a.firstSeen} />
                  </td>
                  <td className={`${tdClass} whitespace-nowrap tabular-nums`}>
                    <span title={new Date(a.lastSeen).toISOString()}>
                      {relative(a.lastSeen, data.at)}
                    </span>
                  </td>
                  <td className={tdClass}>
                    <span
                      className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${style.className}`}
                      title={`${style.hint}${a.goneAt !== null ? ` (${new Date(a.goneAt).toISOString()})` : ` · ttl ${a.ttl}s`}`}
                    >
                      {style.label}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </TableFrame>
      )}
      <p className={hintClass}>
        Fresh while the agent re-announces within its ttl (default 60 s), stale after, gone once its
        mailbox expires; gone agents stay listed, greyed, for ten minutes.
      </p>
    </div>
  );
}
