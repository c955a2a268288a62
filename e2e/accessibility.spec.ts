/**
 * axe-core on the main pages, with content in them (an approval card, a mailbox, a dead
 * letter, an agent), in both themes: no serious or critical violation (issue 5).
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { approvalRequest } from "../lib/mq9/mod";
import { InboxPage } from "./pages/inbox-page";
import { expect, test, type Nats } from "./support/fixtures";

const BLOCKING = new Set(["serious", "critical"]);

async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations
    .filter((v) => BLOCKING.has(v.impact ?? ""))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // Enough for whoever fixes it: where, and axe's own account (colours and ratio).
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target.join(" "),
        html: n.html.slice(0, 160),
        why: n.failureSummary?.split("\n").slice(1).join(" ").trim(),
      })),
    }));
  expect(blocking, `${what}: serious or critical axe violations`).toEqual([]);
}

/** Something on every page: a mailbox with mail, an agent, a dead letter. */
async function populate(nats: Nats): Promise<{ mailId: string }> {
  const box = await nats.mq9.create({ ttl: 600 });
  await nats.mq9.send(box.mailId, { type: "task", payload: "accessibility" });
  nats.mq9.announce({
    from: box.mailId,
    name: "a11y-agent",
    description: "Announced so the agents index has a row",
    skills: [{ id: "check", name: "Check things", tags: ["a11y"] }],
  });
  const doomed = await nats.mq9.create({ ttl: 1 });
  await nats.mq9.send(doomed.mailId, { type: "task", payload: "dead letter" });
  await nats.nc.flush();
  return { mailId: box.mailId };
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test("the inbox with an approval card", async ({ page, nats }) => {
      const inbox = new InboxPage(page);
      await inbox.goto();
      await expectNoSeriousViolations(page, "empty inbox");
      const human = await inbox.createMailbox();
      const req = approvalRequest({
        from: human.mailId,
        title: "Check the contrast of this card",
        description: "Some **markdown** with a [link](https://example.org).",
        args: { depth: 2, tags: ["a", "b"] },
        allowed: ["approve", "reject", "edit", "answer"],
        options: [{ name: "later", title: "Later" }],
        expiresAt: Date.now() + 600_000,
      });
      await nats.mq9.send(human.mailId, req, { priority: "urgent" });
      await expect(inbox.card(req.correlation_id).root).toBeVisible();
      await expectNoSeriousViolations(page, "inbox with a card");
      await inbox.card(req.correlation_id).action("reject").click();
      await expectNoSeriousViolations(page, "inbox, reject form open");
    });

    test("the operator pages", async ({ page, nats }) => {
      const { mailId } = await populate(nats);
      // Each page with what shows it is rendered, content and all.
      for (const [path, ready] of [
        ["/ops", "stat-connections"],
        ["/ops/mailboxes", "mailbox-row"],
        [`/ops/mailboxes/${mailId}`, "message-row"],
        ["/ops/tail", "tail-filter"],
        ["/ops/publish", "publish-subject"],
        ["/ops/dead-letters", "dead-letter-row"],
        ["/ops/agents", "agent-row"],
      ] as const) {
        await page.goto(path);
        await expect(page.getByTestId(ready).first()).toBeVisible();
        await expectNoSeriousViolations(page, path);
      }
    });
  });
}
