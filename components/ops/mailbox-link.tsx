import Link from "next/link";
import { linkClass } from "./ui";

/** A mail_id that opens the mailbox's page. */
export function MailboxLink({ mailId }: { mailId: string }) {
  return (
    <Link
      href={`/ops/mailboxes/${encodeURIComponent(mailId)}`}
      className={`font-mono text-xs break-all ${linkClass}`}
    >
      {mailId}
    </Link>
  );
}
