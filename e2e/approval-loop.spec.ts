/**
 * The whole loop of issue 5 ("Prove it"), against the real server: a human in the browser,
 * the demo agent as a separate process over NATS TCP, and an operator in another context.
 */
import { inboxSubject } from "../lib/mq9/mod";
import { AgentsPage } from "./pages/agents-page";
import { InboxPage, type OwnedMailbox } from "./pages/inbox-page";
import { MailboxesPage } from "./pages/mailboxes-page";
import { TailPage } from "./pages/tail-page";
import type { Stamped } from "./support/demo-agent";
import { expect, test } from "./support/fixtures";

/**
 * The agent's mailbox lifetime (s): its requests stay open this long too, so it must cover
 * the human's answers; the index shows the agent gone once it has passed.
 */
const AGENT_TTL = 30;

type Asked = Extract<Stamped, { event: "asked" }>;

test("a human answers an agent's urgent requests live; an operator sees it all", async ({
  page,
  newContext,
  startAgent,
  capture,
}) => {
  const inbox = new InboxPage(page);
  let human!: OwnedMailbox;

  await test.step("the human creates a mailbox", async () => {
    await inbox.goto();
    human = await inbox.createMailbox({ type: "standard", ttl: 3600 });
  });

  // The operator watches the live tail from the start, in a context of its own.
  const opsPage = await (await newContext()).newPage();
  const tail = new TailPage(opsPage);
  await tail.goto();

  // Set once the page is open: still there later means the page was never reloaded.
  await page.evaluate(() => ((window as unknown as { e2eMark?: number }).e2eMark = 1));

  const name = `e2e-deployer-${Date.now().toString(36)}`;
  const agent = startAgent([
    "--to",
    human.mailId,
    "--requests",
    "2",
    "--ttl",
    String(AGENT_TTL),
    "--name",
    name,
  ]);
  let agentMailbox = "";
  let asked: Asked[] = [];

  await test.step("an agent process asks twice over NATS TCP, urgent, with reply_to", async () => {
    agentMailbox = (await agent.next("mailbox")).mail_id;
    await agent.next("announced");
    asked = await agent.several("asked", 2);
    expect(new Set(asked.map((a) => a.correlation_id)).size).toBe(2);
  });
  const [first, second] = [asked[0]!, asked[1]!];

  await test.step("both requests appear without a reload, urgent and pending", async () => {
    for (const a of asked) {
      const card = inbox.card(a.correlation_id);
      await expect(card.root).toBeVisible();
      await expect(card.root).toHaveAttribute("data-priority", "urgent");
      await card.expectState("pending");
      await expect(card.title).toHaveText(a.title);
      await expect(card.correlationChip).toContainText(a.correlation_id);
    }
    const mark = await page.evaluate(() => (window as unknown as { e2eMark?: number }).e2eMark);
    expect(mark, "the page was not reloaded").toBe(1);
    await capture(page, "inbox");
  });

  await test.step("the operator's live tail shows the agent's requests", async () => {
    await expect(tail.rowsFor(inboxSubject(human.mailId, "urgent"))).toHaveCount(2);
    await capture(opsPage, "tail");
  });

  await test.step("the human rejects one with a reason", async () => {
    await inbox.card(first.correlation_id).reject("Not during the sale, please: Monday.");
    const answer = await agent.next("answered", (e) => e.correlation_id === first.correlation_id);
    expect(answer.decision).toBe("reject");
    expect(answer.approved).toBe(false);
    expect(answer.reason).toBe("Not during the sale, please: Monday.");
    expect(answer.from).toBe(human.mailId);
  });

  await test.step("and approves the other by keyboard (J/K, then A)", async () => {
    await inbox.focusByKeyboard(second.correlation_id);
    await inbox.press("a");
    const answer = await agent.next("answered", (e) => e.correlation_id === second.correlation_id);
    expect(answer.decision).toBe("approve");
    expect(answer.approved).toBe(true);
    // The agent acts on the approval and reports back to the human's mailbox.
    await agent.next("result_sent", (e) => e.correlation_id === second.correlation_id);
    const done = await agent.next("done");
    expect([done.answered, done.unanswered]).toEqual([2, 0]);
    // Each correlation id was answered once.
    expect(agent.events.filter((e) => e.event === "answered")).toHaveLength(2);
  });

  await test.step("the agent's result arrives in the inbox", async () => {
    await inbox.openTab("all");
    await expect(inbox.messages.filter({ hasText: "Done: " })).toHaveCount(1);
  });

  const expectAnswered = async (view: InboxPage) => {
    await view.openTab("answered");
    for (const [a, decision] of [
      [first, /reject/i],
      [second, /approve/i],
    ] as const) {
      const card = view.card(a.correlation_id);
      await card.expectState("answered");
      await expect(card.answeredSummary).toContainText(decision);
      await expect(card.action("approve")).toHaveCount(0);
    }
    await view.openTab("pending");
    for (const a of asked) await expect(view.card(a.correlation_id).root).toHaveCount(0);
    await view.openTab("answered");
  };

  await test.step("after a reload the cards show as answered", async () => {
    await page.reload();
    await inbox.shell.connected();
    await expect(inbox.mailboxItem(human.mailId)).toBeVisible();
    await inbox.openMailbox(human.mailId);
    await expectAnswered(inbox);
    await capture(page, "card-answered");
  });

  await test.step("and in a second browser context that adds the mailbox by id + token", async () => {
    const other = new InboxPage(await (await newContext()).newPage());
    await other.goto();
    await other.addMailbox(human);
    await expectAnswered(other);
  });

  await test.step("the answers went through the tail too, to the agent's mailbox", async () => {
    await expect(tail.rowsFor(inboxSubject(agentMailbox, "normal"))).toHaveCount(2);
  });

  await test.step("an operator sees the mailbox and its messages", async () => {
    const mailboxes = new MailboxesPage(opsPage);
    await mailboxes.goto();
    await expect(mailboxes.row(human.mailId)).toBeVisible();
    await capture(opsPage, "mailboxes");
    await mailboxes.find(human.mailId);
    const detail = await mailboxes.open(human.mailId);
    // Two requests and the agent's result.
    await expect(detail.rows).toHaveCount(3);
    const shown = await detail.inspect(detail.rows.first(), "payload");
    await expect(shown).toContainText("approval_request");
    await capture(opsPage, "mailbox-detail");
  });

  await test.step("the agent in the agents index: fresh, then gone once its mailbox expires", async () => {
    const agents = new AgentsPage(opsPage);
    await agents.goto();
    await agents.search.fill(name);
    await agents.expectState(agentMailbox, "fresh");
    await expect(agents.row(agentMailbox)).toContainText(name);
    for (const skill of ["Deploy a service", "Refund an order", "Delete stale branches"]) {
      await expect(agents.skills(agentMailbox).filter({ hasText: skill })).toHaveCount(1);
    }
    // Searchable by skill: every word must match, so this finds this agent only by both.
    await agents.search.fill(`${name} payments`);
    await expect(agents.row(agentMailbox)).toBeVisible();
    await agents.search.fill(`${name} kubernetes`);
    await expect(agents.row(agentMailbox)).toHaveCount(0);
    await agents.search.fill("");
    await expect(agents.row(agentMailbox)).toBeVisible();
    await capture(opsPage, "agents");
    await agents.expectState(agentMailbox, "gone", (AGENT_TTL + 20) * 1000);
  });
});
