import Link from "next/link";
import { EmptyState } from "@/components/ops/empty-state";
import { linkClass } from "@/components/ops/ui";

export default function MailboxNotFound() {
  return (
    <EmptyState title="No such mailbox" testId="mailbox-not-found">
      It never existed, or it expired or was deleted (its unread urgent and normal messages then
      went to the{" "}
      <Link href="/ops/dead-letters" className={linkClass}>
        dead letters
      </Link>
      ). Back to the{" "}
      <Link href="/ops/mailboxes" className={linkClass}>
        mailboxes
      </Link>
      .
    </EmptyState>
  );
}
