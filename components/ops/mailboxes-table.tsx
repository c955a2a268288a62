"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import type {
  MailboxPage,
  MailboxSortKey,
  MailboxSummary,
  SortDirection,
} from "@/server/console/data/mailboxes";
import { useNow } from "@/components/ui/clock";
import { TableFrame, tdClass, thClass } from "@/components/ui/data-table";
import { relative } from "@/components/ui/time";
import { formatBytes, formatCount } from "../format";
import { EmptyState } from "./empty-state";
import { fetchJson } from "./fetch-json";
import { MailboxLink } from "./mailbox-link";
import { Time } from "./time";
import { buttonClass, hintClass, inputClass, linkClass } from "./ui";
import { RefreshError } from "./refresh-error";

export interface MailboxesQueryState {
  q: string;
  sort: MailboxSortKey;
  dir: SortDirection;
  offset: number;
}

const COLUMNS: { key: MailboxSortKey; label: string; numeric?: boolean }[] = [
  { key: "mailId", label: "Mailbox" },
  { key: "type", label: "Type" },
  { key: "createdAt", label: "Created" },
  { key: "expiresAt", label: "Expires in" },
  { key: "stored", label: "Stored", numeric: true },
  { key: "unread", label: "Unread", numeric: true },
  { key: "bytes", label: "Bytes", numeric: true },
  { key: "ownerOnline", label: "Owner" },
];

const REFRESH_MS = 5000;
const SEARCH_DELAY_MS = 200;

function searchParams(s: MailboxesQueryState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.q !== "") p.set("q", s.q);
  p.set("sort", s.sort);
  p.set("dir", s.dir);
  if (s.offset > 0) p.set("offset", String(s.offset));
  return p;
}

function Row({ m, now }: { m: MailboxSummary; now: number }) {
  const online = m.owners > 0;
  return (
    <tr
      data-testid="mailbox-row"
      data-mail-id={m.mailId}
      className="border-t border-zinc-200 hover:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-800/50"
    >
      <td className={tdClass}>
        <MailboxLink mailId={m.mailId} />
      </td>
      <td className={tdClass}>{m.type}</td>
      <td className={`${tdClass} whitespace-nowrap`}>
        <Time ms={m.createdAt} />
      </td>
      <td className={`${tdClass} whitespace-nowrap tabular-nums`}>
        {m.expiresAt === null ? "never" : relative(m.expiresAt, now)}
      </td>
      <td className={`${tdClass} text-right tabular-nums`}>{formatCount(m.stored)}</td>
      <td className={`${tdClass} text-right tabular-nums`}>
        {m.unread > 0 ? (
          <span className="font-semibold">{formatCount(m.unread)}</span>
        ) : (
          <span className="text-zinc-600 dark:text-zinc-400">0</span>
        )}
      </td>
      <td className={`${tdClass} text-right tabular-nums`}>{formatBytes(m.bytes)}</td>
      <td className={`${tdClass} whitespace-nowrap`} data-owner-online={online}>
        <span className="inline-flex items-center gap-1.5">
          <span
            aria-hidden="true"
            className={`size-2 rounded-full ${online ? "bg-emerald-500" : "bg-zinc-400 dark:bg-zinc-600"}`}
          />
          {online ? (m.owners > 1 ? `online (${m.owners})` : "online") : "offline"}
        </span>
      </td>
    </tr>
  );
}

/**
 * Live mailboxes, searched and sorted by the server (so a broker with many thousands pages
 * instead of shipping them all), refreshed every few seconds for live counters.
 */
export function MailboxesTable({
  initial,
  query: initialQuery,
  at,
}: {
  initial: MailboxPage;
  query: MailboxesQueryState;
  at: number;
}) {
  const [page, setPage] = useState(initial);
  const [query, setQuery] = useState(initialQuery);
  const [search, setSearch] = useState(initialQuery.q);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(at);
  const seq = useRef(0);
  // Set when a link in the page is followed: a history.replaceState after that would be
  // taken by Next's router as a navigation back here, cancelling the one under way.
  const leaving = useRef(false);

  const load = useCallback(async (s: MailboxesQueryState) => {
    const mine = ++seq.current;
    try {
      const body = await fetchJson<MailboxPage>(`/api/ops/mailboxes?${searchParams(s)}`);
      if (mine !== seq.current) return;
      setPage(body);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError((err as Error).message);
    }
  }, []);

  // Keep the address in step (shareable, survives a reload) without a server round trip.
  useEffect(() => {
    if (!leaving.current) window.history.replaceState(null, "", `?${searchParams(query)}`);
  }, [query]);

  useEffect(() => {
    const t = setInterval(() => void load(query), REFRESH_MS);
    return () => clearInterval(t);
  }, [load, query]);

  useEffect(() => {
    if (search === query.q) return;
    const t = setTimeout(() => {
      if (leaving.current) return;
      const next = { ...query, q: search, offset: 0 };
      setQuery(next);
      void load(next);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [search, query, load]);

  const change = (next: MailboxesQueryState) => {
    setQuery(next);
    void load(next);
  };

  const sortBy = (key: MailboxSortKey) => {
    const dir: SortDirection =
      query.sort === key
        ? query.dir === "asc"
          ? "desc"
          : "asc"
        : key === "mailId"
          ? "asc"
          : "desc";
    change({ ...query, sort: key, dir, offset: 0 });
  };

  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = page.offset + page.rows.length;

  return (
    <div
      className="flex flex-col gap-4"
      onClickCapture={(e) => {
        const plain = e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
        if (plain && (e.target as HTMLElement).closest("a[href]")) leaving.current = true;
      }}
    >
      <div className="flex flex-wrap items-end gap-4">
        <div className="flex w-full max-w-md flex-col gap-1">
          <label htmlFor="mailboxes-search" className="text-sm font-medium">
            Search mailboxes
          </label>
          <input
            id="mailboxes-search"
            data-testid="mailboxes-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="part of a mail_id, or standard / latest"
            className={inputClass}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <p className={hintClass} aria-live="polite" data-testid="mailboxes-count">
          {page.total === page.all
            ? `${formatCount(page.all)} mailboxes`
            : `${formatCount(page.total)} of ${formatCount(page.all)} mailboxes match`}
          {page.total > page.rows.length ? ` · showing ${from}–${to}` : ""}
        </p>
        <RefreshError error={error} />
      </div>

      {page.all === 0 ? (
        <EmptyState title="No mailboxes yet" testId="mailboxes-empty">
          Create one in the{" "}
          <Link href="/inbox" className={linkClass}>
            Inbox
          </Link>{" "}
          (New mailbox), or from a shell:{" "}
          <code className="font-mono">npm run mq9 -- create --ttl 3600</code>. Agents create theirs
          with a request to <code className="font-mono">$mq9.AI.MAILBOX.CREATE</code>.
        </EmptyState>
      ) : page.total === 0 ? (
        <EmptyState title={`No mailbox matches “${query.q}”`} testId="mailboxes-no-match">
          Search by part of a mail_id, or type <code className="font-mono">standard</code> or{" "}
          <code className="font-mono">latest</code>.
        </EmptyState>
      ) : (
        <TableFrame
          caption={
            <>
              Live mailboxes, sorted by {COLUMNS.find((c) => c.key === query.sort)?.label}{" "}
              {query.dir === "asc" ? "ascending" : "descending"}
            </>
          }
        >
          <thead className="bg-zinc-50 dark:bg-zinc-900">
            <tr>
              {COLUMNS.map((c) => {
                const active = query.sort === c.key;
                return (
                  <th
                    key={c.key}
                    scope="col"
                    aria-sort={
                      active ? (query.dir === "asc" ? "ascending" : "descending") : undefined
                    }
                    className={`${thClass} ${c.numeric ? "text-right" : ""}`}
                  >
                    <button
                      type="button"
                      onClick={() => sortBy(c.key)}
                      data-testid={`sort-${c.key}`}
                      className={`inline-flex items-center gap-1 rounded uppercase hover:text-zinc-900 dark:hover:text-zinc-100 ${c.numeric ? "flex-row-reverse" : ""}`}
                    >
                      {c.label}
                      <span aria-hidden="true" className="w-3">
                        {active ? (query.dir === "asc" ? "▲" : "▼") : ""}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {page.rows.map((m) => (
              <Row key={m.mailId} m={m} now={now} />
            ))}
          </tbody>
        </TableFrame>
      )}

      {page.total > page.limit ? (
        <nav aria-label="Mailbox pages" className="flex items-center gap-2">
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={page.offset === 0}
            onClick={() => change({ ...query, offset: Math.max(0, page.offset - page.limit) })}
          >
            Previous
          </button>
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={to >= page.total}
            onClick={() => change({ ...query, offset: page.offset + page.limit })}
          >
            Next
          </button>
        </nav>
      ) : null}
    </div>
  );
}
