import type { Metadata } from "next";
import { MailboxesTable } from "@/components/ops/mailboxes-table";
import { NoBroker } from "@/components/ops/no-broker";
import { operatorRefusal } from "@/components/ops/operator-guard";
import { PageHeader } from "@/components/ops/page-header";
import { listMailboxes } from "@/server/console/data/mailboxes";
import { mailboxesQuery } from "@/app/api/ops/mailboxes/schema";

export const metadata: Metadata = { title: "Mailboxes" };
export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function MailboxesPage({ searchParams }: { searchParams: Search }) {
  const refused = await operatorRefusal();
  if (refused) return refused;
  const raw = await searchParams;
  const flat = Object.fromEntries(
    Object.entries(raw).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
  );
  // A bad address (hand-edited) falls back to the defaults rather than failing the page.
  const parsed = mailboxesQuery.safeParse(flat);
  const q = parsed.success ? parsed.data : {};
  const query = {
    q: q.q ?? "",
    sort: q.sort ?? ("createdAt" as const),
    dir: q.dir ?? ("desc" as const),
    offset: q.offset ?? 0,
  };
  const page = listMailboxes(query);
  return (
    <>
      <PageHeader
        title="Mailboxes"
        description="Every live mailbox with what it holds. Opening one shows its messages without marking anything read."
      />
      {page === null ? (
        <NoBroker />
      ) : (
        <MailboxesTable initial={page} query={query} at={Date.now()} />
      )}
    </>
  );
}
