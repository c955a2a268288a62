/**
 * Every way a human can answer on the approval card (console.md "Approval card", "Reply",
 * keyboard, batch), each checked where it counts: in the demo agent that asked.
 */
import { InboxPage } from "./pages/inbox-page";
import type { Stamped } from "./support/demo-agent";
import { expect, test } from "./support/fixtures";

type Asked = Extract<Stamped, { event: "asked" }>;

test("edit, free-text answer, quick reply, keyboard reject and batch approve reach the agent", async ({
  page,
  startAgent,
}) => {
  const inbox = new InboxPage(page);
  await inbox.goto();
  const human = await inbox.createMailbox();

  // The demo agent cycles deploy, refund, cleanup: six requests are two of each.
  const agent = startAgent(["--to", human.mailId, "--requests", "6", "--ttl", "120"]);
  const asked = await agent.several("asked", 6);
  const [deploy1, refund1, cleanup1, deploy2, refund2, cleanup2] = asked as [
    Asked,
    Asked,
    Asked,
    Asked,
    Asked,
    Asked,
  ];
  for (const a of asked) await expect(inbox.card(a.correlation_id).root).toBeVisible();
  const answerTo = (a: Asked) =>
    agent.next("answered", (e) => e.correlation_id === a.correlation_id);

  await test.step("edit: the agent works with the edited arguments", async () => {
    const card = inbox.card(deploy1.correlation_id);
    await card.edit({
      service: "checkout-service",
      version: "2.4.1",
      environment: "staging",
      replicas: 5,
    });
    const answer = await answerTo(deploy1);
    expect(answer.decision).toBe("edit");
    expect(answer.args).toMatchObject({ environment: "staging", replicas: 5 });
    await agent.next(
      "working",
      (e) =>
        e.correlation_id === deploy1.correlation_id && e.step.includes("5 replicas to staging"),
    );
  });

  await test.step("answer: free text", async () => {
    await inbox.card(cleanup1.correlation_id).answer("Only branches older than a year.");
    const answer = await answerTo(cleanup1);
    expect(answer.decision).toBe("answer");
    expect(answer.text).toBe("Only branches older than a year.");
  });

  await test.step("quick reply: one of the request's options", async () => {
    await inbox.card(deploy2.correlation_id).quickReply("canary").click();
    const answer = await answerTo(deploy2);
    expect(answer.decision).toBe("answer");
    expect(answer.text).toBe("canary");
  });

  await test.step("reject by keyboard: R, a reason, Ctrl+Enter", async () => {
    await inbox.focusByKeyboard(cleanup2.correlation_id);
    await inbox.press("r");
    const reason = inbox.card(cleanup2.correlation_id).root.getByTestId("reject-reason");
    await expect(reason).toBeFocused();
    await reason.fill("Not this quarter.");
    await inbox.press("Control+Enter");
    const answer = await answerTo(cleanup2);
    expect(answer.decision).toBe("reject");
    expect(answer.reason).toBe("Not this quarter.");
  });

  await test.step("batch approve two requests of the same kind", async () => {
    await inbox.card(refund1.correlation_id).select();
    await inbox.card(refund2.correlation_id).select();
    await page.getByTestId("batch-approve").click();
    for (const a of [refund1, refund2]) expect((await answerTo(a)).decision).toBe("approve");
  });

  const done = await agent.next("done");
  expect([done.answered, done.unanswered]).toEqual([6, 0]);
  // Answered cards stay in place in the list that showed them; a fresh Pending list is empty.
  await inbox.openTab("answered");
  for (const a of asked) await inbox.card(a.correlation_id).expectState("answered");
  await inbox.openTab("pending");
  for (const a of asked) await expect(inbox.card(a.correlation_id).root).toHaveCount(0);
});
