import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatBytes, formatCount } from "@/components/format";
import { MessageBrowser } from "@/components/ops/message-browser";
import { NoBroker } from "@/components/ops/no-broker";
import { operatorRefusal } from "@/components/ops/operator-guard";
import { PageHeader } from "@/components/ops/page-header";
import { Time } from "@/components/ops/time";
import { linkClass } from "@/components/ops/ui";
import { getMailbox } from "@/server/console/data/mailboxes";
import { getMessage, listMessages, parseCursor } from "@/server/console/data/messages";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

type Params = Promise<{ mailId: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Mailbox ${(await params).mailId}` };
}

function one(v: string | string[] | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export default async function MailboxPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Search;
}) {
  const refused = await operatorRefusal();
  if (refused) return refused;
  if (getRuntime() === undefined) return <NoBroker />;
  const mailId = (await params).mailId;
  const box = getMailbox(mailId);
  if (box === undefined) notFound();

  const search = await searchParams;
  const after = parseCursor(one(search.after) ?? "");
  const before = after === null ? parseCursor(one(search.before) ?? "") : null;
  const page = listMessages(mailId, { after, before });
  if (page === null) return <NoBroker />;
  const msgId = Number(one(search.msg));
  const detail = Number.isSafeInteger(msgId) && msgId > 0 ? getMessage(mailId, msgId) : undefined;
  const cursor =
    after !== null
      ? { after: one(search.after)! }
      : before !== null
        ? { before: one(search.before)! }
        : null;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/ops/mailboxes" className={linkClass}>
          ← Mailboxes
        </Link>
      </p>
      <PageHeader
        title={box.mailId}
        description="Stored messages in mq9 order (urgent, normal, notify; each oldest first). Read straight from the store: inspecting never marks anything read."
      />
      <dl
        className="mb-6 grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4 lg:grid-cols-7"
        data-testid="mailbox-facts"
      >
        {(
          [
            ["Type", box.type],
            ["Created", <Time key="c" ms={box.createdAt} />],
            ["Expires", box.expiresAt === null ? "never" : <Time key="e" ms={box.expiresAt} />],
            ["Stored", formatCount(box.stored)],
            ["Unread", formatCount(box.unread)],
            ["Bytes", formatBytes(box.bytes)],
            ["Owner", box.owners > 0 ? "online" : "offline"],
          ] as const
        ).map(([k, v]) => (
          <div key={k} className="flex flex-col">
            <dt className="text-xs text-zinc-600 dark:text-zinc-400">{k}</dt>
            <dd className="font-medium tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>
      <MessageBrowser
        key={mailId}
        mailId={mailId}
        initialPage={page}
        initialCursor={cursor}
        initialDetail={detail ?? null}
        missingMsg={Number.isSafeInteger(msgId) && msgId > 0 && detail === undefined ? msgId : null}
      />
    </>
  );
}
