/**
 * `npm run bench:console`: how the inbox copes with a big mailbox and a steady stream
 * (issue 5, "Measure"). Not a test: it prints figures.
 *
 * 1. The real server (production build), a mailbox filled with 10 000 messages (one in
 *    ten an approval request, some urgent) over NATS TCP.
 * 2. First screen: the inbox opened on it by navigation, 10 000 unread (cold), then
 *    reloaded (everything read): from navigation start to the first row painted.
 * 3. 100 messages/s for 10 s while the human works: frame gaps (rAF), long tasks, and how
 *    long a key press (J) and a click (a tab) take to show on screen.
 *
 * Options: --messages N (10000), --rate N per second (100), --seconds N (10), --json.
 * Chromium is /usr/bin/chromium or $CHROMIUM_PATH (never `playwright install`).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { connect } from "nats";
import { Mq9Client, approvalRequest, type Priority } from "../lib/mq9/mod";
import { startProductServer } from "../e2e/support/product-server";
import { ensureConsoleBuild } from "../server/console-build";
import { createLogger } from "../server/log";
import { CHROMIUM_LAUNCH } from "../e2e/support/chromium";
import { ROOT } from "../e2e/support/paths";

const { values: opt } = parseArgs({
  options: {
    messages: { type: "string", default: "10000" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});
const MESSAGES = Number(opt.messages);
const RATE = Number(opt.rate);
const SECONDS = Number(opt.seconds);

const ROW = '[data-testid="approval-card"], [data-testid="message-item"]';
const STORAGE_KEY = "mq9.inbox.v1";

/** Installed before any page script: records when the first row is painted, frames, long tasks, input latency. */
function instrument(rowSelector: string): void {
  interface Probe {
    firstRow: number | null;
    frames: number[];
    longTasks: { start: number; duration: number }[];
    inputs: { kind: string; latency: number }[];
    eventDurations: number[];
    recording: boolean;
  }
  const probe: Probe = {
    firstRow: null,
    frames: [],
    longTasks: [],
    inputs: [],
    eventDurations: [],
    recording: false,
  };
  (window as unknown as { __probe: Probe }).__probe = probe;

  // First row: the frame after it entered the DOM is when it was painted.
  const rowObserver = new MutationObserver(() => {
    if (probe.firstRow !== null || !document.querySelector(rowSelector)) return;
    rowObserver.disconnect();
    requestAnimationFrame(() => {
      probe.firstRow = performance.now();
    });
  });
  rowObserver.observe(document, { childList: true, subtree: true });

  let last = 0;
  const frame = (t: number) => {
    if (probe.recording && last > 0) probe.frames.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  new PerformanceObserver((list) => {
    if (!probe.recording) return;
    for (const e of list.getEntries())
      probe.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: false });
  try {
    new PerformanceObserver((list) => {
      if (!probe.recording) return;
      for (const e of list.getEntries()) probe.eventDurations.push(e.duration);
    }).observe({
      type: "event",
      durationThreshold: 16,
      buffered: false,
    } as PerformanceObserverInit);
  } catch {
    // Event Timing is not everywhere; the input probes below do not need it.
  }

  // Input to paint: from the event's timestamp to the frame after the DOM reacted.
  let pending: { kind: string; at: number } | null = null;
  const onInput = (kind: string) => (e: Event) => {
    if (probe.recording) pending = { kind, at: e.timeStamp };
  };
  window.addEventListener("keydown", onInput("key"), true);
  window.addEventListener("click", onInput("click"), true);
  new MutationObserver(() => {
    const p = pending;
    if (p === null) return;
    pending = null;
    requestAnimationFrame(() =>
      probe.inputs.push({ kind: p.kind, latency: performance.now() - p.at }),
    );
  }).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-focused", "aria-selected"],
  });
}

interface ProbeResult {
  firstRow: number | null;
  frames: number[];
  longTasks: { start: number; duration: number }[];
  inputs: { kind: string; latency: number }[];
  eventDurations: number[];
}

const readProbe = (page: Page) =>
  page.evaluate(() => (window as unknown as { __probe: ProbeResult }).__probe);

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : "—");

interface FirstScreen {
  firstRow: number;
  fcp: number | null;
  steps: { domContentLoaded: number; connected: number; firstPage: number };
}

async function firstScreen(page: Page): Promise<FirstScreen> {
  await page.waitForSelector(ROW, { timeout: 60_000 });
  await page.waitForFunction(
    () => (window as unknown as { __probe: ProbeResult }).__probe.firstRow !== null,
  );
  const probe = await readProbe(page);
  const fcp = await page.evaluate(
    () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
  );
  // The steps in between: the page's scripts, the NATS connection, the first QUERY page
  // (marks set by the console itself).
  const steps = await page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const nav = performance.getEntriesByType("navigation")[0] as
      PerformanceNavigationTiming | undefined;
    return {
      domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
      connected: at("mq9:nats-connected"),
      firstPage: at("mq9:first-page"),
    };
  });
  return { firstRow: probe.firstRow!, fcp, steps };
}

function stepRows(s: FirstScreen): [string, string][] {
  return [
    ["  scripts run (DOMContentLoaded)", ms(s.steps.domContentLoaded)],
    ["  NATS connected", ms(s.steps.connected)],
    ["  first QUERY page in", ms(s.steps.firstPage)],
  ];
}

async function main(): Promise<void> {
  const log = createLogger({ logtime: false });
  await ensureConsoleBuild(ROOT, log);

  // A mailbox holds 10 000 messages by default (mq9.md §11); the stream comes on top.
  const confDir = fs.mkdtempSync(path.join(os.tmpdir(), "mq9-bench-console-"));
  const conf = path.join(confDir, "mq9.conf");
  fs.writeFileSync(
    conf,
    `mq9 {\n  max_messages_per_mailbox: ${MESSAGES + RATE * SECONDS + 1000}\n}\n`,
  );
  const server = await startProductServer(["-c", conf]);
  const nc = await connect({ servers: server.natsUrl, timeout: 5000 });
  const mq9 = new Mq9Client(nc);
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const rows: [string, string][] = [];
  try {
    const box = await mq9.create({ ttl: 3600 });
    const agent = await mq9.create({ ttl: 3600 });
    let seq = 0;
    const message = (): { body: object; priority: Priority } => {
      const n = seq++;
      if (n % 10 === 0) {
        return {
          priority: n % 30 === 0 ? "urgent" : "normal",
          body: approvalRequest({
            from: agent.mailId,
            title: `Request ${n}: deploy build ${n}`,
            description: `Build **${n}** passed its checks.`,
            args: { build: n, environment: "staging" },
            allowed: ["approve", "reject", "edit"],
            expiresAt: Date.now() + 3_600_000,
          }),
        };
      }
      return {
        priority: n % 7 === 0 ? "notify" : "normal",
        body: { from: agent.mailId, type: "status", payload: { step: n, ok: true } },
      };
    };

    const filled = performance.now();
    for (let i = 0; i < MESSAGES; i++) {
      const m = message();
      await mq9.send(box.mailId, m.body, { priority: m.priority, confirm: i % 500 === 499 });
    }
    await nc.flush();
    rows.push([`fill ${MESSAGES} messages (NATS TCP)`, ms(performance.now() - filled)]);

    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
      baseURL: server.url,
    });
    // What the browser owns (components/inbox/owned-mailboxes.ts), so the inbox opens on
    // the big mailbox by navigation, as after any reload.
    await context.addInitScript(
      ({ key, value }) => {
        if (window.localStorage.getItem(key) === null) window.localStorage.setItem(key, value);
      },
      {
        key: STORAGE_KEY,
        value: JSON.stringify({
          mailboxes: [
            {
              mailId: box.mailId,
              token: box.token,
              type: "standard",
              expiresAt: box.expiresAt,
              addedAt: Date.now(),
            },
          ],
          selected: box.mailId,
          responder: "bench",
          unseen: {},
        }),
      },
    );
    // tsx compiles with esbuild's keepNames, so `instrument`'s inner functions call
    // `__name`, which the page does not have: a no-op stands in for it.
    await context.addInitScript({ content: "globalThis.__name ??= (f) => f;" });
    await context.addInitScript(instrument, ROW);
    const page = await context.newPage();

    await page.goto("/inbox");
    const cold = await firstScreen(page);
    rows.push([`first row painted, ${MESSAGES} unread (from navigation)`, ms(cold.firstRow)]);
    rows.push(["  first contentful paint (cold)", ms(cold.fcp ?? NaN)]);
    rows.push(...stepRows(cold));
    await page.waitForSelector('[data-testid="nats-status"][data-state="connected"]');

    await page.reload();
    const warm = await firstScreen(page);
    rows.push([`first row painted, reload (all read)`, ms(warm.firstRow)]);
    rows.push(["  first contentful paint (reload)", ms(warm.fcp ?? NaN)]);
    rows.push(...stepRows(warm));
    await page.waitForSelector('[data-testid="nats-status"][data-state="connected"]');

    // The stream, while a human presses J and switches tabs.
    await page.evaluate(() => {
      (window as unknown as { __probe: { recording: boolean } }).__probe.recording = true;
    });
    const started = performance.now();
    const total = RATE * SECONDS;
    let sent = 0;
    const tick = 100;
    const sending = (async () => {
      while (sent < total) {
        const due = Math.min(total, Math.round(((performance.now() - started) / 1000) * RATE));
        while (sent < due) {
          const m = message();
          await mq9.send(box.mailId, m.body, { priority: m.priority, confirm: false });
          sent++;
        }
        await nc.flush();
        await new Promise((r) => setTimeout(r, tick));
      }
    })();
    const tabs = ["tab-all", "tab-pending"];
    const inputsSeen = () =>
      page.evaluate(() => (window as unknown as { __probe: ProbeResult }).__probe.inputs.length);
    // Each input waits until the previous one showed (or 2 s), so latencies are not mixed up.
    const shown = (before: number) =>
      page
        .waitForFunction(
          (n) => (window as unknown as { __probe: ProbeResult }).__probe.inputs.length > n,
          before,
          { timeout: 2000 },
        )
        .catch(() => {});
    let presses = 0;
    while (performance.now() - started < SECONDS * 1000) {
      let before = await inputsSeen();
      await page.keyboard.press("j");
      await shown(before);
      before = await inputsSeen();
      await page.getByTestId(tabs[presses % 2]!).click();
      await shown(before);
      presses++;
      await new Promise((r) => setTimeout(r, 300));
    }
    await sending;
    const streamMs = performance.now() - started;
    await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
    );
    const probe = await readProbe(page);

    const keys = probe.inputs.filter((i) => i.kind === "key").map((i) => i.latency);
    const clicks = probe.inputs.filter((i) => i.kind === "click").map((i) => i.latency);
    const longTotal = probe.longTasks.reduce((a, t) => a + t.duration, 0);
    rows.push([`stream: ${sent} messages in`, ms(streamMs)]);
    rows.push([
      "  frame gap p50 / p95 / max",
      `${ms(quantile(probe.frames, 0.5))} / ${ms(quantile(probe.frames, 0.95))} / ${ms(Math.max(...probe.frames))}`,
    ]);
    rows.push([
      "  frames over 50 ms",
      `${probe.frames.filter((f) => f > 50).length} of ${probe.frames.length}`,
    ]);
    rows.push([
      "  long tasks: count / total / max",
      `${probe.longTasks.length} / ${ms(longTotal)} / ${ms(Math.max(0, ...probe.longTasks.map((t) => t.duration)))}`,
    ]);
    rows.push([
      `  key J to paint p50 / max (${keys.length})`,
      `${ms(quantile(keys, 0.5))} / ${ms(Math.max(...keys))}`,
    ]);
    rows.push([
      `  tab click to paint p50 / max (${clicks.length})`,
      `${ms(quantile(clicks, 0.5))} / ${ms(Math.max(...clicks))}`,
    ]);
    rows.push([
      "  slowest event (Event Timing)",
      ms(probe.eventDurations.length ? Math.max(...probe.eventDurations) : NaN),
    ]);
    await context.close();
  } finally {
    await browser.close();
    await nc.close();
    await server.stop();
    fs.rmSync(confDir, { recursive: true, force: true });
  }

  if (opt.json) {
    process.stdout.write(JSON.stringify(Object.fromEntries(rows)) + "\n");
    return;
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\nconsole inbox, ${os.cpus().length} cores, Chromium (production build)\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

await main();
