/**
 * The fixtures every spec uses: one real product server per worker (started before the
 * first test, stopped after the last; workers: 1, so one per run unless a test fails and
 * Playwright replaces the worker), `baseURL` pointing at it, a NATS TCP client in the
 * place of any agent, demo-agent processes that are stopped after the test, and the
 * screenshots of the main views.
 */
import fs from "node:fs";
import path from "node:path";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { connect, type NatsConnection } from "nats";
import { Mq9Client } from "../../lib/mq9/mod";
import { startDemoAgent, type DemoAgent } from "./demo-agent";
import { SCREENSHOTS } from "./paths";
import { startProductServer, type ProductServer } from "./product-server";

export interface Nats {
  nc: NatsConnection;
  mq9: Mq9Client;
}

interface TestFixtures {
  /** A NATS TCP connection to the server, closed after the test. */
  nats: Nats;
  /** Starts `server/cli/demo-agent.ts --json` against the server; stopped after the test. */
  startAgent: (args: string[]) => DemoAgent;
  /**
   * Another browser context (a second human, an operator) with the test's own settings
   * (base URL, viewport, theme), closed after the test.
   */
  newContext: () => Promise<BrowserContext>;
  /** Writes e2e/.artifacts/screenshots/<name>.png (the viewport, 1280x800). */
  capture: (page: Page, name: string) => Promise<void>;
}

interface WorkerFixtures {
  server: ProductServer;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // eslint-disable-next-line no-empty-pattern -- Playwright wants the destructuring.
    async ({}, use) => {
      const server = await startProductServer();
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 240_000 },
  ],
  baseURL: async ({ server }, use) => use(server.url),
  nats: async ({ server }, use) => {
    const nc = await connect({ servers: server.natsUrl, reconnect: false, timeout: 5000 });
    await use({ nc, mq9: new Mq9Client(nc) });
    await nc.close();
  },
  startAgent: async ({ server }, use, testInfo) => {
    const agents: DemoAgent[] = [];
    await use((args) => {
      const agent = startDemoAgent(["--server", server.natsUrl, ...args]);
      agents.push(agent);
      return agent;
    });
    await Promise.all(agents.map((a) => a.stop()));
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [i, a] of agents.entries()) {
        await testInfo.attach(`demo-agent-${i}.log`, { body: a.stderr() });
      }
    }
  },
  newContext: async ({ browser, baseURL, viewport, colorScheme }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext({
        ...(baseURL === undefined ? {} : { baseURL }),
        viewport,
        colorScheme,
      });
      contexts.push(context);
      return context;
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright wants the destructuring.
  capture: async ({}, use) => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await use(async (page, name) => {
      // A view is shown as a user sees it: live, not "connecting".
      await expect(page.getByTestId("nats-status")).toHaveAttribute("data-state", "connected");
      // Descriptions show as plain text until the markdown renderer has loaded.
      await expect(page.locator("[data-markdown-pending]")).toHaveCount(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    });
  },
});

// The server's log goes with a failed test: what it said is often the answer.
test.afterEach(async ({ server }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach("server.log", { body: server.log() });
  }
});

export { expect };
