import type { Metadata } from "next";
import { InboxApp } from "@/components/inbox/inbox-app";

// The inbox lives in the browser (its mailboxes and tokens are the human's, in
// localStorage); the server sends the shell and the browser connects over NATS.
export const metadata: Metadata = { title: { absolute: "mq9 inbox" } };

export default function InboxPage() {
  return <InboxApp />;
}
