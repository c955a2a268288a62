/**
 * How the e2e tests and bench:console launch Chromium: Debian's own (never
 * `playwright install`), with the flags for a small shared machine without a GPU.
 */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
