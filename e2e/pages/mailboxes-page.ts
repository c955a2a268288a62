/** The operator's mailboxes table (/ops/mailboxes) and one mailbox's detail page. */
import { expect, type Locator, type Page } from "@playwright/test";
import { Shell } from "./shell";

export class MailboxesPage {
  readonly shell: Shell;
  readonly search: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.search = page.getByTestId("mailboxes-search");
    this.rows = page.getByTestId("mailbox-row");
  }

  async goto(): Promise<void> {
    await this.page.goto("/ops/mailboxes");
    await expect(this.search).toBeVisible();
  }

  row(mailId: string): Locator {
    return this.page.locator(`[data-testid="mailbox-row"][data-mail-id="${mailId}"]`);
  }

  async find(mailId: string): Promise<Locator> {
    await this.search.fill(mailId);
    await expect(this.row(mailId)).toBeVisible();
    return this.row(mailId);
  }

  /** Opens the mailbox's detail page from its row. */
  async open(mailId: string): Promise<MailboxDetailPage> {
    const row = await this.find(mailId);
    await row.getByRole("link").first().click();
    await expect(this.page).toHaveURL(new RegExp(`/ops/mailboxes/${mailId}$`));
    return new MailboxDetailPage(this.page, mailId);
  }
}

export class MailboxDetailPage {
  readonly rows: Locator;
  readonly detail: Locator;

  constructor(
    readonly page: Page,
    readonly mailId: string,
  ) {
    this.rows = page.getByTestId("message-row");
    this.detail = page.getByTestId("message-detail");
  }

  async goto(): Promise<void> {
    await this.page.goto(`/ops/mailboxes/${this.mailId}`);
  }

  row(msgId: number): Locator {
    return this.page.locator(`[data-testid="message-row"][data-msg-id="${msgId}"]`);
  }

  async inspect(row: Locator, view: "payload" | "headers" | "raw" = "payload"): Promise<Locator> {
    await row.click();
    await expect(this.detail).toBeVisible();
    await this.detail.getByTestId(`view-${view}`).click();
    return this.detail;
  }
}
