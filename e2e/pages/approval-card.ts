/** One approval card of the inbox (mq9.md §12.1) and the answers a human can give on it. */
import { expect, type Locator } from "@playwright/test";

export type CardState = "pending" | "answered" | "expired";

export class ApprovalCard {
  readonly title: Locator;
  readonly args: Locator;
  readonly correlationChip: Locator;
  readonly answeredSummary: Locator;

  constructor(readonly root: Locator) {
    this.title = root.getByTestId("approval-title");
    this.args = root.getByTestId("approval-args");
    this.correlationChip = root.getByTestId("correlation-chip");
    this.answeredSummary = root.getByTestId("answered-summary");
  }

  action(name: "approve" | "reject" | "edit" | "answer"): Locator {
    return this.root.getByTestId(`${name}-button`);
  }

  quickReply(name: string): Locator {
    return this.root.locator(`[data-testid="quick-reply"][data-name="${name}"]`);
  }

  async expectState(state: CardState): Promise<void> {
    await expect(this.root).toHaveAttribute("data-state", state);
  }

  async approve(): Promise<void> {
    await this.action("approve").click();
  }

  async reject(reason: string): Promise<void> {
    await this.action("reject").click();
    await this.root.getByTestId("reject-reason").fill(reason);
    await this.root.getByTestId("reject-submit").click();
  }

  async edit(args: Record<string, unknown>): Promise<void> {
    await this.action("edit").click();
    await this.root.getByTestId("edit-args").fill(JSON.stringify(args, null, 2));
    await this.root.getByTestId("edit-submit").click();
  }

  async answer(text: string): Promise<void> {
    await this.action("answer").click();
    await this.root.getByTestId("answer-text").fill(text);
    await this.root.getByTestId("answer-submit").click();
  }

  async select(): Promise<void> {
    await this.root.getByTestId("card-select").check();
  }
}
