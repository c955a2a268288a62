/** Dead letters (/ops/dead-letters): unread mail of expired mailboxes (mq9.md §10). */
import { expect, type Locator, type Page } from "@playwright/test";
import { Shell } from "./shell";

export class DeadLettersPage {
  readonly shell: Shell;
  readonly rows: Locator;
  readonly detail: Locator;
  readonly resendTarget: Locator;
  readonly resend: Locator;
  readonly purge: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.rows = page.getByTestId("dead-letter-row");
    this.detail = page.getByTestId("dead-letter-detail");
    this.resendTarget = page.getByTestId("dead-letter-resend-target");
    this.resend = page.getByTestId("dead-letter-resend");
    this.purge = page.getByTestId("dead-letter-purge");
  }

  async goto(): Promise<void> {
    await this.page.goto("/ops/dead-letters");
  }

  /** Dead letters that came from one mailbox. */
  from(mailId: string): Locator {
    return this.page.locator(`[data-testid="dead-letter-row"][data-mail-id="${mailId}"]`);
  }

  async inspect(row: Locator): Promise<void> {
    await row.click();
    await expect(this.detail).toBeVisible();
  }

  async resendTo(mailId: string): Promise<void> {
    await this.resendTarget.fill(mailId);
    await this.resend.click();
  }

  /** Ticks a row's checkbox (`dead-letter-select`): purge then takes only the selection. */
  async select(row: Locator): Promise<void> {
    await row.getByTestId("dead-letter-select").check();
  }

  /** Purges the selection, or every dead letter when nothing is selected. */
  async purgeSelected(): Promise<void> {
    await this.purge.click();
    await this.page.getByTestId("confirm-button").click();
  }
}
