/**
 * Unread counts (console.md "Own mailboxes"): mail arriving for a mailbox that is not open
 * shows as a badge in the sidebar and in the tab title; opening the mailbox clears both.
 */
import { InboxPage } from "./pages/inbox-page";
import { expect, test } from "./support/fixtures";

test("mail for another owned mailbox shows in its badge and the title until opened", async ({
  page,
  nats,
}) => {
  const inbox = new InboxPage(page);
  await inbox.goto();
  const first = await inbox.createMailbox();
  const second = await inbox.createMailbox();
  // The second one is open now; mail for the first arrives live over its owner subscription.
  await expect(inbox.currentMailboxId).toHaveText(second.mailId);

  await nats.mq9.send(first.mailId, { from: "m-e2e", type: "result", payload: "one" });
  await nats.mq9.send(first.mailId, { from: "m-e2e", type: "result", payload: "two" });
  await expect(inbox.unread(first.mailId)).toHaveText("2");
  await expect(page).toHaveTitle(/^\(2\) /);

  await inbox.openMailbox(first.mailId);
  await expect(inbox.messages).toHaveCount(2);
  await expect(inbox.unread(first.mailId)).toHaveCount(0);
  await expect(page).not.toHaveTitle(/^\(\d+\) /);
});
