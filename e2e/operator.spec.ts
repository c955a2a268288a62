/**
 * The operator's views against the real server, with traffic made by a NATS TCP client:
 * the overview's figures, a dead letter (mq9.md §10), the live tail and the publisher.
 */
import { inboxSubject, isExpiredEvent } from "../lib/mq9/mod";
import { DeadLettersPage } from "./pages/dead-letters-page";
import { OverviewPage } from "./pages/overview-page";
import { PublishPage } from "./pages/publish-page";
import { TailPage } from "./pages/tail-page";
import { expect, test } from "./support/fixtures";

const unique = () => Math.random().toString(36).slice(2, 10);

test("the overview's figures follow the traffic without a reload", async ({
  page,
  nats,
  capture,
}) => {
  const overview = new OverviewPage(page);
  const box = await nats.mq9.create({ ttl: 600 });
  await overview.goto();
  await expect.poll(() => overview.value("connections")).toBeGreaterThanOrEqual(1);
  const stored = await overview.value("stored");

  // A steady trickle while the page watches: the rate shows it, the stored count grows.
  let sending = true;
  const trickle = (async () => {
    for (let i = 0; sending; i++) {
      await nats.mq9.send(box.mailId, { type: "status", payload: { step: i } });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    await expect.poll(() => overview.value("in-rate")).toBeGreaterThan(0);
    await expect.poll(() => overview.value("stored")).toBeGreaterThanOrEqual(stored + 30);
    await expect.poll(() => overview.value("mailboxes")).toBeGreaterThanOrEqual(1);
    await capture(page, "overview");
  } finally {
    sending = false;
    await trickle;
  }
});

test("unread mail of an expired mailbox becomes dead letters; one re-sent, one purged", async ({
  page,
  nats,
  capture,
}) => {
  const { mq9, nc } = nats;
  const doomed = await mq9.create({ type: "standard", ttl: 2 });
  const expired = new Promise<void>((resolve) => {
    const sub = mq9.onBroadcast("system.expired", (m) => {
      const e: unknown = m.json();
      if (isExpiredEvent(e) && e.mail_id === doomed.mailId) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
  await nc.flush();
  // Titles first, so each row's payload preview tells them apart.
  await mq9.send(
    doomed.mailId,
    { title: "Nobody read this in time", type: "task" },
    {
      priority: "urgent",
    },
  );
  await mq9.send(doomed.mailId, { title: "Nor this one", type: "task" }, { priority: "normal" });
  await expired;

  const deadLetters = new DeadLettersPage(page);
  await deadLetters.goto();
  const rows = deadLetters.from(doomed.mailId);
  await expect(async () => {
    if ((await rows.count()) < 2) await page.reload();
    await expect(rows).toHaveCount(2, { timeout: 2000 });
  }).toPass({ timeout: 15_000 });
  const first = rows.filter({ hasText: "Nobody read this in time" });
  await deadLetters.inspect(first);
  await expect(deadLetters.detail).toContainText("Nobody read this in time");
  await capture(page, "dead-letters");

  // Re-sent: the letter goes to a live mailbox and leaves the dead-letter store.
  const target = await mq9.create({ ttl: 600 });
  await deadLetters.resendTo(target.mailId);
  await expect(first).toHaveCount(0);
  const { messages } = await mq9.query(target.mailId, target.token, { peek: true });
  expect(messages.map((m) => m.json<{ title: string }>().title)).toEqual([
    "Nobody read this in time",
  ]);

  const second = rows.filter({ hasText: "Nor this one" });
  await deadLetters.select(second);
  await deadLetters.purgeSelected();
  await expect(rows).toHaveCount(0);
  await page.reload();
  await expect(deadLetters.rows.first().or(page.getByTestId("dead-letters-empty"))).toBeVisible();
  await expect(rows).toHaveCount(0);
});

// Its screenshot is taken in approval-loop.spec.ts, with a real agent's traffic.
test("the live tail shows traffic as it flows, system subjects hidden", async ({ page, nats }) => {
  const tail = new TailPage(page);
  await tail.goto();
  const id = unique();
  const box = await nats.mq9.create({ ttl: 600 });
  const subject = `e2e.tail.${id}`;
  nats.nc.publish(`_INBOX.e2e${id}`, new TextEncoder().encode("hidden"));
  nats.nc.publish(subject, new TextEncoder().encode(JSON.stringify({ hello: "tail" })));
  await nats.mq9.send(box.mailId, { type: "status", payload: "tail" }, { priority: "normal" });
  await nats.nc.flush();

  await expect(tail.rowsFor(subject)).toHaveCount(1);
  await expect(tail.rowsFor(inboxSubject(box.mailId, "normal"))).toHaveCount(1);
  // Published before the rows above, so it would be shown by now if it were shown at all.
  await expect(tail.rowsFor(`_INBOX.e2e${id}`)).toHaveCount(0);

  await tail.setFilter(`e2e.tail.>`);
  const next = `e2e.tail.${id}.second`;
  nats.nc.publish(inboxSubject(box.mailId, "notify"), new TextEncoder().encode("filtered out"));
  nats.nc.publish(next, new TextEncoder().encode("{}"));
  await expect(tail.rowsFor(next)).toHaveCount(1);
  await expect(tail.rowsFor(inboxSubject(box.mailId, "notify"))).toHaveCount(0);

  // Paused: what arrives is counted, not shown, until resumed.
  await tail.pause.click();
  await expect(tail.pause).toHaveAttribute("aria-pressed", "true");
  const whilePaused = `e2e.tail.${id}.paused`;
  nats.nc.publish(whilePaused, new TextEncoder().encode("{}"));
  await expect(page.getByText(/1 new while paused/)).toBeVisible();
  await expect(tail.rowsFor(whilePaused)).toHaveCount(0);
  await tail.pause.click();
  await expect(tail.pause).toHaveAttribute("aria-pressed", "false");
  await expect(tail.rowsFor(whilePaused)).toHaveCount(1);

  // The buffer is capped, and says what it dropped.
  const bulk = `e2e.tail.${id}.bulk`;
  for (let i = 0; i < 520; i++) nats.nc.publish(bulk, new TextEncoder().encode(String(i)));
  await nats.nc.flush();
  await expect(tail.dropped).toHaveAttribute("data-dropped", /^[1-9][0-9]*$/);
  await expect(tail.dropped).toContainText("dropped");
  await expect(tail.rows).toHaveCount(500);
});

test("publish to a mailbox with priority and headers, and a request with its reply", async ({
  page,
  nats,
  capture,
}) => {
  const { mq9, nc } = nats;
  const box = await mq9.create({ ttl: 600 });
  const publisher = new PublishPage(page);
  await publisher.goto();

  await publisher.publish({
    subject: inboxSubject(box.mailId, "urgent"),
    priority: "urgent",
    headers: "X-E2E: yes",
    payload: JSON.stringify({ type: "task", payload: "from the publisher" }),
  });
  await expect(publisher.result).toBeVisible();
  await expect
    .poll(async () => (await mq9.query(box.mailId, box.token, { peek: true })).messages.length)
    .toBe(1);
  const [stored] = (await mq9.query(box.mailId, box.token, { peek: true })).messages;
  expect(stored!.priority).toBe("urgent");
  expect(stored!.headers["X-E2E"]).toEqual(["yes"]);
  expect(stored!.json<{ payload: string }>().payload).toBe("from the publisher");

  // A responder on a plain subject: request mode shows its reply.
  const echo = `e2e.echo.${unique()}`;
  const responder = nc.subscribe(echo, {
    callback: (err, msg) => {
      if (err === null) msg.respond(new TextEncoder().encode(`pong: ${msg.string()}`));
    },
  });
  await nc.flush();
  await publisher.publish({ subject: echo, payload: "ping-e2e", request: true });
  await expect(publisher.result).toContainText("pong: ping-e2e");
  await capture(page, "publish");
  responder.unsubscribe();

  // A recent send, sent again: the mailbox holds the same message twice.
  const earlier = publisher.recent.filter({ hasText: box.mailId });
  await earlier.getByTestId("resend-button").click();
  await expect
    .poll(async () => (await mq9.query(box.mailId, box.token, { peek: true })).messages.length)
    .toBe(2);
});
