import type { Metadata } from "next";
import { operatorRefusal } from "@/components/ops/operator-guard";
import { PageHeader } from "@/components/ops/page-header";
import { Publisher } from "@/components/ops/publisher";

export const metadata: Metadata = { title: "Publish" };
export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function PublishPage({ searchParams }: { searchParams: Search }) {
  const refused = await operatorRefusal();
  if (refused) return refused;
  const mailId = (await searchParams).mail_id;
  return (
    <>
      <PageHeader
        title="Publish"
        description="Send a test message from this browser over NATS: to a subject, or to a mailbox at a priority; as a request, see the reply or the timeout."
      />
      <Publisher initialField={typeof mailId === "string" ? mailId : ""} />
    </>
  );
}
