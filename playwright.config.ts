/**
 * End-to-end tests of the console (e2e/): Debian's Chromium against the real product server,
 * which the `server` fixture starts (e2e/support/fixtures.ts). Never `playwright install`:
 * the browser is the system's, at /usr/bin/chromium or $CHROMIUM_PATH.
 */
import { defineConfig } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "./e2e/support/chromium";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  // Traces, failure screenshots and the HTML report go where eslint, prettier and git
  // already look away (test-results/, playwright-report/); the views' screenshots, which
  // are PNGs only, go to e2e/.artifacts/screenshots.
  outputDir: "test-results",
  globalSetup: "./e2e/support/global-setup.ts",
  // One server, one browser, one test at a time: the machine is small and the specs share
  // the server's agents index, dead letters and tail.
  workers: 1,
  fullyParallel: false,
  // A flaky test must show up as a failure, not be retried into a pass.
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { outputFolder: "playwright-report", open: "never" }]],
  use: {
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    actionTimeout: 10_000,
    navigationTimeout: 30_000,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: CHROMIUM_LAUNCH,
  },
});
