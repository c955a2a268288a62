/** The operator overview (/ops): live figures of the broker. */
import { expect, type Locator, type Page } from "@playwright/test";
import { Shell } from "./shell";

export const STATS = [
  "connections",
  "subscriptions",
  "mailboxes",
  "stored",
  "unread",
  "dead-letters",
  "in-rate",
  "out-rate",
] as const;
export type Stat = (typeof STATS)[number];

export class OverviewPage {
  readonly shell: Shell;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  async goto(): Promise<void> {
    await this.page.goto("/ops");
    await expect(this.stat("connections")).toBeVisible();
  }

  stat(name: Stat): Locator {
    return this.page.getByTestId(`stat-${name}`);
  }

  /** The figure shown, as a number (thousands separators and units dropped). */
  async value(name: Stat): Promise<number> {
    const text = (await this.stat(name).textContent()) ?? "";
    const m = text.replace(/[,\s\u202f\u00a0]/g, "").match(/-?\d+(\.\d+)?/);
    return m ? Number(m[0]) : NaN;
  }
}
