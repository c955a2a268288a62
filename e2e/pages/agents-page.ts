/** The agents index (/ops/agents): every agent seen announcing itself (mq9.md §12.2). */
import { expect, type Locator, type Page } from "@playwright/test";
import { Shell } from "./shell";

export type AgentState = "fresh" | "stale" | "gone";

export class AgentsPage {
  readonly shell: Shell;
  readonly search: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.search = page.getByTestId("agents-search");
    this.rows = page.getByTestId("agent-row");
  }

  async goto(): Promise<void> {
    await this.page.goto("/ops/agents");
    await expect(this.search).toBeVisible();
  }

  row(mailId: string): Locator {
    return this.page.locator(`[data-testid="agent-row"][data-mail-id="${mailId}"]`);
  }

  skills(mailId: string): Locator {
    return this.row(mailId).getByTestId("agent-skill");
  }

  /**
   * Waits until the agent shows in that state. The page may update live or only when it
   * opens (the index is the server's, complete when the page opens): both pass, since the
   * page is opened again while the state is not there yet.
   */
  async expectState(mailId: string, state: AgentState, timeoutMs = 15_000): Promise<void> {
    await expect(async () => {
      if ((await this.row(mailId).getAttribute("data-state", { timeout: 2000 })) !== state) {
        await this.page.reload();
      }
      await expect(this.row(mailId)).toHaveAttribute("data-state", state, { timeout: 2000 });
    }).toPass({ timeout: timeoutMs });
  }
}
