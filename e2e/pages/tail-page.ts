/** The live tail (/ops/tail): traffic as it flows, newest first. */
import { expect, type Locator, type Page } from "@playwright/test";
import { Shell } from "./shell";

export class TailPage {
  readonly shell: Shell;
  readonly filter: Locator;
  readonly pause: Locator;
  readonly rows: Locator;
  readonly dropped: Locator;
  readonly showSystem: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.filter = page.getByTestId("tail-filter");
    this.pause = page.getByTestId("tail-pause");
    this.rows = page.getByTestId("tail-row");
    this.dropped = page.getByTestId("tail-dropped");
    this.showSystem = page.getByTestId("tail-show-system");
  }

  async goto(): Promise<void> {
    await this.page.goto("/ops/tail");
    await this.shell.connected();
    await expect(this.filter).toBeVisible();
  }

  rowsFor(subject: string): Locator {
    return this.page.locator(`[data-testid="tail-row"][data-subject="${subject}"]`);
  }

  /** Sets the subject filter (wildcards allowed). */
  async setFilter(pattern: string): Promise<void> {
    await this.filter.fill(pattern);
    await this.filter.press("Enter");
  }
}
