/** The app shell around every page: the main navigation and the NATS connection status. */
import { expect, type Locator, type Page } from "@playwright/test";

export type Section =
  "inbox" | "overview" | "mailboxes" | "tail" | "publish" | "dead-letters" | "agents";

export class Shell {
  readonly natsStatus: Locator;

  constructor(readonly page: Page) {
    this.natsStatus = page.getByTestId("nats-status");
  }

  nav(section: Section): Locator {
    return this.page.getByTestId(`nav-${section}`);
  }

  async open(section: Section): Promise<void> {
    await this.nav(section).click();
    await expect(this.nav(section)).toHaveAttribute("aria-current", "page");
  }

  /** The browser's NATS-over-WebSocket connection is up (live views depend on it). */
  async connected(): Promise<void> {
    await expect(this.natsStatus).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  }
}
