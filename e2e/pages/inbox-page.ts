/**
 * The human inbox (/inbox): owned mailboxes in the sidebar, the open mailbox's approval
 * cards and other mail, tabs, keyboard control. Test ids: .tmp/CONSOLE.md's contract.
 */
import { expect, type Locator, type Page } from "@playwright/test";
import { ApprovalCard } from "./approval-card";
import { Shell } from "./shell";

export type InboxTab = "pending" | "answered" | "expired" | "all";

export interface OwnedMailbox {
  mailId: string;
  token: string;
}

export class InboxPage {
  readonly shell: Shell;
  readonly cards: Locator;
  readonly messages: Locator;
  readonly currentMailboxId: Locator;
  readonly currentMailboxToken: Locator;
  readonly focusedCard: Locator;
  readonly toast: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.cards = page.getByTestId("approval-card");
    this.messages = page.getByTestId("message-item");
    this.currentMailboxId = page.getByTestId("current-mailbox-id");
    this.currentMailboxToken = page.getByTestId("current-mailbox-token");
    this.focusedCard = page.locator('[data-testid="approval-card"][data-focused="true"]');
    this.toast = page.getByTestId("toast");
  }

  async goto(): Promise<void> {
    await this.page.goto("/inbox");
    await this.shell.connected();
  }

  /** Creates a mailbox in the browser and returns its id and token, read from the header. */
  async createMailbox(
    opts: { type?: "standard" | "latest"; ttl?: number } = {},
  ): Promise<OwnedMailbox> {
    const before = await this.mailboxItems().count();
    await this.page.getByTestId("new-mailbox").click();
    if (opts.type !== undefined) {
      await this.page.getByTestId("mailbox-type").selectOption(opts.type);
    }
    if (opts.ttl !== undefined) await this.page.getByTestId("mailbox-ttl").fill(String(opts.ttl));
    await this.page.getByTestId("mailbox-create-submit").click();
    await expect(this.mailboxItems()).toHaveCount(before + 1);
    return this.current();
  }

  /** Adds a mailbox someone else created, by id and token, and opens it. */
  async addMailbox(box: OwnedMailbox): Promise<void> {
    await this.page.getByTestId("add-mailbox").click();
    await this.page.getByTestId("add-mailbox-id").fill(box.mailId);
    await this.page.getByTestId("add-mailbox-token").fill(box.token);
    await this.page.getByTestId("add-mailbox-submit").click();
    await expect(this.mailboxItem(box.mailId)).toBeVisible();
    await this.openMailbox(box.mailId);
  }

  /** The mailbox open now, from the header. */
  async current(): Promise<OwnedMailbox> {
    await expect(this.currentMailboxId).toHaveText(/^m-[a-z0-9_-]+$/);
    const mailId = (await this.currentMailboxId.textContent())!.trim();
    const token =
      (await this.currentMailboxToken.getAttribute("data-token")) ??
      (await this.currentMailboxToken.textContent())!.trim();
    expect(token).toMatch(/^tok-/);
    return { mailId, token };
  }

  mailboxItems(): Locator {
    return this.page.getByTestId("mailbox-item");
  }

  mailboxItem(mailId: string): Locator {
    return this.page.locator(`[data-testid="mailbox-item"][data-mail-id="${mailId}"]`);
  }

  unread(mailId: string): Locator {
    return this.mailboxItem(mailId).getByTestId("mailbox-unread");
  }

  async openMailbox(mailId: string): Promise<void> {
    await this.mailboxItem(mailId).click();
    await expect(this.currentMailboxId).toHaveText(mailId);
  }

  tab(name: InboxTab): Locator {
    return this.page.getByTestId(`tab-${name}`);
  }

  async openTab(name: InboxTab): Promise<void> {
    await this.tab(name).click();
    await expect(this.tab(name)).toHaveAttribute("aria-selected", "true");
  }

  card(correlationId: string): ApprovalCard {
    return new ApprovalCard(
      this.page.locator(`[data-testid="approval-card"][data-correlation-id="${correlationId}"]`),
    );
  }

  message(msgId: number): Locator {
    return this.page.locator(`[data-testid="message-item"][data-msg-id="${msgId}"]`);
  }

  /**
   * Moves the keyboard focus with J (down) and K (up) until the card is the focused one.
   * Keys go to the page, not to a form field: whatever had the focus gives it up first.
   */
  async focusByKeyboard(correlationId: string): Promise<void> {
    const card = this.card(correlationId).root;
    await expect(card).toBeVisible();
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const items = this.page.locator('[data-testid="approval-card"], [data-testid="message-item"]');
    await expect(async () => {
      const list = await items.evaluateAll((els) =>
        els.map((e) => ({
          id: e.getAttribute("data-correlation-id"),
          focused: e.getAttribute("data-focused") === "true",
        })),
      );
      const target = list.findIndex((i) => i.id === correlationId);
      const at = list.findIndex((i) => i.focused);
      if (at !== target) await this.page.keyboard.press(at < 0 || at < target ? "j" : "k");
      await expect(card).toHaveAttribute("data-focused", "true", { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }
}
